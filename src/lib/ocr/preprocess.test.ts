import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { applyOrientation, decodeImage, exifOrientation, isNode } from './decode';
import { TARGET_LONG_SIDE, encodePgm, greyFromRgba, inkMask, preprocess, removeRules, resize, type GreyImage } from './preprocess';

const fixture = (name: string): Uint8Array =>
	new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/ocr/${name}`, import.meta.url)));

function image(width: number, height: number, fill: (x: number, y: number) => number): GreyImage {
	const data = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = fill(x, y);
	return { width, height, data };
}
const at = (img: GreyImage, x: number, y: number): number => img.data[y * img.width + x]!;

describe('greyFromRgba', () => {
	it('converts colours to luma and composites transparency over white', () => {
		const rgba = new Uint8Array([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128]);
		const g = greyFromRgba(rgba, 5, 1);
		expect(Array.from(g.data.slice(0, 3))).toEqual([255, 0, 76]);
		expect(g.data[3]).toBe(255); // fully transparent black is paper
		expect(g.data[4]).toBeGreaterThan(120);
		expect(g.data[4]).toBeLessThan(135);
	});
});

describe('resize', () => {
	it('scales dimensions and keeps flat areas flat', () => {
		const flat = image(10, 4, () => 100);
		for (const s of [0.5, 2, 3.3]) {
			const r = resize(flat, s);
			expect([r.width, r.height]).toEqual([Math.round(10 * s), Math.round(4 * s)]);
			expect(r.data.every((v) => v === 100)).toBe(true);
		}
	});

	it('averages when shrinking and interpolates when enlarging', () => {
		const checker = image(4, 4, (x, y) => ((x + y) % 2 ? 200 : 0));
		expect(Array.from(resize(checker, 0.5).data)).toEqual([100, 100, 100, 100]);
		const ramp = resize(image(2, 1, (x) => x * 200), 2);
		expect(Array.from(ramp.data)).toEqual([0, 50, 150, 200, 0, 50, 150, 200]);
	});
});

describe('inkMask and removeRules', () => {
	// A light page with a shaded lower half, a table rule, a column rule and a short "digit" stroke.
	const page = (): GreyImage =>
		image(400, 300, (x, y) => {
			const paper = y < 150 ? 230 : 140; // the shaded half is darker than ink elsewhere would be against paper
			if (y === 100 || y === 101) return 20; // horizontal rule across the page
			if (x === 50 && y > 20 && y < 280) return 20; // vertical rule
			if (x >= 200 && x <= 203 && y >= 200 && y <= 230) return 30; // a "1" of a digit, 31 px tall
			return paper;
		});

	it('marks ink relative to its surroundings, not by one global threshold', () => {
		const mask = inkMask(page());
		expect(mask[100 * 400 + 300]).toBe(1); // rule
		expect(mask[210 * 400 + 201]).toBe(1); // stroke on the shaded half
		expect(mask[250 * 400 + 300]).toBe(0); // shaded paper is not ink
		expect(mask[50 * 400 + 300]).toBe(0);
	});

	it('erases long rules and keeps short strokes', () => {
		const out = removeRules(page());
		expect(at(out, 300, 100)).toBe(255);
		expect(at(out, 300, 101)).toBe(255);
		expect(at(out, 50, 200)).toBe(255);
		expect(at(out, 201, 215)).toBe(30);
		expect(at(out, 300, 250)).toBe(140); // paper untouched
	});

	it('catches a rule that is one pixel off between columns (slight tilt)', () => {
		const tilted = image(400, 100, (x, y) => (y === (x < 200 ? 50 : 51) ? 0 : 255));
		const out = removeRules(tilted);
		expect(at(out, 100, 50)).toBe(255);
		expect(at(out, 300, 51)).toBe(255);
	});
});

describe('encodePgm and preprocess', () => {
	it('writes a binary PGM header followed by the pixels', () => {
		const pgm = encodePgm(image(3, 2, (x, y) => x + 10 * y));
		const header = 'P5\n3 2\n255\n';
		expect(new TextDecoder().decode(pgm.slice(0, header.length))).toBe(header);
		expect(Array.from(pgm.slice(header.length))).toEqual([0, 1, 2, 10, 11, 12]);
	});

	it('scales the longer side to the target', () => {
		const out = preprocess(image(800, 300, () => 255));
		expect([out.width, out.height]).toEqual([TARGET_LONG_SIDE, 750]);
		expect(preprocess(image(4000, 3000, () => 255)).width).toBe(TARGET_LONG_SIDE);
	});
});

describe('EXIF orientation', () => {
	/** A JPEG start with an APP1 Exif segment carrying only the orientation tag. */
	function exifJpeg(orientation: number, little: boolean): Uint8Array {
		const tiff: number[] = [];
		const u16 = (v: number): number[] => (little ? [v & 255, v >> 8] : [v >> 8, v & 255]);
		const u32 = (v: number): number[] => (little ? [v & 255, (v >> 8) & 255, 0, 0] : [0, 0, (v >> 8) & 255, v & 255]);
		tiff.push(...(little ? [0x49, 0x49] : [0x4d, 0x4d]), ...u16(42), ...u32(8));
		tiff.push(...u16(1), ...u16(0x0112), ...u16(3), ...u32(1), ...u16(orientation), 0, 0, ...u32(0));
		const body = [...new TextEncoder().encode('Exif'), 0, 0, ...tiff];
		const size = body.length + 2;
		return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, size >> 8, size & 255, ...body, 0xff, 0xd9]);
	}

	it('reads the orientation tag in either byte order', () => {
		for (let o = 1; o <= 8; o++) {
			expect(exifOrientation(exifJpeg(o, true))).toBe(o);
			expect(exifOrientation(exifJpeg(o, false))).toBe(o);
		}
	});

	it('defaults to 1 for files without EXIF, other formats and truncated data', () => {
		expect(exifOrientation(fixture('tsuchi-card.jpg'))).toBe(1);
		expect(exifOrientation(fixture('card-back.png'))).toBe(1);
		expect(exifOrientation(exifJpeg(6, true).slice(0, 20))).toBe(1);
		expect(exifOrientation(new Uint8Array())).toBe(1);
	});

	it('turns each orientation upright', () => {
		// Stored 3×2: a b c / d e f. Expected display per EXIF definition.
		const stored = image(3, 2, (x, y) => 'abcdef'.charCodeAt(y * 3 + x));
		const show = (o: number): string => {
			const r = applyOrientation(stored, o);
			let s = '';
			for (let y = 0; y < r.height; y++) s += String.fromCharCode(...r.data.slice(y * r.width, (y + 1) * r.width)) + '/';
			return s;
		};
		expect(show(1)).toBe('abc/def/');
		expect(show(2)).toBe('cba/fed/');
		expect(show(3)).toBe('fed/cba/');
		expect(show(4)).toBe('def/abc/');
		expect(show(5)).toBe('ad/be/cf/');
		expect(show(6)).toBe('da/eb/fc/');
		expect(show(7)).toBe('fc/eb/da/');
		expect(show(8)).toBe('cf/be/ad/');
	});
});

describe('decodeImage in Node', () => {
	it('runs the Node branch here', () => {
		expect(isNode()).toBe(true);
	});

	it('decodes the PNG and JPEG fixtures', async () => {
		const png = await decodeImage(fixture('card-back.png'));
		expect([png.width, png.height]).toEqual([1000, 630]);
		const jpg = await decodeImage(fixture('tsuchi-card.jpg'));
		expect([jpg.width, jpg.height]).toEqual([1100, 700]);
		expect(jpg.data.length).toBe(1100 * 700);
	});

	it('applies the EXIF orientation of a phone photo', async () => {
		const rgba = new Uint8Array(4 * 3 * 2).fill(255);
		const plain = new Uint8Array(jpeg.encode({ data: rgba, width: 3, height: 2 }, 90).data);
		// Insert an APP1 orientation-6 segment right after SOI.
		const app1 = [0xff, 0xe1, 0, 34, ...new TextEncoder().encode('Exif'), 0, 0, 0x49, 0x49, 42, 0, 8, 0, 0, 0];
		app1.push(1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0);
		const rotated = new Uint8Array([...plain.slice(0, 2), ...app1, ...plain.slice(2)]);
		expect(exifOrientation(rotated)).toBe(6);
		const out = await decodeImage(rotated);
		expect([out.width, out.height]).toEqual([2, 3]);
	});

	it('rejects what is not PNG or JPEG', async () => {
		await expect(decodeImage(new TextEncoder().encode('GIF89a'))).rejects.toThrow(/unsupported image format/);
	});
});
