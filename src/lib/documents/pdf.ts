/**
 * @module Small layout helpers over pdf-lib for the documents handlers print (recovery kit,
 * notification letters, disposal certificates). Framework-free and runnable in Node, so tests
 * render the same bytes the browser does.
 *
 * Japanese text uses Noto Sans JP (OTF, from @embedpdf/fonts-jp) embedded whole: pdf-lib's own
 * subsetting drops kanji from this font (STACK.md §4.6). Key material and other ASCII that a
 * reader must copy exactly uses Courier, whose fixed width makes wrapping predictable.
 */
import fontkit from '@pdf-lib/fontkit';
import {
	PDFDocument,
	PDFName,
	PDFDict,
	PDFArray,
	PDFString,
	PDFHexString,
	PDFRawStream,
	decodePDFRawStream,
	StandardFonts,
	rgb,
	fill,
	popGraphicsState,
	pushGraphicsState,
	rectangle,
	setFillingGrayscaleColor,
	type PDFFont,
	type PDFPage
} from 'pdf-lib';
import QRCode from 'qrcode';

/** A4 in PDF points. */
export const A4 = { width: 595.28, height: 841.89 } as const;

export interface DocumentFonts {
	/** Noto Sans JP: all human-readable text. */
	jp: PDFFont;
	/** Courier: keys and codes to be copied character by character. */
	mono: PDFFont;
}

/**
 * A new PDF with the Japanese and fixed-width fonts embedded.
 * @param japaneseFont the bytes of NotoSansJP-Regular.otf.
 */
export async function createDocument(japaneseFont: Uint8Array, meta: { title: string; author?: string }): Promise<{ doc: PDFDocument; fonts: DocumentFonts }> {
	const doc = await PDFDocument.create();
	doc.registerFontkit(fontkit);
	const jp = await doc.embedFont(japaneseFont, { subset: false });
	const mono = await doc.embedFont(StandardFonts.Courier);
	doc.setTitle(meta.title);
	if (meta.author) doc.setAuthor(meta.author);
	doc.setProducer('mynumber-vault');
	doc.setCreator('mynumber-vault');
	return { doc, fonts: { jp, mono } };
}

/** Splits text into lines that fit `width`: at spaces where possible, else between characters (Japanese has no spaces). */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
	// A thousand letters repeat the same paragraphs: lay each out once per font, size and width.
	let cache = wrapCache.get(font);
	if (!cache) wrapCache.set(font, (cache = new Map()));
	const key = `${size}\u0000${width}\u0000${text}`;
	const hit = cache.get(key);
	if (hit) return [...hit];
	const lines = layoutText(text, font, size, width);
	cache.set(key, lines);
	return [...lines];
}

const wrapCache = new WeakMap<PDFFont, Map<string, string[]>>();

/** Characters that may not begin a line (JIS X 4051 行頭禁則, the common subset). */
const NO_LINE_START = new Set([...'、。，．,.)）」』】〕〉》］｝!?！？・：；:;ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜']);
/** Characters that may not end a line (行末禁則). */
const NO_LINE_END = new Set([...'(（「『【〔〈《［｛']);

function layoutText(text: string, font: PDFFont, size: number, width: number): string[] {
	const out: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(/(?<= )/)) {
			if (font.widthOfTextAtSize(line + word, size) <= width) {
				line += word;
				continue;
			}
			// A word that fits a line of its own starts one; a longer run (Japanese has no spaces)
			// continues the current line and breaks between characters.
			if (line && font.widthOfTextAtSize(word, size) <= width) {
				out.push(line.trimEnd());
				line = '';
			}
			for (const ch of word) {
				// Japanese line breaking (禁則処理): closing punctuation never starts a line, it hangs
				// into the margin (ぶら下げ); an opening bracket never ends one, it moves down.
				// At most one character hangs past the margin; in a rare run of them (「！！」) the next one starts the line.
				const hangs = NO_LINE_START.has(ch) && !NO_LINE_START.has(line.at(-1) ?? '');
				if (font.widthOfTextAtSize(line + ch, size) > width && line && !hangs) {
					const carried = NO_LINE_END.has(line.at(-1)!) && line.length > 1 ? line.at(-1)! : '';
					out.push(carried ? line.slice(0, -1) : line);
					line = carried;
				}
				line += ch;
			}
		}
		out.push(line.trimEnd());
	}
	return out;
}

/** Writes flowing text top-down, adding pages as needed. */
export class PageWriter {
	page: PDFPage;
	y: number;
	readonly margin = 48;

	constructor(
		readonly doc: PDFDocument,
		readonly fonts: DocumentFonts
	) {
		this.page = doc.addPage([A4.width, A4.height]);
		this.y = A4.height - this.margin;
	}

	get width(): number {
		return A4.width - 2 * this.margin;
	}

	/** Starts a new page when fewer than `height` points are left. */
	ensure(height: number): void {
		if (this.y - height < this.margin) {
			this.page = this.doc.addPage([A4.width, A4.height]);
			this.y = A4.height - this.margin;
		}
	}

	/** Flowing text; `width` narrows the column (e.g. beside a QR code), from the left margin. */
	text(text: string, opts: { size?: number; font?: PDFFont; indent?: number; gap?: number; color?: [number, number, number]; width?: number } = {}): void {
		const size = opts.size ?? 10;
		const font = opts.font ?? this.fonts.jp;
		const indent = opts.indent ?? 0;
		const leading = size * 1.5;
		for (const line of wrapText(text, font, size, (opts.width ?? this.width) - indent)) {
			this.ensure(leading);
			this.y -= leading;
			if (line) this.page.drawText(line, { x: this.margin + indent, y: this.y + size * 0.3, size, font, color: rgb(...(opts.color ?? [0, 0, 0])) });
		}
		this.y -= opts.gap ?? size * 0.5;
	}

	rule(): void {
		this.ensure(12);
		this.y -= 6;
		this.page.drawLine({ start: { x: this.margin, y: this.y }, end: { x: A4.width - this.margin, y: this.y }, thickness: 0.5, color: rgb(0.6, 0.6, 0.6) });
		this.y -= 6;
	}
}

/**
 * Draws a QR code as vector squares (crisp at any print resolution) with its top-left corner at
 * (x, top). Error correction M: a kit may be creased or stained.
 */
export function drawQrCode(page: PDFPage, text: string, x: number, top: number, size: number): void {
	const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
	const n = qr.modules.size;
	const quiet = 2;
	const cell = size / (n + 2 * quiet);
	// One filled path of horizontal runs, not a rectangle object per module: a tenth of the
	// operators, which is most of a letter's rendering and saving time.
	const ops = [pushGraphicsState(), setFillingGrayscaleColor(0)];
	for (let row = 0; row < n; row++) {
		let col = 0;
		while (col < n) {
			if (!qr.modules.get(row, col)) {
				col++;
				continue;
			}
			const start = col;
			while (col < n && qr.modules.get(row, col)) col++;
			ops.push(rectangle(x + (start + quiet) * cell, top - (row + quiet + 1) * cell, (col - start) * cell, cell));
		}
	}
	ops.push(fill(), popGraphicsState());
	page.pushOperators(...ops);
}

/** Reads a file attached to a PDF (pdf-lib's `attach`), or null when the PDF has none by that name. */
export async function readAttachment(pdf: Uint8Array, name: string): Promise<Uint8Array | null> {
	const doc = await PDFDocument.load(pdf, { updateMetadata: false });
	const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
	const embedded = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
	const list = embedded?.lookupMaybe(PDFName.of('Names'), PDFArray);
	if (!list) return null;
	for (let i = 0; i + 1 < list.size(); i += 2) {
		const key = list.lookup(i);
		const keyText = key instanceof PDFString || key instanceof PDFHexString ? key.decodeText() : '';
		if (keyText !== name) continue;
		const spec = list.lookup(i + 1, PDFDict);
		const stream = spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F'));
		if (!(stream instanceof PDFRawStream)) return null;
		return decodePDFRawStream(stream).decode();
	}
	return null;
}
