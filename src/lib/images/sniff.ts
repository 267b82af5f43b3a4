/**
 * What kind of image a file is, from its first bytes (a phone's file name and MIME type are not
 * reliable). Pure: runs anywhere.
 *
 * @module
 */

export type ImageKind = 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp' | 'heic' | 'unknown';

/** Formats the seed accepts (jpeg, png, gif, bmp) plus WebP, which every browser that runs the app decodes. */
export const ACCEPTED: readonly ImageKind[] = ['jpeg', 'png', 'gif', 'bmp', 'webp'];

/** The largest file the phone will try to decode (a 12 MP JPEG is 3–8 MB; a 48 MP one ~ 20 MB). */
export const MAX_INPUT_BYTES = 30 * 1024 * 1024;

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** Identifies an image by its magic bytes. HEIC/HEIF is named so the UI can explain it. */
export function sniffImage(b: Uint8Array): ImageKind {
	if (b.length < 12) return 'unknown';
	if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
	if (b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') return 'png';
	if (ascii(b, 0, 4) === 'GIF8') return 'gif';
	if (ascii(b, 0, 2) === 'BM') return 'bmp';
	if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
	if (ascii(b, 4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1|avif)$/.test(ascii(b, 8, 12))) return 'heic';
	return 'unknown';
}
