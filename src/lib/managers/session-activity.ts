/**
 * A tiny bus between the API client and the session-expiry watch, so `$lib/api` (loaded by every
 * page) needs neither runes nor the watch itself.
 *
 * @module
 */

/** `response`: a request reached the server (which counts it as activity); `signed_out`: the server no longer knew the session. */
export type SessionActivity = 'response' | 'signed_out';

const listeners = new Set<(kind: SessionActivity, at: number) => void>();

/** Subscribes; returns the unsubscribe function. */
export function onSessionActivity(listener: (kind: SessionActivity, at: number) => void): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

/** Reports what an API call showed about the session. */
export function reportSessionActivity(kind: SessionActivity, at = Date.now()): void {
	for (const listener of listeners) listener(kind, at);
}
