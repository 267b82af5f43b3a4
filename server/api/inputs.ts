/** Shared zod building blocks for procedure inputs. */
import { z } from 'zod';

/** base64url text (binary in JSON), bounded so a huge string is refused before decoding. */
export const b64 = (maxBytes: number) =>
	z
		.string()
		.min(1)
		.max(Math.ceil((maxBytes * 4) / 3) + 4)
		.regex(/^[A-Za-z0-9_-]+$/);

export const uuid = z.uuid();

/** Seed rule (m-collector): half-width letters, digits, hyphen and underscore. */
export const loginId = z.string().regex(/^[A-Za-z0-9_-]{3,64}$/);
export const password = z.string().min(12).max(256);
export const employeeCode = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);
/** Control characters (C0, DEL) and bidirectional embeddings, overrides and isolates: invisible, or able to reorder what a reader sees. */
export const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/** Visible single-line text without control characters. */
export const plainText = (max: number) =>
	z
		.string()
		.trim()
		.min(1)
		.max(max)
		.refine((s) => !CONTROL_OR_BIDI.test(s));

export const signedManifest = z.object({ body: z.string().min(2).max(20_000), signature: b64(128) });
export const sealedGrant = z.object({ ciphertext: b64(64 * 1024), signature: b64(128) });

export function toBytes(s: string): Uint8Array {
	return new Uint8Array(Buffer.from(s, 'base64url'));
}
export function toB64(bytes: Uint8Array): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
