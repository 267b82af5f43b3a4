/**
 * The outbox's upload contract, apart from Dexie so the API client can name it without loading IndexedDB code.
 *
 * @module
 */

/** Upload metadata, as `submission.upload` reads it from `x-upload-meta`. */
export type UploadMeta =
	| { kind: 'image'; submissionId: string; epoch: number; itemIndex: number; device?: string }
	| { kind: 'record' | 'decline'; submissionId: string; epoch: number; images: string[]; supersedes?: string; device?: string };

/** What the uploader reports for a failed attempt. */
export type UploadFailure =
	| { kind: 'network' } // offline, server down, connection reset: retry later
	| { kind: 'signed_out' } // 401: retry once the employee signs in again
	| { kind: 'retry'; code: string } // the server wants another try later (e.g. photos not there yet)
	| { kind: 'permanent'; code: string }; // refused for good

export class UploadError extends Error {
	constructor(readonly failure: UploadFailure) {
		super(`upload failed: ${failure.kind}`);
		this.name = 'UploadError';
	}
}

export type Uploader = (meta: UploadMeta, bytes: Uint8Array) => Promise<{ sha256: string }>;


/** The Background Sync tag the page registers and the service worker answers (`./sync.ts`). */
export const SYNC_TAG = 'mnv-outbox';
/** What the service worker posts to open pages after it sent something. */
export const SYNC_MESSAGE = 'mnv-outbox-synced';
