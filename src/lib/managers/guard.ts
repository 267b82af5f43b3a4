/** Page guards: where a page sends someone who may not see it. */
import { goto } from '$app/navigation';
import { session, type EmployeeMe, type HandlerMe } from './session.svelte';

/** A `next` parameter only ever leads to a path on this origin (no `//host`, no `javascript:`). */
export function safeNext(value: string | null, fallback: string): string {
	if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
	try {
		const url = new URL(value, location.origin);
		return url.origin === location.origin ? url.pathname + url.search : fallback;
	} catch {
		return fallback;
	}
}

/** The current path and query, as a `next` parameter for the sign-in page. */
export function here(): string {
	return location.pathname + location.search;
}

/**
 * Waits for the session; sends anyone who is not a signed-in handler to the sign-in page.
 * @returns the handler, or null while redirecting (or when the API is unreachable: `session.error`).
 */
export async function requireHandler(): Promise<HandlerMe | null> {
	const me = await session.ready();
	if (me?.kind === 'handler') return me;
	if (!session.error) await goto(`/login?next=${encodeURIComponent(here())}`, { replaceState: true });
	return null;
}

/** Waits for the session; returns the employee, or null (the page explains how to join). */
export async function requireEmployee(): Promise<EmployeeMe | null> {
	const me = await session.ready();
	return me?.kind === 'employee' ? me : null;
}
