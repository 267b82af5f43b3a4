/**
 * The page's side of the OCR Worker (`worker.ts`): started on first use (tesseract and its
 * self-hosted assets load only then), requests paired with replies by id.
 *
 * @module
 */
import type { OcrResponse } from './protocol';

/** What a read found (the same shape as `readMyNumber`'s result). */
export interface OcrResult {
	number: string | null;
	candidates: string[];
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (r: OcrResult) => void; reject: (e: Error) => void }>();

function start(): Worker {
	if (worker) return worker;
	worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
	worker.onmessage = (event: MessageEvent<OcrResponse>) => {
		const reply = event.data;
		const waiter = pending.get(reply.id);
		if (!waiter) return;
		pending.delete(reply.id);
		if (reply.type === 'result') waiter.resolve({ number: reply.number, candidates: reply.candidates });
		else waiter.reject(new Error(reply.message));
	};
	worker.onerror = () => {
		for (const w of pending.values()) w.reject(new Error('OCR worker failed'));
		pending.clear();
		worker?.terminate();
		worker = null;
	};
	return worker;
}

/**
 * Reads the 個人番号 from a photo in the OCR Worker. The bytes are copied, so the caller keeps its photo.
 * @returns `number` only when exactly one reading passes the check digit; `candidates` otherwise.
 */
export function readNumberInWorker(image: Uint8Array): Promise<OcrResult> {
	const copy = image.slice();
	const id = nextId++;
	return new Promise((resolve, reject) => {
		pending.set(id, { resolve, reject });
		start().postMessage({ id, type: 'read', image: copy }, [copy.buffer]);
	});
}
