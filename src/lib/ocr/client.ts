/**
 * The page's side of the OCR Worker (`worker.ts`): tesseract and its self-hosted assets load only
 * when the first read is asked for.
 *
 * @module
 */
import { workerClient } from '$lib/workers/rpc';
import type { OcrResponse } from './protocol';

/** What a read found (the same shape as `readMyNumber`'s result). */
export interface OcrResult {
	number: string | null;
	candidates: string[];
}

const call = workerClient<OcrResponse, OcrResult>(
	() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
	(reply) => (reply.type === 'result' ? { number: reply.number, candidates: reply.candidates } : new Error(reply.message)),
	() => new Error('OCR worker failed')
);

/**
 * Reads the 個人番号 from a photo in the OCR Worker. The bytes are copied, so the caller keeps its photo.
 * @returns `number` only when exactly one reading passes the check digit; `candidates` otherwise.
 */
export function readNumberInWorker(image: Uint8Array): Promise<OcrResult> {
	const copy = image.slice();
	return call({ type: 'read', image: copy }, [copy.buffer]);
}
