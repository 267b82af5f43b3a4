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
 * Waits for the session; sends anyone who is not a signed-in handler to the sign-in page, and a
 * handler who still has the password an administrator chose to the password page (the server
 * refuses them everything else until then).
 * @param opts.passwordPage - set by the password page itself, which such a handler may see.
 * @returns the handler, or null while redirecting (or when the API is unreachable: `session.error`).
 */
export async function requireHandler(opts: { passwordPage?: boolean } = {}): Promise<HandlerMe | null> {
	const me = await session.ready();
	if (me?.kind === 'handler') {
		if (!me.user.mustChangePassword || opts.passwordPage) return me;
		await goto(passwordChangeUrl(here()), { replaceState: true });
		return null;
	}
	if (!session.error) await goto(`/login?next=${encodeURIComponent(here())}`, { replaceState: true });
	return null;
}

/** The password page, returning to `next` (a path on this origin) once the password is changed. */
export function passwordChangeUrl(next?: string): string {
	return next ? `/password?next=${encodeURIComponent(next)}` : '/password';
}

/** Waits for the session; returns the employee, or null (the page explains how to join). */
export async function requireEmployee(): Promise<EmployeeMe | null> {
	const me = await session.ready();
	return me?.kind === 'employee' ? me : null;
}
