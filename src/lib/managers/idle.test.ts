import { describe, expect, it } from 'vitest';
import { IdlePolicy } from './idle';

const MIN = 60_000;

describe('idle lock policy', () => {
	it('expires after the timeout without activity, and activity postpones it', () => {
		let t = 0;
		const idle = new IdlePolicy(10 * MIN, () => t);
		t = 9 * MIN;
		expect(idle.expired()).toBe(false);
		idle.activity();
		t = 18 * MIN;
		expect(idle.expired()).toBe(false);
		t = 19 * MIN + 1;
		expect(idle.expired()).toBe(true);
	});

	it('locks on return when the tab was hidden longer than the timeout, even with recent activity before', () => {
		let t = 0;
		const idle = new IdlePolicy(10 * MIN, () => t);
		expect(idle.visibility(true)).toBe(false);
		t = 5 * MIN;
		expect(idle.visibility(false)).toBe(false); // back after 5 min: keep
		idle.activity();
		expect(idle.visibility(true)).toBe(false);
		t += 10 * MIN + 1;
		expect(idle.visibility(false)).toBe(true);
	});

	it('follows a changed timeout', () => {
		let t = 0;
		const idle = new IdlePolicy(10 * MIN, () => t);
		idle.timeoutMs = 2 * MIN;
		t = 2 * MIN + 1;
		expect(idle.expired()).toBe(true);
	});
});
