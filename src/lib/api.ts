/**
 * The browser's tRPC client and its single error boundary.
 *
 * Every call is a POST (`methodOverride`), so no input ever lands in a URL, a proxy log or the
 * browser history. Sealed uploads have their own small client (`$lib/outbox/client`), which the
 * service worker shares.
 */
import { createTRPCClient, httpBatchLink, TRPCClientError, type HTTPHeaders, type TRPCLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { reportSessionActivity } from '$lib/managers/session-activity';
import type { AppRouter } from '../../server/api/root';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

const url = '/trpc';

/** Lets the server answer errors in the language on screen. */
function commonHeaders(): HTTPHeaders {
	return { 'x-mnv-lang': getLocale() };
}

/**
 * Tells the session-expiry warning what each call showed: an answer from the server counts as
 * activity (the server moved the idle limit), `not_signed_in` means the session is gone.
 */
const sessionActivityLink: TRPCLink<AppRouter> =
	() =>
	({ next, op }) =>
		observable((observer) =>
			next(op).subscribe({
				next(value) {
					reportSessionActivity('response');
					observer.next(value);
				},
				error(error) {
					const code = appCodeOf(error);
					if (code === 'not_signed_in') reportSessionActivity('signed_out');
					else if (code) reportSessionActivity('response');
					observer.error(error);
				},
				complete() {
					observer.complete();
				}
			})
		);

export const api = createTRPCClient<AppRouter>({
	links: [sessionActivityLink, httpBatchLink({ url, methodOverride: 'POST', headers: commonHeaders })]
});

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
