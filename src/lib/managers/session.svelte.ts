import { api, type RouterOutputs } from '$lib/api';
import { sessionExpiry } from './expiry.svelte';
import { join } from './join.svelte';
import { keyring } from './keyring.svelte';

export type Me = RouterOutputs['auth']['me'];
export type HandlerMe = Extract<NonNullable<Me>, { kind: 'handler' }>;
export type EmployeeMe = Extract<NonNullable<Me>, { kind: 'employee' }>;

/** Who is signed in (`auth.me`). Loaded once per page load and refreshed after sign-in/out. */
class SessionManager {
	me = $state<Me>(null);
	/** True once the first `auth.me` answered (or failed). */
	loaded = $state(false);
	/** Set when `auth.me` could not be reached; pages show it instead of redirecting. */
	error = $state<unknown>(null);

	handler = $derived(this.me?.kind === 'handler' ? this.me : null);
	employee = $derived(this.me?.kind === 'employee' ? this.me : null);

	#pending: Promise<Me> | null = null;

	/** Resolves with the current session, fetching it only the first time. */
	ready(): Promise<Me> {
		return this.loaded ? Promise.resolve(this.me) : (this.#pending ??= this.refresh());
	}

	async refresh(): Promise<Me> {
		try {
			const me = await api.auth.me.query();
			this.me = me;
			this.error = null;
			// Keys unlocked by someone else must not survive a change of user.
			if (me?.kind !== 'handler' || (keyring.ownerId !== null && keyring.ownerId !== me.user.id)) keyring.lock();
			return me;
		} catch (error) {
			this.error = error;
			return this.me;
		} finally {
			this.loaded = true;
			this.#pending = null;
		}
	}

	/** Signs out on the server and wipes every key held in memory, even if the server is unreachable. */
	async logout(): Promise<void> {
		keyring.lock();
		join.lock();
		// Signed out on purpose: no "you were signed out" warning afterwards.
		sessionExpiry.clear();
		try {
			await api.auth.logout.mutate();
		} finally {
			this.me = null;
		}
	}
}

export const session = new SessionManager();
