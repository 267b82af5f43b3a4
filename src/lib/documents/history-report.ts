/**
 * @module The handling history report (取扱い履歴, issue 6 item 4) as PDF (A4 landscape table) and
 * .xlsx, made in the 責任者's browser from the rows `audit.report` returned (the download itself is
 * recorded there). The header names the company, the period, the filters, whether the hash chain
 * verified, and who made the report when. Person names never appear: people are named by code.
 */
import { rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import writeXlsxFile, { type SheetData } from 'write-excel-file/universal';
import { historyCells, historyHeader, type HistoryEvent, type HistoryNames, type HistoryStrings } from '$lib/history';
import { A4, createDocument } from './pdf';

/** The report's header lines, already worded by the page (labels from messages/*.json). */
export interface HistoryReportHeader {
	title: string;
	/** e.g. [['会社', '株式会社テスト'], ['期間', '2026-04-01 〜 2026-04-30'], ...] */
	lines: [label: string, value: string][];
	/** "page {page} / {pages}" wording; `{page}` and `{pages}` are replaced. */
	pageOf: string;
}

export interface HistoryReportInput {
	header: HistoryReportHeader;
	events: readonly HistoryEvent[];
	strings: HistoryStrings;
	names?: HistoryNames;
	/** The bytes of NotoSansJP-Regular.otf. */
	japaneseFont: Uint8Array;
}

const PAGE = { width: A4.height, height: A4.width } as const; // landscape
const MARGIN = 32;
const SIZE = 7.5;
const ROW = 12;
/** Column widths in points (seq, time, user, operation, target, result, reason, IP, browser): 777 in all. */
const WIDTHS = [38, 84, 92, 124, 104, 40, 128, 78, 89];

const fitCache = new WeakMap<PDFFont, Map<string, string>>();

/** `text` cut to fit `width`, with an ellipsis when it had to be cut (memoised: labels repeat on every row). */
function fit(text: string, font: PDFFont, size: number, width: number): string {
	let cache = fitCache.get(font);
	if (!cache) fitCache.set(font, (cache = new Map()));
	const key = `${size}\u0000${width}\u0000${text}`;
	let hit = cache.get(key);
	if (hit === undefined) cache.set(key, (hit = cut(text, font, size, width)));
	return hit;
}

function cut(text: string, font: PDFFont, size: number, width: number): string {
	// ASCII-only cells (times, IPs, ids) at this size: Noto Sans JP's Latin glyphs are at most 0.6 em wide.
	if (/^[\x20-\x7e]*$/.test(text) && text.length * size * 0.6 <= width) return text;
	if (font.widthOfTextAtSize(text, size) <= width) return text;
	let chars = [...text];
	while (chars.length > 0 && font.widthOfTextAtSize(chars.join('') + '…', size) > width) chars = chars.slice(0, Math.max(0, chars.length - Math.max(1, Math.floor(chars.length / 8))));
	return chars.join('') + '…';
}

function drawRow(page: PDFPage, font: PDFFont, cells: string[], y: number, bold = false): void {
	let x = MARGIN;
	for (const [i, cell] of cells.entries()) {
		const width = WIDTHS[i]!;
		page.drawText(fit(cell, font, SIZE, width - 4), { x: x + 2, y, size: SIZE, font, color: rgb(0, 0, 0) });
		// Header cells are drawn twice, a hair apart: the embedded font has one weight.
		if (bold) page.drawText(fit(cell, font, SIZE, width - 4), { x: x + 2.25, y, size: SIZE, font, color: rgb(0, 0, 0) });
		x += width;
	}
}

/** The report as a PDF: the header on the first page, the table on every page with its column headers. */
export async function renderHistoryPdf(p: HistoryReportInput): Promise<Uint8Array> {
	const { doc, fonts } = await createDocument(p.japaneseFont, { title: p.header.title });
	const font = fonts.jp;
	const header = historyHeader(p.strings);
	const pages: PDFPage[] = [];
	let page!: PDFPage;
	let y = 0;
	const newPage = (first: boolean) => {
		page = doc.addPage([PAGE.width, PAGE.height]);
		pages.push(page);
		y = PAGE.height - MARGIN;
		if (first) {
			page.drawText(p.header.title, { x: MARGIN, y: y - 14, size: 14, font });
			y -= 26;
			for (const [label, value] of p.header.lines) {
				page.drawText(fit(`${label}：${value}`, font, 9, PAGE.width - 2 * MARGIN), { x: MARGIN, y: y - 9, size: 9, font });
				y -= 13;
			}
			y -= 6;
		}
		y -= ROW;
		drawRow(page, font, header, y + 3, true);
		page.drawLine({ start: { x: MARGIN, y: y }, end: { x: PAGE.width - MARGIN, y: y }, thickness: 0.6, color: rgb(0.3, 0.3, 0.3) });
	};
	newPage(true);
	for (const [i, event] of p.events.entries()) {
		if (y - ROW < MARGIN + 14) newPage(false);
		y -= ROW;
		// Every other row shaded, so a wide row is followed across the page.
		if (i % 2 === 1) page.drawRectangle({ x: MARGIN, y: y - 1, width: PAGE.width - 2 * MARGIN, height: ROW, color: rgb(0.95, 0.95, 0.95) });
		drawRow(page, font, historyCells(event, p.strings, p.names), y + 2.5);
	}
	for (const [i, pg] of pages.entries()) {
		const text = p.header.pageOf.replace('{page}', String(i + 1)).replace('{pages}', String(pages.length));
		pg.drawText(text, { x: PAGE.width - MARGIN - font.widthOfTextAtSize(text, 7), y: MARGIN / 2, size: 7, font, color: rgb(0.4, 0.4, 0.4) });
	}
	return doc.save();
}

/** The report as one sheet: the header lines, an empty row, then the table; every cell text. */
export function historySheet(p: Omit<HistoryReportInput, 'japaneseFont'>): SheetData {
	const text = (value: string) => ({ value, type: String });
	const headerRows = [[{ value: p.header.title, fontWeight: 'bold' as const }], ...p.header.lines.map(([label, value]) => [text(label), text(value)]), []];
	const columns = historyHeader(p.strings).map((value) => ({ value, fontWeight: 'bold' as const }));
	const rows = p.events.map((e) => historyCells(e, p.strings, p.names).map(text));
	return [...headerRows, columns, ...rows];
}

/** The .xlsx file of `historySheet`. */
export async function renderHistoryXlsx(p: Omit<HistoryReportInput, 'japaneseFont'>): Promise<Blob> {
	return writeXlsxFile(historySheet(p), { columns: WIDTHS.map((w) => ({ width: Math.round(w / 5) })), sheet: 'history' }).toBlob();
}
