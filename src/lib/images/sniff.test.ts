import { describe, expect, it } from 'vitest';
import { fitScale, laplacianVariance } from './prepare';
import { sniffImage } from './sniff';

const bytes = (...parts: (number[] | string)[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffImage', () => {
	it('knows the accepted formats by their magic bytes, whatever the file is called', () => {
		expect(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0], '\0'.repeat(10)))).toBe('jpeg');
		expect(sniffImage(bytes([0x89], 'PNG\r\n\x1a\n', '\0'.repeat(6)))).toBe('png');
		expect(sniffImage(bytes('GIF89a', '\0'.repeat(8)))).toBe('gif');
		expect(sniffImage(bytes('BM', '\0'.repeat(12)))).toBe('bmp');
		expect(sniffImage(bytes('RIFF', '\0\0\0\0', 'WEBPVP8 '))).toBe('webp');
	});
	it('names HEIC (iPhone) so the page can explain it, and refuses the rest', () => {
		expect(sniffImage(bytes('\0\0\0\x18', 'ftyp', 'heic', '\0'.repeat(4)))).toBe('heic');
		expect(sniffImage(bytes('\0\0\0\x18', 'ftyp', 'mif1', '\0'.repeat(4)))).toBe('heic');
		expect(sniffImage(bytes('%PDF-1.7', '\0'.repeat(8)))).toBe('unknown');
		expect(sniffImage(bytes([0xff, 0xd8]))).toBe('unknown');
	});
});

describe('photo geometry and sharpness', () => {
	it('brings the long side to 2000 px at most and never enlarges', () => {
		expect(fitScale(4000, 3000)).toBe(0.5);
		expect(fitScale(3000, 4032) * 4032).toBeCloseTo(2000);
		expect(fitScale(800, 600)).toBe(1);
	});
	it('scores sharp edges above a flat picture', () => {
		const w = 20;
		const flat = new Uint8Array(w * w).fill(128);
		const stripes = new Uint8Array(w * w).map((_, i) => ((i % w) % 2 ? 255 : 0));
		expect(laplacianVariance(flat, w, w)).toBe(0);
		expect(laplacianVariance(stripes, w, w)).toBeGreaterThan(1000);
	});
});
