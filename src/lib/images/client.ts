/**
 * The page's side of the photo Worker (`worker.ts`).
 *
 * @module
 */
import { workerClient } from '$lib/workers/rpc';
import type { PrepareErrorCode, PrepareResponse, PreparedMessage } from './protocol';

export class PhotoError extends Error {
	constructor(readonly code: PrepareErrorCode) {
		super(`photo not usable: ${code}`);
		this.name = 'PhotoError';
	}
}

const call = workerClient<PrepareResponse, PreparedMessage>(
	() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
	(reply) => (reply.type === 'prepared' ? reply : new PhotoError(reply.code)),
	() => new PhotoError('decode')
);

/**
 * Decodes, downscales (≤ 2000 px) and re-encodes a picked or captured photo as a metadata-free JPEG.
 * @throws PhotoError with a code the UI explains (HEIC, unsupported, too large, undecodable).
 */
export async function preparePhoto(file: Blob): Promise<PreparedMessage> {
	const bytes = new Uint8Array(await file.arrayBuffer());
	return call({ type: 'prepare', file: bytes }, [bytes.buffer]);
}
