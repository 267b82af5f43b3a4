/**
 * When the signed-in session ends, as the browser can tell, and when to warn about it.
 *
 * The server ends a session at an absolute limit (`expiresAt`) and, for handlers, after a period
 * without requests (`idleSeconds`, counted from the session's last-seen time, which the server
 * writes at most once a minute). `auth.me` reports both with the server's clock; this module turns
 * them into the browser's clock, moves the idle limit forward as requests succeed, and says which
 * phase the session is in. No runes and no DOM here: `expiry.svelte.ts` drives it, tests use fake timers.
 *
 * @module
 */

/** What `auth.me` reports about the session (ISO times). */
export interface ServerSessionClock {
	expiresAt: string;
	idleSeconds: number | null;
	idleExpiresAt: string | null;
	now: string;
}

/** The same, in this browser's milliseconds. */
export interface SessionClock {
	/** The absolute end: nothing short of signing in again moves it. */
	endsAt: number;
	/** Idle limit, or null when the session has none (employees). */
	idleMs: number | null;
	/** The server's last-seen time as far as this browser can be sure (never later than the real one). */
	lastSeenAt: number | null;
}

export type ExpiryPhase = 'active' | 'warning' | 'expired';

/** Warn this long before the end (long enough to finish a sentence and click). */
export const WARN_BEFORE_MS = 5 * 60_000;
/** The server writes the last-seen time at most once a minute, so a request only proves activity up to a minute earlier. */
export const TOUCH_GRACE_MS = 60_000;

/**
 * Converts the server's report to this browser's clock.
 * @param receivedAt - `Date.now()` when the answer arrived; the difference to `clock.now` is the clock skew.
 */
export function fromServer(clock: ServerSessionClock, receivedAt: number): SessionClock {
	const skew = receivedAt - Date.parse(clock.now);
	return {
		endsAt: Date.parse(clock.expiresAt) + skew,
		idleMs: clock.idleSeconds === null ? null : clock.idleSeconds * 1000,
		lastSeenAt: clock.idleExpiresAt === null || clock.idleSeconds === null ? null : Date.parse(clock.idleExpiresAt) + skew - clock.idleSeconds * 1000
	};
}

/** The moment the session ends unless something extends it. */
export function deadline(clock: SessionClock): number {
	if (clock.idleMs === null || clock.lastSeenAt === null) return clock.endsAt;
	return Math.min(clock.endsAt, clock.lastSeenAt + clock.idleMs);
}

/** Whether activity can still push the end back (the idle limit comes first), or only a new sign-in can. */
export function extendable(clock: SessionClock): boolean {
	return clock.idleMs !== null && clock.lastSeenAt !== null && clock.lastSeenAt + clock.idleMs < clock.endsAt;
}

/**
 * A request reached the server at `at` with this session: the idle limit counts from no earlier
 * than a minute before (the server may have skipped the write).
 */
export function noteActivity(clock: SessionClock, at: number): SessionClock {
	if (clock.idleMs === null || clock.lastSeenAt === null) return clock;
	return { ...clock, lastSeenAt: Math.max(clock.lastSeenAt, at - TOUCH_GRACE_MS) };
}

/** The phase at `now`. */
export function phaseAt(clock: SessionClock, now: number, warnBeforeMs = WARN_BEFORE_MS): ExpiryPhase {
	const end = deadline(clock);
	if (now >= end) return 'expired';
	return now >= end - warnBeforeMs ? 'warning' : 'active';
}

/** Milliseconds until the phase next changes, or null once expired (nothing follows). */
export function msUntilChange(clock: SessionClock, now: number, warnBeforeMs = WARN_BEFORE_MS): number | null {
	const end = deadline(clock);
	if (now >= end) return null;
	const warnAt = end - warnBeforeMs;
	return Math.max(0, (now < warnAt ? warnAt : end) - now);
}

/** Longest single wait: a laptop that slept must not keep a stale timer for hours. */
const MAX_WAIT_MS = 30_000;

/**
 * Calls `onChange` whenever the phase changes (and once when a clock is set). It re-checks at
 * least every 30 seconds, so a timer delayed by sleep or a background tab is corrected soon after;
 * `check()` re-checks at once (on `visibilitychange`).
 */
export class ExpiryWatch {
	#clock: SessionClock | null = null;
	#phase: ExpiryPhase | null = null;
	#timer: ReturnType<typeof setTimeout> | null = null;

	constructor(
		private readonly onChange: (phase: ExpiryPhase, clock: SessionClock) => void,
		private readonly warnBeforeMs = WARN_BEFORE_MS,
		private readonly now: () => number = () => Date.now()
	) {}

	/** The current clock, or null when nobody is signed in. */
	get clock(): SessionClock | null {
		return this.#clock;
	}

	/** Starts watching a (new) clock; null stops. */
	set(clock: SessionClock | null): void {
		this.#clock = clock;
		this.#phase = null;
		this.check();
	}

	/** A request succeeded with this session. Never revives an expired one (only the server can say so). */
	activity(at = this.now()): void {
		if (!this.#clock || this.#phase === 'expired') return;
		this.#clock = noteActivity(this.#clock, at);
		this.check();
	}

	/** The server refused the session: it ended, whatever the clock said. */
	ended(): void {
		if (!this.#clock) return;
		this.#clock = { ...this.#clock, endsAt: Math.min(this.#clock.endsAt, this.now()) };
		this.check();
	}

	/** Re-evaluates now and schedules the next check. */
	check(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		const clock = this.#clock;
		if (!clock) {
			this.#phase = null;
			return;
		}
		const now = this.now();
		const phase = phaseAt(clock, now, this.warnBeforeMs);
		if (phase !== this.#phase) {
			this.#phase = phase;
			this.onChange(phase, clock);
		}
		const wait = msUntilChange(clock, now, this.warnBeforeMs);
		if (wait !== null) this.#timer = setTimeout(() => this.check(), Math.min(wait + 50, MAX_WAIT_MS));
	}

	/** Stops all timers. */
	stop(): void {
		this.set(null);
	}
}
