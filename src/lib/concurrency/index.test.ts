import { describe, expect, it } from 'vitest';
import { mapLimit } from './index';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('mapLimit', () => {
	it('keeps the order of the items and never runs more than the limit at once', async () => {
		let running = 0;
		let peak = 0;
		const out = await mapLimit([5, 1, 4, 2, 3, 6, 7], 3, async (n) => {
			running++;
			peak = Math.max(peak, running);
			for (let i = 0; i < n; i++) await tick();
			running--;
			return n * 10;
		});
		expect(out).toEqual([50, 10, 40, 20, 30, 60, 70]);
		expect(peak).toBe(3);
	});

	it('stops starting tasks after a failure and rethrows it', async () => {
		const started: number[] = [];
		await expect(
			mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
				started.push(n);
				await tick();
				if (n === 2) throw new Error('boom');
				return n;
			})
		).rejects.toThrow('boom');
		expect(started.length).toBeLessThan(6);
	});

	it('handles an empty list', async () => {
		expect(await mapLimit([], 4, async () => 1)).toEqual([]);
	});
});
