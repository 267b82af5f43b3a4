/**
 * Image clean-up before OCR, as pure functions on 8-bit greyscale pixels, so Node and the browser Worker run the
 * very same code (only decoding differs, see `decode.ts`).
 *
 * Two steps, each measured on 30 synthetic photos with PSM 11 (exact reads of all 12 digits): the original file
 * 26/30, greyscale 27, scaled to a 2000 px long side 28, scaled + ruled lines erased 29. Erasing rules is what
 * makes digits inside a 住民票's table readable at all (with the rules in place tesseract skipped most cells).
 * A 3×3 median and a contrast stretch, which helped in STACK.md §4.2, cost 2–3 reads here and were left out.
 *
 * @module
 */

/** An 8-bit greyscale image, row-major, one byte per pixel (0 = black). */
export interface GreyImage {
	width: number;
	height: number;
	data: Uint8Array;
}

/** The longer side, in pixels, that images are scaled to: digits then stand 40–80 px tall on a card photo. */
export const TARGET_LONG_SIDE = 2000;

/** RGBA (straight alpha) to luma (BT.601), transparent pixels composited over white. */
export function greyFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GreyImage {
	const data = new Uint8Array(width * height);
	for (let i = 0, p = 0; i < data.length; i++, p += 4) {
		const y = (77 * rgba[p]! + 150 * rgba[p + 1]! + 29 * rgba[p + 2]!) >> 8;
		const a = rgba[p + 3]!;
		data[i] = a === 255 ? y : (y * a + 255 * (255 - a)) / 255;
	}
	return { width, height, data };
}

/** Scales by `scale`: bilinear when enlarging, box (area) averaging when shrinking. */
export function resize(img: GreyImage, scale: number): GreyImage {
	const width = Math.max(1, Math.round(img.width * scale));
	const height = Math.max(1, Math.round(img.height * scale));
	if (width === img.width && height === img.height) return img;
	const out = new Uint8Array(width * height);
	const src = img.data;
	const sx = img.width / width;
	const sy = img.height / height;
	if (scale >= 1) {
		for (let y = 0; y < height; y++) {
			const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
			const y0 = Math.floor(fy);
			const y1 = Math.min(y0 + 1, img.height - 1);
			const wy = fy - y0;
			for (let x = 0; x < width; x++) {
				const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
				const x0 = Math.floor(fx);
				const x1 = Math.min(x0 + 1, img.width - 1);
				const wx = fx - x0;
				const top = src[y0 * img.width + x0]! * (1 - wx) + src[y0 * img.width + x1]! * wx;
				const bottom = src[y1 * img.width + x0]! * (1 - wx) + src[y1 * img.width + x1]! * wx;
				out[y * width + x] = top * (1 - wy) + bottom * wy + 0.5;
			}
		}
	} else {
		for (let y = 0; y < height; y++) {
			const ya = Math.floor(y * sy);
			const yb = Math.max(ya + 1, Math.floor((y + 1) * sy));
			for (let x = 0; x < width; x++) {
				const xa = Math.floor(x * sx);
				const xb = Math.max(xa + 1, Math.floor((x + 1) * sx));
				let sum = 0;
				for (let yy = ya; yy < yb; yy++) for (let xx = xa; xx < xb; xx++) sum += src[yy * img.width + xx]!;
				out[y * width + x] = sum / ((yb - ya) * (xb - xa)) + 0.5;
			}
		}
	}
	return { width, height, data: out };
}

/**
 * Marks ink: pixels clearly darker than the mean of their neighbourhood (a `radius`-pixel box, via an integral
 * image). Unlike one global threshold this survives shading and a dark table top around the document.
 */
export function inkMask(img: GreyImage, radius = 15, offset = 12): Uint8Array {
	const { width: w, height: h, data } = img;
	const stride = w + 1;
	const integral = new Float64Array(stride * (h + 1));
	for (let y = 0; y < h; y++) {
		let row = 0;
		for (let x = 0; x < w; x++) {
			row += data[y * w + x]!;
			integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1]! + row;
		}
	}
	const mask = new Uint8Array(w * h);
	for (let y = 0; y < h; y++) {
		const y0 = Math.max(0, y - radius);
		const y1 = Math.min(h, y + radius + 1);
		for (let x = 0; x < w; x++) {
			const x0 = Math.max(0, x - radius);
			const x1 = Math.min(w, x + radius + 1);
			const sum = integral[y1 * stride + x1]! - integral[y0 * stride + x1]! - integral[y1 * stride + x0]! + integral[y0 * stride + x0]!;
			const mean = sum / ((y1 - y0) * (x1 - x0));
			mask[y * w + x] = data[y * w + x]! < mean - offset ? 1 : 0;
		}
	}
	return mask;
}

/**
 * Paints ruled lines white: dark runs at least `fraction` of the image's longer side long, horizontal or vertical.
 * A run may wander by a pixel across its direction, so slightly tilted or broken rules are caught as well. Strokes
 * of characters are far shorter than that (a "1" of the large card digits is under 5 %), so text survives.
 */
export function removeRules(img: GreyImage, fraction = 0.12): GreyImage {
	const { width: w, height: h } = img;
	const n = w * h;
	const min = Math.max(40, Math.round(Math.max(w, h) * fraction));
	const dark = inkMask(img);
	// Dilated by one pixel across the run direction: vertically for horizontal rules and vice versa.
	const acrossRows = new Uint8Array(n);
	const acrossCols = new Uint8Array(n);
	for (let y = 0; y < h; y++) {
		for (let x = 0; x < w; x++) {
			const i = y * w + x;
			acrossRows[i] = dark[i]! | (y > 0 ? dark[i - w]! : 0) | (y < h - 1 ? dark[i + w]! : 0);
			acrossCols[i] = dark[i]! | (x > 0 ? dark[i - 1]! : 0) | (x < w - 1 ? dark[i + 1]! : 0);
		}
	}
	const data = img.data.slice();
	for (let y = 0; y < h; y++) {
		let start = -1;
		for (let x = 0; x <= w; x++) {
			const on = x < w && acrossRows[y * w + x] === 1;
			if (on && start < 0) start = x;
			else if (!on && start >= 0) {
				if (x - start >= min) for (let k = y * w + start; k < y * w + x; k++) if (dark[k]) data[k] = 255;
				start = -1;
			}
		}
	}
	for (let x = 0; x < w; x++) {
		let start = -1;
		for (let y = 0; y <= h; y++) {
			const on = y < h && acrossCols[y * w + x] === 1;
			if (on && start < 0) start = y;
			else if (!on && start >= 0) {
				if (y - start >= min) for (let yy = start; yy < y; yy++) if (dark[yy * w + x]) data[yy * w + x] = 255;
				start = -1;
			}
		}
	}
	return { width: w, height: h, data };
}

/** Binary PGM (P5), which tesseract's Leptonica reads directly: the cheapest lossless container to hand over. */
export function encodePgm(img: GreyImage): Uint8Array {
	const header = new TextEncoder().encode(`P5\n${img.width} ${img.height}\n255\n`);
	const out = new Uint8Array(header.length + img.data.length);
	out.set(header);
	out.set(img.data, header.length);
	return out;
}

/** The whole chain: scale towards {@link TARGET_LONG_SIDE}, then erase ruled lines. */
export function preprocess(img: GreyImage): GreyImage {
	const scale = Math.min(3, Math.max(0.25, TARGET_LONG_SIDE / Math.max(img.width, img.height)));
	return removeRules(resize(img, scale));
}
