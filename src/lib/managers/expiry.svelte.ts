/**
 * The session-expiry warning's state (issue: "a session-expiry warning that never loses what was
 * typed"). It follows `auth.me`'s session clock and every API answer, warns a few minutes before
 * the session ends, lets the user stay signed in (another `auth.me`, which the server counts as
 * activity) and, once it ended, waits for a sign-in in another tab. It never navigates, never
 * touches `session.me` and never clears a form: the page under it stays as it is.
 */
import { api, type RouterOutputs } from '$lib/api';
import { deadline, ExpiryWatch, extendable, fromServer, type ExpiryPhase, type ServerSessionClock } from './expiry';
import { onSessionActivity } from './session-activity';
import { join } from './join.svelte';
import { keyring } from './keyring.svelte';

type Me = RouterOutputs['auth']['me'];

/** Who a `me` answer names: a session for someone else is not this page's session back. */
function identityOf(me: Me): string | null {
	if (!me) return null;
	return me.kind === 'handler' ? `handler:${me.user.id}` : `employee:${me.employee.id}`;
}

class SessionExpiryManager {
	/** `active` also while nobody is signed in: the banner shows only for `warning` and `expired`. */
	phase = $state<ExpiryPhase>('active');
	/** When the session ends (this browser's clock), for the warning's wording. */
	endsAt = $state<number | null>(null);
	/** Whether "stay signed in" can help (the idle limit comes first) or only a new sign-in can. */
	canExtend = $state(false);
	/** Who was signed in, so the sign-in link goes to the right page. */
	kind = $state<'handler' | 'employee' | null>(null);
	busy = $state(false);
	/** After a re-check found no session (or someone else's): said next to the button. */
	stillSignedOut = $state(false);

	#identity: string | null = null;
	/** The `now` of the last server clock taken, so one answer is never counted twice. */
	#lastServerNow: string | null = null;
	#watch = new ExpiryWatch((phase, clock) => {
		this.phase = phase;
		this.endsAt = deadline(clock);
		this.canExtend = extendable(clock);
	});
	#unsubscribe: (() => void) | null = null;

	/** Follows the signed-in session (`session.me`); called whenever it changes. */
	track(me: Me): void {
		if (typeof window === 'undefined') return;
		this.#unsubscribe ??= onSessionActivity((kind, at) => {
			if (kind === 'response') this.#watch.activity(at);
			else if (this.#identity) void this.#confirmSignedOut();
		});
		const identity = identityOf(me);
		if (!me || !identity) {
			// A page learned the session is gone (an API call failed): keep saying so, with the way back.
			if (this.#identity && this.phase !== 'active') {
				this.#watch.ended();
				return;
			}
			this.clear();
			return;
		}
		const clock = me.session;
		if (clock.now === this.#lastServerNow) return;
		this.#take(identity, me.kind, clock);
	}

	/** Signed out on purpose: no warning, nothing to come back to. */
	clear(): void {
		this.#identity = null;
		this.#lastServerNow = null;
		this.kind = null;
		this.phase = 'active';
		this.endsAt = null;
		this.stillSignedOut = false;
		this.#watch.stop();
	}

	/** "Stay signed in": one `auth.me`, which the server counts as activity; its answer is the new clock. */
	async extend(): Promise<boolean> {
		return this.#recheck();
	}

	/** After signing in again elsewhere (another tab): is this page's session back? */
	async recheck(): Promise<boolean> {
		return this.#recheck();
	}

	/** Re-checks when the user comes back to this tab, if the session had ended. */
	visible(): void {
		if (this.phase === 'expired' && this.#identity && !this.busy) void this.#recheck();
		else this.#watch.check();
	}

	async #recheck(): Promise<boolean> {
		if (!this.#identity) return false;
		this.busy = true;
		try {
			const me = await api.auth.me.query();
			const identity = identityOf(me);
			if (me && identity === this.#identity) {
				this.#take(identity, me.kind, me.session);
				return true;
			}
			this.#ended();
			this.stillSignedOut = this.phase === 'expired';
			return false;
		} catch {
			// Offline or the server is down: nothing is known; the warning stays as it was.
			return false;
		} finally {
			this.busy = false;
		}
	}

	/** The server refused a call: ask `auth.me` once before saying the session ended (the refusal may be about the caller's kind). */
	async #confirmSignedOut(): Promise<void> {
		if (this.busy) return;
		try {
			const me = await api.auth.me.query();
			if (identityOf(me) !== this.#identity) this.#ended();
		} catch {
			// Unknown: the clock decides.
		}
	}

	/**
	 * The session this page knew is over. Unlocked keys go with it: another tab may have signed in as
	 * someone else, and this page must not act as them while holding the first person's keys.
	 */
	#ended(): void {
		keyring.lock();
		join.lock();
		this.#watch.ended();
	}

	#take(identity: string, kind: 'handler' | 'employee', clock: ServerSessionClock): void {
		this.#identity = identity;
		this.#lastServerNow = clock.now;
		this.kind = kind;
		this.stillSignedOut = false;
		this.#watch.set(fromServer(clock, Date.now()));
	}
}

export const sessionExpiry = new SessionExpiryManager();
