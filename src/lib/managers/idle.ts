/**
 * @module When unlocked keys must be forgotten (issue 3 item 9; CRYPTO.md idle timeout): after
 * `timeoutMs` without a key press, click or touch, and when the tab comes back after being hidden
 * for longer than that (background tabs' timers may be throttled to once a minute or stopped, so the
 * return is checked explicitly). Pure: the clock is injected, so tests need no fake timers.
 */

/** The organisation default when none is known yet. */
export const DEFAULT_IDLE_LOCK_MINUTES = 10;

export class IdlePolicy {
	#lastActivity: number;
	#hiddenSince: number | null = null;

	constructor(
		public timeoutMs: number,
		private readonly now: () => number = Date.now
	) {
		this.#lastActivity = now();
	}

	/** A key press, click or touch. */
	activity(): void {
		this.#lastActivity = this.now();
	}

	/** The page's visibility changed; returns true when the keys must be locked now. */
	visibility(hidden: boolean): boolean {
		if (hidden) {
			this.#hiddenSince ??= this.now();
			return false;
		}
		const since = this.#hiddenSince;
		this.#hiddenSince = null;
		return since !== null && this.now() - since > this.timeoutMs;
	}

	/** Periodic check; true when the keys must be locked now. */
	expired(): boolean {
		return this.now() - this.#lastActivity > this.timeoutMs;
	}
}
