/**
 * Decodes a PNG or JPEG into greyscale pixels, upright. The only environment-specific step of the OCR pipeline:
 *
 * - Browser (window or Worker): `createImageBitmap` + `OffscreenCanvas`. `createImageBitmap` already applies the
 *   EXIF orientation of phone photos (`imageOrientation: 'from-image'`).
 * - Node (tests, scripts): `pngjs` / `jpeg-js` (devDependencies), loaded lazily through a computed specifier so the
 *   browser bundle never contains them. jpeg-js ignores EXIF, so the orientation is applied here.
 *
 * @module
 */
import { greyFromRgba, type GreyImage } from './preprocess';

/** True when running under Node.js rather than in a browser window or Worker. */
export function isNode(): boolean {
	return (
		typeof process !== 'undefined' &&
		typeof process.versions?.node === 'string' &&
		typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined' &&
		typeof (globalThis as { document?: unknown }).document === 'undefined'
	);
}

const isPng = (b: Uint8Array): boolean => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b[0] === 0xff && b[1] === 0xd8;

/**
 * The EXIF orientation (1–8) of a JPEG, 1 when absent or unreadable. Only APP1 "Exif" and IFD0 tag 0x0112 are read.
 */
export function exifOrientation(jpeg: Uint8Array): number {
	const view = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
	if (!isJpeg(jpeg)) return 1;
	let at = 2;
	while (at + 4 <= jpeg.length) {
		if (jpeg[at] !== 0xff) return 1;
		const marker = jpeg[at + 1]!;
		if (marker === 0xda || marker === 0xd9) return 1; // image data starts: no EXIF before it
		const size = view.getUint16(at + 2);
		const body = at + 4;
		if (marker === 0xe1 && size >= 16 && String.fromCharCode(...jpeg.subarray(body, body + 4)) === 'Exif') {
			const tiff = body + 6;
			if (tiff + 8 > jpeg.length) return 1;
			const little = jpeg[tiff] === 0x49; // "II" little-endian, "MM" big-endian
			const u16 = (o: number): number => view.getUint16(o, little);
			const ifd = tiff + view.getUint32(tiff + 4, little);
			if (ifd + 2 > jpeg.length) return 1;
			const count = u16(ifd);
			for (let i = 0; i < count; i++) {
				const entry = ifd + 2 + i * 12;
				if (entry + 12 > jpeg.length) return 1;
				if (u16(entry) === 0x0112) {
					const o = u16(entry + 8);
					return o >= 1 && o <= 8 ? o : 1;
				}
			}
			return 1;
		}
		at = body + size - 2;
	}
	return 1;
}

/** Applies an EXIF orientation (1–8) so the image is upright. */
export function applyOrientation(img: GreyImage, orientation: number): GreyImage {
	if (orientation <= 1 || orientation > 8) return img;
	const { width: w, height: h, data } = img;
	const swap = orientation >= 5;
	const W = swap ? h : w;
	const H = swap ? w : h;
	const out = new Uint8Array(w * h);
	for (let y = 0; y < h; y++) {
		for (let x = 0; x < w; x++) {
			let nx: number;
			let ny: number;
			switch (orientation) {
				case 2: [nx, ny] = [w - 1 - x, y]; break;
				case 3: [nx, ny] = [w - 1 - x, h - 1 - y]; break;
				case 4: [nx, ny] = [x, h - 1 - y]; break;
				case 5: [nx, ny] = [y, x]; break;
				case 6: [nx, ny] = [h - 1 - y, x]; break;
				case 7: [nx, ny] = [h - 1 - y, w - 1 - x]; break;
				default: [nx, ny] = [y, w - 1 - x]; // 8
			}
			out[ny * W + nx] = data[y * w + x]!;
		}
	}
	return { width: W, height: H, data: out };
}

// Computed so that bundlers leave these Node-only modules out of the browser build.
const nodeOnly = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

async function decodeInNode(bytes: Uint8Array): Promise<GreyImage> {
	if (isPng(bytes)) {
		const { PNG } = (await nodeOnly('pngjs')) as typeof import('pngjs');
		const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
		return greyFromRgba(png.data, png.width, png.height);
	}
	if (isJpeg(bytes)) {
		const jpeg = (await nodeOnly('jpeg-js')) as typeof import('jpeg-js');
		const decode = jpeg.decode ?? (jpeg as unknown as { default: typeof import('jpeg-js') }).default.decode;
		const raw = decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 50 });
		return applyOrientation(greyFromRgba(raw.data, raw.width, raw.height), exifOrientation(bytes));
	}
	throw new Error('unsupported image format (expected PNG or JPEG)');
}

async function decodeInBrowser(bytes: Uint8Array): Promise<GreyImage> {
	const bitmap = await createImageBitmap(new Blob([bytes as BlobPart]), { imageOrientation: 'from-image' });
	try {
		const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
		const ctx = canvas.getContext('2d', { willReadFrequently: true });
		if (!ctx) throw new Error('no 2d context');
		ctx.drawImage(bitmap, 0, 0);
		const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
		return greyFromRgba(data, bitmap.width, bitmap.height);
	} finally {
		bitmap.close();
	}
}

/** Decodes PNG or JPEG bytes (any format the browser can decode, in the browser) into upright greyscale pixels. */
export function decodeImage(bytes: Uint8Array): Promise<GreyImage> {
	return isNode() ? decodeInNode(bytes) : decodeInBrowser(bytes);
}
