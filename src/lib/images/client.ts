/**
 * The page's side of the photo Worker: one Worker, started on first use, with requests paired to
 * replies by id.
 *
 * @module
 */
import type { PrepareErrorCode, PrepareResponse, PreparedMessage } from './protocol';

export class PhotoError extends Error {
	constructor(readonly code: PrepareErrorCode) {
		super(`photo not usable: ${code}`);
		this.name = 'PhotoError';
	}
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (m: PreparedMessage) => void; reject: (e: Error) => void }>();

function start(): Worker {
	if (worker) return worker;
	worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
	worker.onmessage = (event: MessageEvent<PrepareResponse>) => {
		const reply = event.data;
		const waiter = pending.get(reply.id);
		if (!waiter) return;
		pending.delete(reply.id);
		if (reply.type === 'prepared') waiter.resolve(reply);
		else waiter.reject(new PhotoError(reply.code));
	};
	worker.onerror = () => {
		for (const w of pending.values()) w.reject(new PhotoError('decode'));
		pending.clear();
		worker?.terminate();
		worker = null;
	};
	return worker;
}

/**
 * Decodes, downscales (≤ 2000 px) and re-encodes a picked or captured photo as a metadata-free JPEG.
 * @throws PhotoError with a code the UI explains (HEIC, unsupported, too large, undecodable).
 */
export async function preparePhoto(file: Blob): Promise<PreparedMessage> {
	const bytes = new Uint8Array(await file.arrayBuffer());
	const id = nextId++;
	return new Promise((resolve, reject) => {
		pending.set(id, { resolve, reject });
		start().postMessage({ id, type: 'prepare', file: bytes }, [bytes.buffer]);
	});
}
