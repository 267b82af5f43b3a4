/**
 * The browser's tRPC client and its single error boundary.
 *
 * Every call is a POST (`methodOverride`), so no input ever lands in a URL, a proxy log or the
 * browser history. JSON inputs go through `httpBatchLink`; binary inputs (the sealed record) go
 * through `httpLink` as `application/octet-stream`, with their metadata in the `x-upload-meta` header
 * (STACK.md §4.5).
 */
import {
	createTRPCClient,
	httpBatchLink,
	httpLink,
	isNonJsonSerializable,
	splitLink,
	TRPCClientError,
	type HTTPHeaders
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/api/root';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import type { UploadFailure, UploadMeta } from '$lib/outbox/types';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

const url = '/trpc';

/** Lets the server answer errors in the language on screen. */
function commonHeaders(): HTTPHeaders {
	return { 'x-mnv-lang': getLocale() };
}

function base64UrlJson(value: unknown): string {
	const bytes = new TextEncoder().encode(JSON.stringify(value));
	let binary = '';
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export const api = createTRPCClient<AppRouter>({
	links: [
		splitLink({
			condition: (op) => isNonJsonSerializable(op.input),
			true: httpLink({
				url,
				methodOverride: 'POST',
				headers: ({ op }) => {
					const meta = op.context.uploadMeta as UploadMeta | undefined;
					return meta ? { ...commonHeaders(), 'x-upload-meta': base64UrlJson(meta) } : commonHeaders();
				}
			}),
			false: httpBatchLink({ url, methodOverride: 'POST', headers: commonHeaders })
		})
	]
});

/**
 * Uploads one sealed item (photo or record) of the signed-in employee.
 * @returns the server's receipt: the SHA-256 of what it stored and when.
 * @throws TRPCClientError, e.g. 413 `upload_too_large` or 409 `epoch_outdated`.
 */
export function uploadSubmission(meta: UploadMeta, sealed: Uint8Array) {
	return api.submission.upload.mutate(sealed, { context: { uploadMeta: meta } });
}

/** What the outbox should do after a failed upload: wait for the network, wait for sign-in, retry later, or give up. */
export function classifyUploadFailure(error: unknown): UploadFailure {
	if (!(error instanceof TRPCClientError)) return { kind: 'network' };
	const data: unknown = error.data;
	const status = data && typeof data === 'object' && 'httpStatus' in data ? Number(data.httpStatus) : 0;
	const code = appCodeOf(error) ?? 'unknown';
	if (!status || status >= 500) return { kind: 'network' };
	if (status === 401) return { kind: 'signed_out' };
	if (code === 'submission_images_missing' || status === 429) return { kind: 'retry', code };
	return { kind: 'permanent', code };
}

/** The server's `error.data.appCode` (e.g. `join_link_used`), if the error came from the API. */
export function appCodeOf(error: unknown): string | null {
	if (error instanceof TRPCClientError) {
		const data: unknown = error.data;
		if (data && typeof data === 'object' && 'appCode' in data && typeof data.appCode === 'string') return data.appCode;
	}
	return null;
}

/** A numeric field of `error.data`, such as `retryAfterSeconds`. */
export function errorDataNumber(error: unknown, key: string): number | null {
	if (!(error instanceof TRPCClientError)) return null;
	const data: unknown = error.data;
	if (data && typeof data === 'object' && key in data) {
		const value = (data as Record<string, unknown>)[key];
		if (typeof value === 'number' && Number.isFinite(value)) return value;
	}
	return null;
}

/**
 * The `code` of a `$lib/crypto` CryptoError. Matched by name rather than `instanceof`, so this
 * module (loaded by every page) does not pull the crypto library into pages that never use it.
 */
function cryptoErrorCode(error: unknown): string | null {
	return error instanceof Error && error.name === 'CryptoError' && 'code' in error && typeof error.code === 'string'
		? error.code
		: null;
}

/** Whether the user cancelled; such errors are not shown. */
function isAbort(error: unknown): boolean {
	return (
		(error instanceof DOMException && error.name === 'AbortError') ||
		(error instanceof TRPCClientError && error.cause instanceof DOMException && error.cause.name === 'AbortError')
	);
}

function httpStatusOf(error: TRPCClientError<AppRouter>): number | null {
	const data: unknown = error.data;
	if (data && typeof data === 'object' && 'httpStatus' in data && typeof data.httpStatus === 'number') return data.httpStatus;
	const meta = error.meta as { response?: { status?: unknown } } | undefined;
	return typeof meta?.response?.status === 'number' ? meta.response.status : null;
}

/**
 * The one UI error boundary: turns any thrown value into a message for the user, in the current
 * language. The server already translates its errors (`x-mnv-lang`); network failures, crypto
 * failures and anything unexpected get a local message. Returns '' for a cancelled request.
 * Never includes input values, so a My Number cannot reach the screen or the console this way.
 */
export function handleError(error: unknown): string {
	if (isAbort(error)) return '';
	if (error instanceof TRPCClientError) {
		const appCode = appCodeOf(error);
		if (appCode === 'rate_limited') {
			const seconds = errorDataNumber(error, 'retryAfterSeconds');
			if (seconds !== null) return m.err_rate_limited({ seconds });
		}
		if (appCode && error.message) return error.message;
		const status = httpStatusOf(error);
		if (status === 413) return m.err_too_large();
		if (status !== null && status >= 500) return m.err_server();
		// No tRPC body: the request never reached the API (offline, proxy, reset connection).
		return navigator.onLine ? m.err_network() : m.err_offline();
	}
	const cryptoCode = cryptoErrorCode(error);
	if (cryptoCode !== null) {
		if (cryptoCode === 'wrong_passphrase') return m.err_wrong_passphrase();
		console.error('crypto error', cryptoCode);
		return m.err_crypto();
	}
	console.error(error);
	return m.err_unexpected();
}
