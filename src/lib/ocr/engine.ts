/**
 * One tesseract.js worker, created on first use and reused, loading only self-hosted assets.
 *
 * - Browser (page or Worker): `/tesseract/worker.min.js`, `/tesseract/core/` and `/tesseract/lang/` on our own
 *   origin, copied there by `scripts/copy-ocr-assets.mjs` and precached by the service worker (STACK.md §4.2).
 *   tesseract.js starts its own nested Worker from a blob: URL (CSP `worker-src 'self' blob:`), and the core compiles
 *   WebAssembly (CSP `script-src … 'wasm-unsafe-eval'`; without it the start hangs, see {@link START_TIMEOUT_MS}).
 *   This also runs inside our own OCR Worker (`worker.ts`) as a nested Worker: verified in headless Chromium;
 *   Firefox and Safari 15.5+ support nested dedicated Workers too.
 * - Node: tesseract.js's Node worker thread and tesseract.js-core from node_modules, and the eng `4.0.0_best_int`
 *   traineddata from `@tesseract.js-data/eng`. Nothing is fetched from the network.
 *
 * `cacheMethod: 'none'`: the default would also copy the 3 MB traineddata into IndexedDB (browser) or the working
 * directory (Node); the service worker cache already holds it.
 *
 * @module
 */
import Tesseract from 'tesseract.js';
import { isNode } from './decode';
import type { OcrLine } from './extract';

/** Tesseract page segmentation modes used by the pipeline: 3 automatic, 6 one uniform block, 11 sparse text. */
export type PageSegMode = '3' | '6' | '11';

/**
 * The characters tesseract may output: digits, the space between groups and the hyphen. Japanese labels cannot turn
 * into letters that way, and the LSTM's choices stay among digits.
 *
 * The hyphen is there so that a postal code keeps it. Without it the LSTM still has to account for the hyphen's ink,
 * and did so with a digit: on the bench's card back (bench/ocr.ts) "〒100-0001 有効期限 2030年" came out as one
 * 7- or 8-digit group and the year — "71000001 2030" (〒 as a 7 at confidence 8–40, the hyphen merged into the next 0
 * at confidence 2–25) — an 8-4 reading that passes the check digit (with 2022 it would too), so the card's own
 * number was not filled in: the bench's two misses, clean and rotated. Allowed, the hyphen is read as one
 * (confidence 99), and the postal code stays "100-0001", off the 4-4-4 grid, or with 〒 as a 7 "7100-0001", a
 * dash-joined reading, never filled in (`extract.ts`, rule 4). On 210 generated images × 6 passes in Chromium this
 * left every read of a printed number as it was and cost no time.
 */
export const CHAR_WHITELIST = '0123456789 -';

let workerPromise: Promise<Tesseract.Worker> | null = null;

const nodeOnly = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

/** Where the language data lives in node_modules (the package has no `exports`, so its package.json resolves). */
async function nodeLangPath(): Promise<string> {
	const { createRequire } = (await nodeOnly('node:module')) as typeof import('node:module');
	const { dirname, join } = (await nodeOnly('node:path')) as typeof import('node:path');
	const require = createRequire(import.meta.url);
	return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

/** The createWorker options for the current environment. */
export async function workerOptions(): Promise<Partial<Tesseract.WorkerOptions>> {
	if (isNode()) return { langPath: await nodeLangPath(), cacheMethod: 'none', gzip: true };
	const origin = (globalThis as unknown as { location: Location }).location.origin;
	return {
		workerPath: `${origin}/tesseract/worker.min.js`,
		corePath: `${origin}/tesseract/core`, // a directory: tesseract picks the relaxedsimd / simd / plain LSTM core
		langPath: `${origin}/tesseract/lang`, // loads eng.traineddata.gz
		cacheMethod: 'none',
		gzip: true
	};
}

/** tesseract.js rejects with bare strings; callers get Errors. */
const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

async function createOcrWorker(): Promise<Tesseract.Worker> {
	const worker = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
		...(await workerOptions()),
		// Without a handler tesseract.js also *throws* each job error from its message listener, which in Node is an
		// uncaught exception; the job's promise rejects either way.
		errorHandler: () => {}
	}).catch((e: unknown) => {
		throw asError(e);
	});
	await worker.setParameters({
		tessedit_char_whitelist: CHAR_WHITELIST,
		// Without it tesseract guesses the resolution from the image and logs "Estimating resolution as …".
		user_defined_dpi: '300'
	});
	return worker;
}

/**
 * How long the worker may take to start. Offline from the precache it takes under a second; the bound exists
 * because some failures never settle: when the CSP lacks 'wasm-unsafe-eval', the core aborts inside tesseract's
 * nested Worker and `createWorker` neither resolves nor rejects (seen in Chromium).
 */
export const START_TIMEOUT_MS = 60_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(message)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The shared worker, created on first use. A failed start is forgotten, so the next call tries again. */
export function getOcrWorker(): Promise<Tesseract.Worker> {
	if (!workerPromise) {
		const starting = withTimeout(
			createOcrWorker(),
			START_TIMEOUT_MS,
			'OCR engine did not start (assets missing, or blocked by the Content-Security-Policy?)'
		);
		workerPromise = starting;
		starting.catch(() => {
			if (workerPromise === starting) workerPromise = null;
		});
	}
	return workerPromise;
}

/** Stops the shared worker and frees its memory; the next read starts a new one. Safe to call at any time. */
export async function terminateOcr(): Promise<void> {
	const pending = workerPromise;
	workerPromise = null;
	if (!pending) return;
	try {
		await (await pending).terminate();
	} catch {
		// It never started: nothing to stop.
	}
}

/** Runs one recognition and returns its lines with per-character confidences. */
export async function recognizeLines(image: Uint8Array, psm: PageSegMode): Promise<OcrLine[]> {
	const worker = await getOcrWorker();
	await worker.setParameters({ tessedit_pageseg_mode: psm as Tesseract.PSM });
	// tesseract.js types its input as Buffer/Blob/…; in both Node and the browser it accepts the bytes as they are.
	const { data } = await worker.recognize(image as unknown as Buffer, {}, { text: false, blocks: true }).catch((e: unknown) => {
		throw asError(e);
	});
	const lines: OcrLine[] = [];
	for (const block of data.blocks ?? []) {
		for (const paragraph of block.paragraphs) {
			for (const line of paragraph.lines) {
				lines.push({
					words: line.words.map((w) => ({
						text: w.text,
						symbols: w.symbols.map((s) => ({ text: s.text, confidence: s.confidence }))
					}))
				});
			}
		}
	}
	return lines;
}
