import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadline, ExpiryWatch, extendable, fromServer, msUntilChange, noteActivity, phaseAt, TOUCH_GRACE_MS, WARN_BEFORE_MS, type ExpiryPhase, type SessionClock } from './expiry';

const MIN = 60_000;
const T0 = Date.parse('2025-04-01T09:00:00Z');

/** A handler's session: 12 h absolute, 60 min idle, last seen at T0. */
const handler = (): SessionClock => ({ endsAt: T0 + 12 * 60 * MIN, idleMs: 60 * MIN, lastSeenAt: T0 });

describe('fromServer', () => {
	it('moves the server times onto this browser clock', () => {
		// The browser runs 90 s ahead of the server.
		const clock = fromServer(
			{ expiresAt: '2025-04-01T21:00:00.000Z', idleSeconds: 3600, idleExpiresAt: '2025-04-01T10:00:00.000Z', now: '2025-04-01T09:00:00.000Z' },
			T0 + 90_000
		);
		expect(clock).toEqual({ endsAt: T0 + 12 * 60 * MIN + 90_000, idleMs: 60 * MIN, lastSeenAt: T0 + 90_000 });
		expect(deadline(clock)).toBe(T0 + 60 * MIN + 90_000);
	});

	it('has no idle limit for an employee', () => {
		const clock = fromServer({ expiresAt: '2025-04-08T09:00:00.000Z', idleSeconds: null, idleExpiresAt: null, now: '2025-04-01T09:00:00.000Z' }, T0);
		expect(clock.idleMs).toBeNull();
		expect(deadline(clock)).toBe(T0 + 7 * 24 * 60 * MIN);
		expect(extendable(clock)).toBe(false);
	});
});

describe('deadline and phases', () => {
	it('ends at the idle limit while it comes first, then at the absolute one', () => {
		expect(deadline(handler())).toBe(T0 + 60 * MIN);
		expect(extendable(handler())).toBe(true);
		const late = { ...handler(), lastSeenAt: T0 + 11.5 * 60 * MIN };
		expect(deadline(late)).toBe(T0 + 12 * 60 * MIN);
		expect(extendable(late)).toBe(false);
	});

	it('warns five minutes before the end and expires at it', () => {
		const clock = handler();
		expect(phaseAt(clock, T0)).toBe('active');
		expect(phaseAt(clock, T0 + 55 * MIN - 1)).toBe('active');
		expect(phaseAt(clock, T0 + 55 * MIN)).toBe('warning');
		expect(phaseAt(clock, T0 + 60 * MIN)).toBe('expired');
		expect(msUntilChange(clock, T0)).toBe(55 * MIN);
		expect(msUntilChange(clock, T0 + 56 * MIN)).toBe(4 * MIN);
		expect(msUntilChange(clock, T0 + 61 * MIN)).toBeNull();
		expect(WARN_BEFORE_MS).toBe(5 * MIN);
	});

	it('counts a request as activity no later than the server may have recorded it', () => {
		const clock = noteActivity(handler(), T0 + 30 * MIN);
		expect(clock.lastSeenAt).toBe(T0 + 30 * MIN - TOUCH_GRACE_MS);
		// An older request never moves it back.
		expect(noteActivity(clock, T0 + 10 * MIN).lastSeenAt).toBe(clock.lastSeenAt);
		const employee: SessionClock = { endsAt: T0 + MIN, idleMs: null, lastSeenAt: null };
		expect(noteActivity(employee, T0 + 5 * MIN)).toBe(employee);
	});
});

describe('ExpiryWatch', () => {
	beforeEach(() => {
		vi.useFakeTimers();
		vi.setSystemTime(T0);
	});
	afterEach(() => vi.useRealTimers());

	function watch() {
		const phases: ExpiryPhase[] = [];
		const w = new ExpiryWatch((phase) => phases.push(phase));
		return { w, phases };
	}

	it('reports active, then the warning, then the end, on time', () => {
		const { w, phases } = watch();
		w.set(handler());
		expect(phases).toEqual(['active']);
		vi.advanceTimersByTime(55 * MIN - 1_000);
		expect(phases).toEqual(['active']);
		vi.advanceTimersByTime(2_000);
		expect(phases).toEqual(['active', 'warning']);
		vi.advanceTimersByTime(5 * MIN);
		expect(phases).toEqual(['active', 'warning', 'expired']);
		// Nothing more is scheduled once it ended.
		expect(vi.getTimerCount()).toBe(0);
	});

	it('goes back to active when a request succeeds during the warning', () => {
		const { w, phases } = watch();
		w.set(handler());
		vi.advanceTimersByTime(56 * MIN);
		expect(phases.at(-1)).toBe('warning');
		// Counted from a minute before the request (T0 + 55 min): the new end is T0 + 115 min.
		w.activity();
		expect(phases.at(-1)).toBe('active');
		vi.advanceTimersByTime(50 * MIN);
		expect(phases.at(-1)).toBe('active');
		vi.advanceTimersByTime(5 * MIN);
		expect(phases.at(-1)).toBe('warning');
		expect(deadline(w.clock!)).toBe(T0 + 115 * MIN);
	});

	it('takes a fresh clock from the server (stay signed in)', () => {
		const { w, phases } = watch();
		w.set(handler());
		vi.advanceTimersByTime(57 * MIN);
		expect(phases.at(-1)).toBe('warning');
		w.set({ ...handler(), lastSeenAt: Date.now() });
		expect(phases.at(-1)).toBe('active');
		expect(deadline(w.clock!)).toBe(T0 + 117 * MIN);
	});

	it('never revives an expired session from activity alone, but ends one the server refused', () => {
		const { w, phases } = watch();
		w.set(handler());
		vi.advanceTimersByTime(61 * MIN);
		expect(phases.at(-1)).toBe('expired');
		w.activity();
		expect(phases.at(-1)).toBe('expired');

		const second = watch();
		second.w.set({ ...handler(), lastSeenAt: Date.now() });
		second.w.ended();
		expect(second.phases).toEqual(['active', 'expired']);
	});

	it('corrects itself after a sleep longer than its timer (wall clock jumps)', () => {
		const { w, phases } = watch();
		w.set(handler());
		// The machine sleeps: the clock jumps past the end while no timer fired.
		vi.setSystemTime(T0 + 90 * MIN);
		w.check();
		expect(phases).toEqual(['active', 'expired']);
	});

	it('stops cleanly', () => {
		const { w, phases } = watch();
		w.set(handler());
		w.stop();
		expect(vi.getTimerCount()).toBe(0);
		vi.advanceTimersByTime(120 * MIN);
		expect(phases).toEqual(['active']);
	});
});
