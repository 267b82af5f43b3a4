/**
 * OCR of the 個人番号 from a photo of a My Number card back, a 通知カード or a 住民票.
 *
 * The same pipeline runs in the browser (inside the OCR Worker, `worker.ts`) and in Node (tests), with self-hosted
 * tesseract assets only. It pre-fills a form: the user still confirms the digits, and the handler compares them
 * with the document (DOMAIN.md §2, §10.3).
 *
 * Pipeline: decode → greyscale → tesseract passes (see {@link PASSES}) → 12-digit readings → decision
 * (`extract.ts`). Importing this module loads neither Svelte, Dexie nor tRPC.
 *
 * @module
 */
import { decodeImage } from './decode';
import { recognizeLines, type PageSegMode } from './engine';
import { decide, findReadings, type Reading } from './extract';
import { encodePgm, preprocess } from './preprocess';

export { terminateOcr } from './engine';

/** The result of {@link readMyNumber}. */
export interface OcrResult {
	/** The number, set only when exactly one distinct reading passes the check digit. */
	number: string | null;
	/** Distinct 12-digit readings, check-digit-valid ones first. Empty when nothing number-like was read. */
	candidates: string[];
}

/**
 * The recognition passes, in order. `prepared` = scaled to a 2000 px long side with ruled lines erased
 * (`preprocess.ts`); `original` = the decoded picture in greyscale at its own size. PSM 11 (sparse text) suits
 * cards with scattered fields; PSM 3 and 6 rescue some hard images.
 *
 * Measured on 30 synthetic photos (cards, 通知カード, 住民票 tables; ±5° tilt, perspective, shading, blur, noise,
 * JPEG): prepared/11 alone read 29/30 exactly, original/11 27/30, prepared/3 23/30, and this cascade 29/30 with
 * 2.1 passes on average. On 60 much harder ones (8–15 px digits, heavy blur) the cascade read 41/60 (3.4 passes)
 * against 34/60 for prepared/11 alone. It never set a wrong `number` on either set; misses gave `number: null`.
 */
export const PASSES: readonly { image: 'prepared' | 'original'; psm: PageSegMode }[] = [
	{ image: 'prepared', psm: '11' },
	{ image: 'original', psm: '11' },
	{ image: 'prepared', psm: '3' },
	{ image: 'original', psm: '3' },
	{ image: 'prepared', psm: '6' },
	{ image: 'original', psm: '6' }
];

/**
 * The first two passes always run and their readings are merged, so that one misread which happens to pass the
 * check digit (about 1 in 11 misreads does) meets a second opinion and yields `number: null` with both candidates
 * instead of a confident wrong number; a 住民票 listing two people also shows both. Later passes run only while
 * no reading passes.
 */
const MIN_PASSES = 2;

let queue: Promise<unknown> = Promise.resolve();

/** Runs `task` after every earlier one: the shared tesseract worker takes parameters per pass, so reads must not interleave. */
function serialised<T>(task: () => Promise<T>): Promise<T> {
	const run = queue.then(task, task);
	queue = run.catch(() => undefined);
	return run;
}

async function read(image: Uint8Array): Promise<OcrResult> {
	const grey = await decodeImage(image); // also rejects what is not an image before tesseract sees it
	// Both as PGM, so tesseract never decodes the upload itself: any format the browser can decode works, and the
	// EXIF orientation has been applied once, the same way in both passes.
	let prepared: Uint8Array | null = null;
	let original: Uint8Array | null = null;
	const readings: Reading[] = [];
	for (let i = 0; i < PASSES.length; i++) {
		if (i >= MIN_PASSES && readings.some((r) => r.valid)) break;
		const pass = PASSES[i]!;
		const input = pass.image === 'prepared' ? (prepared ??= encodePgm(preprocess(grey))) : (original ??= encodePgm(grey));
		readings.push(...findReadings(await recognizeLines(input, pass.psm)));
	}
	const { number, candidates } = decide(readings);
	return { number, candidates };
}

/**
 * Reads the 個人番号 from a PNG or JPEG photo (in the browser, any format `createImageBitmap` decodes).
 *
 * `number` is set only when exactly one distinct 12-digit reading passes the check digit; otherwise it is null and
 * `candidates` lists what was read (valid first) for the user to choose from or correct. The first call starts the
 * tesseract worker (0.4–1.3 s in Node on 2 cores); later calls reuse it until {@link terminateOcr}.
 * Calls are queued, never run in parallel.
 *
 * @throws Error when the bytes are not a decodable image, or the OCR assets cannot be loaded.
 */
export function readMyNumber(image: Uint8Array): Promise<OcrResult> {
	return serialised(() => read(image));
}
