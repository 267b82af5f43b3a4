/**
 * Generated document photos for `npm run demo` (scripts/demo-seed.ts): plain cards drawn here, in
 * pixels, that look like nothing official. Each says 「見本」 in a large red stamp and 「デモ用の架空の
 * 書類です」 on its edge, carries the fictitious person's name, address, birth date and (on the number
 * side) their fictitious number, so the desk's photo viewer and its OCR cross-check have something
 * true to the record to show. Never a real document, never a real layout.
 *
 * Text is Noto Sans JP (the OTF the PDF letters already embed, from @embedpdf/fonts-jp), laid out
 * with fontkit and filled by a small scanline rasteriser (non-zero winding, 4 sub-rows per pixel
 * row, exact horizontal coverage); the result is a JPEG from jpeg-js, as the phone would send.
 * Both are devDependencies, like the rest of the demo.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fontkit from '@pdf-lib/fontkit';
import jpeg from 'jpeg-js';

const FONT_PATH = fileURLToPath(new URL('../node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf', import.meta.url));

type Font = ReturnType<typeof fontkit.create>;
type Rgb = readonly [number, number, number];
interface PathCommand {
	command: 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'bezierCurveTo' | 'closePath';
	args: number[];
}

let font: Font | undefined;
function loadFont(): Font {
	font ??= fontkit.create(readFileSync(FONT_PATH));
	return font;
}

const SUBROWS = 4;
const CURVE_STEPS = 8;

/**
 * An RGB picture with a few drawing operations, enough for a card. Drawing coordinates are in
 * layout units; `scale` turns them into pixels (the layout is drawn once, at whatever size is cheap).
 */
class Picture {
	readonly rgb: Float32Array;
	readonly width: number;
	readonly height: number;
	constructor(
		layoutWidth: number,
		layoutHeight: number,
		readonly scale: number,
		background?: Rgb
	) {
		this.width = Math.round(layoutWidth * scale);
		this.height = Math.round(layoutHeight * scale);
		this.rgb = new Float32Array(this.width * this.height * 3);
		if (background) this.fillRect(0, 0, layoutWidth, layoutHeight, background);
	}

	private blend(i: number, color: Rgb, alpha: number): void {
		const at = i * 3;
		for (let c = 0; c < 3; c++) this.rgb[at + c] = this.rgb[at + c]! * (1 - alpha) + color[c]! * alpha;
	}

	fillRect(x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
		[x, y, w, h] = [x, y, w, h].map((v) => v * this.scale) as [number, number, number, number];
		for (let py = Math.max(0, Math.floor(y)); py < Math.min(this.height, Math.ceil(y + h)); py++) {
			for (let px = Math.max(0, Math.floor(x)); px < Math.min(this.width, Math.ceil(x + w)); px++) this.blend(py * this.width + px, color, alpha);
		}
	}

	strokeRect(x: number, y: number, w: number, h: number, line: number, color: Rgb): void {
		this.fillRect(x, y, w, line, color);
		this.fillRect(x, y + h - line, w, line, color);
		this.fillRect(x, y, line, h, color);
		this.fillRect(x + w - line, y, line, h, color);
	}

	/**
	 * Fills closed polygons (pixel coordinates, y down) with the non-zero rule, anti-aliased.
	 * Each sub-row adds the exact length of every span inside the shape to the pixels it crosses.
	 */
	fillPolygons(polygons: number[][], color: Rgb, alpha = 1): void {
		const edges: { x0: number; y0: number; x1: number; y1: number; dir: number }[] = [];
		let top = Infinity;
		let bottom = -Infinity;
		for (const poly of polygons) {
			for (let i = 0; i < poly.length; i += 2) {
				const j = (i + 2) % poly.length;
				const [x0, y0, x1, y1] = [poly[i]!, poly[i + 1]!, poly[j]!, poly[j + 1]!];
				if (y0 === y1) continue;
				edges.push(y0 < y1 ? { x0, y0, x1, y1, dir: 1 } : { x0: x1, y0: y1, x1: x0, y1: y0, dir: -1 });
				top = Math.min(top, y0, y1);
				bottom = Math.max(bottom, y0, y1);
			}
		}
		if (!edges.length) return;
		const rowTop = Math.max(0, Math.floor(top));
		const rowBottom = Math.min(this.height - 1, Math.ceil(bottom));
		const coverage = new Float32Array(this.width);
		const crossings: { x: number; dir: number }[] = [];
		for (let py = rowTop; py <= rowBottom; py++) {
			coverage.fill(0);
			let touched = false;
			for (let s = 0; s < SUBROWS; s++) {
				const y = py + (s + 0.5) / SUBROWS;
				crossings.length = 0;
				for (const e of edges) if (y >= e.y0 && y < e.y1) crossings.push({ x: e.x0 + ((y - e.y0) * (e.x1 - e.x0)) / (e.y1 - e.y0), dir: e.dir });
				if (crossings.length < 2) continue;
				crossings.sort((a, b) => a.x - b.x);
				let winding = 0;
				for (let k = 0; k < crossings.length - 1; k++) {
					winding += crossings[k]!.dir;
					if (winding === 0) continue;
					const from = Math.max(0, crossings[k]!.x);
					const to = Math.min(this.width, crossings[k + 1]!.x);
					if (to <= from) continue;
					touched = true;
					for (let px = Math.floor(from); px < Math.ceil(to) && px < this.width; px++) {
						coverage[px]! += (Math.min(to, px + 1) - Math.max(from, px)) / SUBROWS;
					}
				}
			}
			if (!touched) continue;
			for (let px = 0; px < this.width; px++) {
				const c = coverage[px]!;
				if (c > 0) this.blend(py * this.width + px, color, Math.min(1, c) * alpha);
			}
		}
	}

	/** Draws `text` with its baseline starting at (x, y), `size` pixels per em, optionally turned by `angle` degrees around its start. */
	text(text: string, x: number, y: number, size: number, color: Rgb, opts: { alpha?: number; angle?: number } = {}): number {
		const f = loadFont();
		const scale = (size * this.scale) / f.unitsPerEm;
		[x, y] = [x * this.scale, y * this.scale];
		const run = f.layout(text);
		const turn = ((opts.angle ?? 0) * Math.PI) / 180;
		const [cos, sin] = [Math.cos(turn), Math.sin(turn)];
		const place = (ux: number, uy: number): [number, number] => [x + ux * cos - uy * sin, y + ux * sin + uy * cos];
		const polygons: number[][] = [];
		let pen = 0;
		run.glyphs.forEach((glyph, i) => {
			const commands = (glyph.path as unknown as { commands: PathCommand[] }).commands;
			let poly: number[] = [];
			let [cx, cy] = [0, 0];
			const to = (gx: number, gy: number) => {
				[cx, cy] = [gx, gy];
				poly.push(...place((pen + gx) * scale, -gy * scale));
			};
			for (const { command, args: a } of commands) {
				if (command === 'moveTo') {
					if (poly.length) polygons.push(poly);
					poly = [];
					to(a[0]!, a[1]!);
				} else if (command === 'lineTo') {
					to(a[0]!, a[1]!);
				} else if (command === 'quadraticCurveTo') {
					const [sx, sy] = [cx, cy];
					for (let t = 1; t <= CURVE_STEPS; t++) {
						const u = t / CURVE_STEPS;
						to((1 - u) ** 2 * sx + 2 * (1 - u) * u * a[0]! + u * u * a[2]!, (1 - u) ** 2 * sy + 2 * (1 - u) * u * a[1]! + u * u * a[3]!);
					}
				} else if (command === 'bezierCurveTo') {
					const [sx, sy] = [cx, cy];
					for (let t = 1; t <= CURVE_STEPS; t++) {
						const u = t / CURVE_STEPS;
						const [b0, b1, b2, b3] = [(1 - u) ** 3, 3 * (1 - u) ** 2 * u, 3 * (1 - u) * u * u, u ** 3];
						to(b0 * sx + b1 * a[0]! + b2 * a[2]! + b3 * a[4]!, b0 * sy + b1 * a[1]! + b2 * a[3]! + b3 * a[5]!);
					}
				} else if (poly.length) {
					polygons.push(poly);
					poly = [];
				}
			}
			if (poly.length) polygons.push(poly);
			pen += run.positions[i]!.xAdvance;
		});
		this.fillPolygons(polygons, color, opts.alpha ?? 1);
		return (pen * scale) / this.scale;
	}

	/** A filled ellipse as a polygon; `upperHalf` keeps the part above its centre (a silhouette's shoulders). */
	ellipse(cx: number, cy: number, rx: number, ry: number, color: Rgb, upperHalf = false): void {
		const poly: number[] = [];
		const [from, span, steps] = upperHalf ? [Math.PI, Math.PI, 24] : [0, 2 * Math.PI, 48];
		const k = this.scale;
		for (let i = 0; i <= steps; i++) poly.push(k * (cx + rx * Math.cos(from + (i / steps) * span)), k * (cy + ry * Math.sin(from + (i / steps) * span)));
		this.fillPolygons([poly], color);
	}

	clone(): Picture {
		return Object.assign(Object.create(Picture.prototype) as Picture, { width: this.width, height: this.height, scale: this.scale, rgb: this.rgb.slice() });
	}

	jpeg(quality = 85): Uint8Array {
		const data = Buffer.alloc(this.width * this.height * 4);
		for (let i = 0; i < this.width * this.height; i++) {
			for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(this.rgb[i * 3 + c]!)));
			data[i * 4 + 3] = 255;
		}
		return new Uint8Array(jpeg.encode({ data, width: this.width, height: this.height }, quality).data);
	}
}

const INK: Rgb = [30, 30, 36];
const MUTED: Rgb = [95, 100, 110];
const RED: Rgb = [200, 30, 40];

/** What a generated document shows of its fictitious owner. */
export interface DemoDocumentPerson {
	name: string;
	/** YYYY-MM-DD */
	birthDate: string;
	address: string;
	/** 12 digits (fictitious, passing the check digit). */
	myNumber: string;
}

/** The kinds of photo the demo makes: both sides of a number card, a 通知カード, and a photo ID. */
export type DemoDocument = 'card_front' | 'card_back' | 'notification_card' | 'photo_id';

/** The layout's size, in its own units. */
const W = 860;
const H = 542;
/** Pixels per layout unit: 720 × 454 pixels, where the number is still ~40 px tall (OCR reads it) and jpeg-js encodes in ~0.1 s. */
const SCALE = 720 / W;

const japaneseDate = (iso: string) => {
	const [y, m, d] = iso.split('-').map(Number);
	return `${y}年${m}月${d}日`;
};
const grouped = (n: string) => n.replace(/(\d{4})(?=\d)/g, '$1 ');

/** What every photo of a kind shares: background, frame, title, labels, the 「見本」 stamp and the edge note. Drawn once. */
function blank(kind: DemoDocument): Picture {
	const layout = LAYOUTS[kind];
	const p = new Picture(W, H, SCALE, layout.background);
	p.strokeRect(12, 12, W - 24, H - 24, 3, MUTED);
	p.text(layout.title, 38, 68, 30, INK);
	p.fillRect(38, 84, W - 76, 2, MUTED);
	for (const [label, x, y] of layout.labels) p.text(label, x, y, 21, MUTED);
	if (layout.photo) {
		const [x, y] = [624, 112];
		p.fillRect(x, y, 198, 250, [205, 210, 218]);
		p.ellipse(x + 99, y + 95, 50, 58, [160, 166, 176]);
		p.ellipse(x + 99, y + 250, 86, 82, [160, 166, 176], true);
		p.strokeRect(x, y, 198, 250, 2, MUTED);
		p.text('写真（見本）', x + 45, y + 34, 19, INK);
	}
	// Nobody can take this for a real document.
	p.text('見本', layout.stamp[0], layout.stamp[1], 130, RED, { alpha: 0.32, angle: -14 });
	p.text('デモ用の架空の書類です　DEMO ONLY – NOT A REAL DOCUMENT', 38, H - 30, 17, RED);
	return p;
}

interface Layout {
	title: string;
	background: Rgb;
	labels: [string, number, number][];
	photo: boolean;
	stamp: [number, number];
	/** Where the person's details go: field, x, baseline, size. */
	fields: [keyof DemoDocumentPerson | 'birthDateBorn', number, number, number][];
}

const LAYOUTS: Record<DemoDocument, Layout> = {
	card_front: {
		title: '個人番号カード（見本）　表面',
		background: [236, 242, 248],
		labels: [['氏名', 38, 146], ['住所', 38, 215], ['生年月日', 38, 284], ['有効期限', 38, 344]],
		photo: true,
		stamp: [280, 482],
		fields: [['name', 104, 148, 40], ['address', 104, 217, 26], ['birthDateBorn', 138, 286, 26]]
	},
	card_back: {
		title: '個人番号カード（見本）　裏面',
		background: [244, 240, 246],
		labels: [['個人番号', 38, 155], ['氏名', 38, 301], ['生年月日', 38, 361]],
		photo: false,
		stamp: [480, 482],
		fields: [['myNumber', 38, 225, 60], ['name', 104, 303, 31], ['birthDate', 138, 363, 26]]
	},
	notification_card: {
		title: '通知カード（見本）',
		background: [236, 246, 232],
		labels: [['個人番号', 38, 146], ['氏名', 38, 275], ['住所', 38, 335], ['生年月日', 38, 392]],
		photo: false,
		stamp: [520, 482],
		fields: [['myNumber', 38, 211, 54], ['name', 104, 277, 31], ['address', 104, 337, 24], ['birthDate', 138, 394, 24]]
	},
	photo_id: {
		title: '写真付き身分証明書（見本）',
		background: [250, 246, 228],
		labels: [['氏名', 38, 146], ['生年月日', 38, 211], ['住所', 38, 275], ['交付番号　DEMO-0000-0000', 38, 344]],
		photo: true,
		stamp: [280, 482],
		fields: [['name', 104, 148, 36], ['birthDate', 138, 213, 26], ['address', 104, 277, 24]]
	}
};

const blanks = new Map<DemoDocument, Picture>();

/** One generated photo of a fictitious document, as a JPEG (720 × 454, about 45 KB). */
export function demoDocumentImage(kind: DemoDocument, person: DemoDocumentPerson): Uint8Array {
	let base = blanks.get(kind);
	if (!base) blanks.set(kind, (base = blank(kind)));
	const p = base.clone();
	for (const [field, x, y, size] of LAYOUTS[kind].fields) {
		const text =
			field === 'myNumber' ? grouped(person.myNumber) : field === 'birthDate' ? japaneseDate(person.birthDate) : field === 'birthDateBorn' ? `${japaneseDate(person.birthDate)}生` : person[field];
		p.text(text, x, y, size, INK);
	}
	if (kind === 'card_front') p.text('2035年12月31日まで（架空）', 138, 346, 24, INK);
	return p.jpeg();
}
