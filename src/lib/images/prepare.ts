/**
 * Turns a phone photo into what gets sealed (CRYPTO.md "Envelopes"): decoded upright, downscaled to
 * ≤ 2000 px on the long side and re-encoded as JPEG through a canvas, which drops every metadata
 * segment (EXIF, GPS, maker notes). Runs in the photo Worker so a 12 MP decode never blocks the page.
 * Browser-only (`createImageBitmap`, `OffscreenCanvas`).
 *
 * @module
 */
import type { PhotoWarning, PrepareErrorCode } from './protocol';
import { ACCEPTED, MAX_INPUT_BYTES, sniffImage } from './sniff';

export const MAX_SIDE = 2000;
const JPEG_QUALITY = 0.85;
/** Below this short side a card's digits are too small to check by eye (or OCR). */
const SMALL_SIDE = 500;
/** Variance of the Laplacian on a 512 px grey copy; below it a photo is likely out of focus (measured on synthetic cards). */
const BLUR_THRESHOLD = 60;

export class PrepareError extends Error {
	constructor(readonly code: PrepareErrorCode) {
		super(`photo not usable: ${code}`);
		this.name = 'PrepareError';
	}
}

/** Scale factor that brings the long side to at most `max`. */
export function fitScale(width: number, height: number, max = MAX_SIDE): number {
	return Math.min(1, max / Math.max(width, height));
}

/** Variance of a 4-neighbour Laplacian over greyscale pixels: low means few sharp edges. */
export function laplacianVariance(grey: Uint8ClampedArray | Uint8Array, width: number, height: number): number {
	let sum = 0;
	let sumSq = 0;
	let n = 0;
	for (let y = 1; y < height - 1; y++) {
		for (let x = 1; x < width - 1; x++) {
			const i = y * width + x;
			const v = 4 * grey[i]! - grey[i - 1]! - grey[i + 1]! - grey[i - width]! - grey[i + width]!;
			sum += v;
			sumSq += v * v;
			n++;
		}
	}
	if (!n) return 0;
	const mean = sum / n;
	return sumSq / n - mean * mean;
}

function sharpness(bitmap: ImageBitmap): number {
	const scale = fitScale(bitmap.width, bitmap.height, 512);
	const w = Math.max(3, Math.round(bitmap.width * scale));
	const h = Math.max(3, Math.round(bitmap.height * scale));
	const canvas = new OffscreenCanvas(w, h);
	const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
	ctx.drawImage(bitmap, 0, 0, w, h);
	const rgba = ctx.getImageData(0, 0, w, h).data;
	const grey = new Uint8ClampedArray(w * h);
	for (let i = 0; i < grey.length; i++) grey[i] = (rgba[i * 4]! * 299 + rgba[i * 4 + 1]! * 587 + rgba[i * 4 + 2]! * 114) / 1000;
	return laplacianVariance(grey, w, h);
}

/** Decodes, checks, downscales and re-encodes one photo. @throws PrepareError */
export async function preparePhoto(file: Uint8Array): Promise<{ jpeg: Uint8Array; width: number; height: number; warnings: PhotoWarning[] }> {
	if (file.byteLength > MAX_INPUT_BYTES) throw new PrepareError('too_large');
	const kind = sniffImage(file);
	if (kind === 'heic') throw new PrepareError('heic');
	if (!ACCEPTED.includes(kind)) throw new PrepareError('unsupported');
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(new Blob([file as Uint8Array<ArrayBuffer>]), { imageOrientation: 'from-image' });
	} catch {
		throw new PrepareError('decode');
	}
	try {
		const scale = fitScale(bitmap.width, bitmap.height);
		const width = Math.round(bitmap.width * scale);
		const height = Math.round(bitmap.height * scale);
		const canvas = new OffscreenCanvas(width, height);
		const ctx = canvas.getContext('2d')!;
		ctx.fillStyle = '#fff'; // transparent PNG/GIF areas become white, not black, in a JPEG
		ctx.fillRect(0, 0, width, height);
		ctx.imageSmoothingQuality = 'high';
		ctx.drawImage(bitmap, 0, 0, width, height);
		const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
		const warnings: PhotoWarning[] = [];
		if (Math.min(bitmap.width, bitmap.height) < SMALL_SIDE) warnings.push('small');
		if (sharpness(bitmap) < BLUR_THRESHOLD) warnings.push('blurry');
		return { jpeg: new Uint8Array(await blob.arrayBuffer()), width, height, warnings };
	} finally {
		bitmap.close();
	}
}
