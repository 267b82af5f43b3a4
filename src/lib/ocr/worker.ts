/**
 * The OCR Web Worker: answers {@link OcrRequest}s with `readMyNumber`, off the main thread.
 *
 * Start it from the page with Vite's worker syntax (module worker), for example:
 *
 * ```ts
 * const worker = new Worker(new URL('$lib/ocr/worker.ts', import.meta.url), { type: 'module' });
 * worker.postMessage({ id: 1, type: 'read', image } satisfies OcrRequest, [image.buffer]);
 * ```
 *
 * tesseract.js starts its own nested Worker from here (a blob: URL that imports `/tesseract/worker.min.js`). Verified
 * in headless Chromium with Vite builds in both worker formats (module, and the default classic) under a CSP of
 * `script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:`, with no request leaving the origin. Results never
 * leave this Worker except as the reply to the page that asked.
 *
 * @module
 */
import { readMyNumber } from './index';
import { isOcrRequest, type OcrRequest, type OcrResponse } from './protocol';

/** The parts of `DedicatedWorkerGlobalScope` we use (the project's TS lib is DOM, not WebWorker). */
interface WorkerScope {
	onmessage: ((event: MessageEvent<unknown>) => void) | null;
	postMessage(message: OcrResponse): void;
}

const scope = globalThis as unknown as WorkerScope;

/** Handles one message; exported for tests, which call it without a real Worker. */
export async function handleMessage(data: unknown, reply: (message: OcrResponse) => void): Promise<void> {
	if (!isOcrRequest(data)) {
		const id = typeof (data as { id?: unknown } | null)?.id === 'number' ? (data as OcrRequest).id : -1;
		reply({ id, type: 'error', message: 'malformed OCR request' });
		return;
	}
	try {
		const { number, candidates } = await readMyNumber(data.image);
		reply({ id: data.id, type: 'result', number, candidates });
	} catch (e) {
		// Error texts come from decoding or tesseract, never from the digits: safe to pass on.
		reply({ id: data.id, type: 'error', message: e instanceof Error ? e.message : String(e) });
	}
}

// Only inside a real Worker: importing this module elsewhere (tests) must not claim the global onmessage.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
	scope.onmessage = (event) => void handleMessage(event.data, (m) => scope.postMessage(m));
}
