/**
 * Messages between the page and the OCR Worker (`worker.ts`). `id` pairs a response with its request.
 *
 * @module
 */

/** Page → Worker: read the 個人番号 from an image (PNG, JPEG, or anything `createImageBitmap` decodes). */
export interface OcrRequest {
	id: number;
	type: 'read';
	/** The image file's bytes. Transfer its buffer to avoid a copy. */
	image: Uint8Array;
}

/** Worker → page: what {@link OcrRequest} found; see `readMyNumber` for the meaning of the fields. */
export interface OcrResultMessage {
	id: number;
	type: 'result';
	number: string | null;
	candidates: string[];
}

/** Worker → page: the read failed (not an image, OCR assets missing, …). The message never contains digits read. */
export interface OcrErrorMessage {
	id: number;
	type: 'error';
	message: string;
}

/** Any message the OCR Worker sends. */
export type OcrResponse = OcrResultMessage | OcrErrorMessage;

/** Narrows an unknown message to a well-formed {@link OcrRequest}. */
export function isOcrRequest(m: unknown): m is OcrRequest {
	if (typeof m !== 'object' || m === null) return false;
	const r = m as Partial<OcrRequest>;
	return typeof r.id === 'number' && r.type === 'read' && r.image instanceof Uint8Array;
}
