/**
 * The outbox's line to the server, shared by the page and the service worker's Background Sync
 * (`./sync.ts`): framework-free, no translations, so the worker bundle stays small.
 *
 * A sealed item travels as `application/octet-stream` with its metadata in `x-upload-meta`
 * (STACK.md §4.5); every call is a POST, so nothing lands in a URL.
 *
 * @module
 */
import { createTRPCClient, httpLink, isNonJsonSerializable, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../server/api/root';
import { UploadError, type UploadFailure, type UploadMeta, type Uploader } from './types';

const url = '/trpc';

function base64UrlJson(value: unknown): string {
	const bytes = new TextEncoder().encode(JSON.stringify(value));
	let binary = '';
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** How a failed upload should be treated: retry later, wait for a sign-in, or give up. */
export function classifyUploadFailure(error: unknown): UploadFailure {
	if (!(error instanceof TRPCClientError)) return { kind: 'network' };
	const data: unknown = error.data;
	const status = data && typeof data === 'object' && 'httpStatus' in data ? Number(data.httpStatus) : 0;
	const code = data && typeof data === 'object' && 'appCode' in data && typeof data.appCode === 'string' ? data.appCode : 'unknown';
	if (!status || status >= 500) return { kind: 'network' };
	if (status === 401) return { kind: 'signed_out' };
	if (code === 'submission_images_missing' || status === 429) return { kind: 'retry', code };
	return { kind: 'permanent', code };
}

/** A tRPC client that sends binary inputs as octet streams with their metadata in `x-upload-meta`. */
function sealedUploadClient() {
	return createTRPCClient<AppRouter>({
		links: [
			splitLink({
				condition: (op) => isNonJsonSerializable(op.input),
				true: httpLink({
					url,
					methodOverride: 'POST',
					headers: ({ op }) => {
						const meta = op.context.uploadMeta as UploadMeta | undefined;
						return meta ? { 'x-upload-meta': base64UrlJson(meta) } : {};
					}
				}),
				false: httpLink({ url, methodOverride: 'POST' })
			})
		]
	});
}

/** An uploader for `Outbox.flush` and a way to learn which employee the session belongs to. */
export function createOutboxClient() {
	const client = sealedUploadClient();
	const upload: Uploader = async (meta, bytes) => {
		try {
			return await client.submission.upload.mutate(bytes, { context: { uploadMeta: meta } });
		} catch (error) {
			throw new UploadError(classifyUploadFailure(error));
		}
	};
	/** The signed-in employee's id, or null (nobody, a handler, or no network). */
	const signedInEmployee = async (): Promise<string | null> => {
		const me = await client.auth.me.query().catch(() => null);
		return me?.kind === 'employee' ? me.employee.id : null;
	};
	return { upload, signedInEmployee };
}

/**
 * Uploads the items a handler sealed on an employee's behalf (`submission.enterOnBehalf`). The desk
 * is online, so there is no outbox: failures surface to the caller as they are.
 */
export function createOnBehalfUploader(employeeId: string): Uploader {
	const client = sealedUploadClient();
	return (meta, bytes) => client.submission.enterOnBehalf.mutate(bytes, { context: { uploadMeta: { ...meta, employeeId } } });
}
