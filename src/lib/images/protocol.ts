/**
 * Messages between the page and the photo Worker (`worker.ts`). `id` pairs a reply with its request.
 *
 * @module
 */

/** Page → Worker: make a photo ready to seal. Transfer `file.buffer`. */
export interface PrepareRequest {
	id: number;
	type: 'prepare';
	file: Uint8Array;
}

/** Hints for the employee; the photo is still usable. */
export type PhotoWarning = 'blurry' | 'small';

/** Worker → page: an upright JPEG, ≤ 2000 px on its long side, with no metadata (EXIF, GPS) left. */
export interface PreparedMessage {
	id: number;
	type: 'prepared';
	jpeg: Uint8Array;
	width: number;
	height: number;
	warnings: PhotoWarning[];
}

/** Why a file could not be used; the UI explains each. */
export type PrepareErrorCode = 'heic' | 'unsupported' | 'too_large' | 'decode';

export interface PrepareErrorMessage {
	id: number;
	type: 'error';
	code: PrepareErrorCode;
}

export type PrepareResponse = PreparedMessage | PrepareErrorMessage;

export function isPrepareRequest(m: unknown): m is PrepareRequest {
	if (typeof m !== 'object' || m === null) return false;
	const r = m as Partial<PrepareRequest>;
	return typeof r.id === 'number' && r.type === 'prepare' && r.file instanceof Uint8Array;
}
