import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOAST_LIMIT, TOAST_TIMEOUT_MS, ToastQueue, type ToastItem } from './toast-queue';

describe('ToastQueue', () => {
	let shown: readonly ToastItem[];
	let queue: ToastQueue;
	const texts = () => shown.map((t) => t.text);

	beforeEach(() => {
		vi.useFakeTimers();
		shown = [];
		queue = new ToastQueue((items) => (shown = items));
	});
	afterEach(() => vi.useRealTimers());

	it('removes success and info after about six seconds', () => {
		queue.show('success', '保存しました');
		queue.show('info', 'お知らせ');
		expect(texts()).toEqual(['保存しました', 'お知らせ']);
		vi.advanceTimersByTime(TOAST_TIMEOUT_MS - 1);
		expect(shown).toHaveLength(2);
		vi.advanceTimersByTime(1);
		expect(shown).toHaveLength(0);
		expect(TOAST_TIMEOUT_MS).toBe(6_000);
	});

	it('keeps errors until they are dismissed', () => {
		const id = queue.show('error', '失敗しました');
		vi.advanceTimersByTime(10 * 60_000);
		expect(texts()).toEqual(['失敗しました']);
		queue.dismiss(id);
		expect(shown).toHaveLength(0);
		// Dismissing twice is harmless.
		queue.dismiss(id);
		expect(shown).toHaveLength(0);
	});

	it('pauses every countdown while hovered or focused and resumes with the time left', () => {
		queue.show('success', 'A');
		vi.advanceTimersByTime(4_000);
		queue.pause();
		expect(queue.paused).toBe(true);
		vi.advanceTimersByTime(60_000);
		expect(texts()).toEqual(['A']);
		// A toast added while paused waits too.
		queue.show('info', 'B');
		vi.advanceTimersByTime(60_000);
		expect(texts()).toEqual(['A', 'B']);
		queue.resume();
		vi.advanceTimersByTime(1_999);
		expect(texts()).toEqual(['A', 'B']);
		vi.advanceTimersByTime(1);
		expect(texts()).toEqual(['B']);
		vi.advanceTimersByTime(TOAST_TIMEOUT_MS);
		expect(shown).toHaveLength(0);
	});

	it('shows at most four, dropping the oldest routine one before any error', () => {
		queue.show('error', 'E1');
		queue.show('success', 'S1');
		queue.show('success', 'S2');
		queue.show('info', 'I1');
		expect(shown).toHaveLength(TOAST_LIMIT);
		queue.show('success', 'S3');
		expect(texts()).toEqual(['E1', 'S2', 'I1', 'S3']);
		// Only errors left: the oldest error goes.
		const errors = new ToastQueue((items) => (shown = items), { limit: 2 });
		errors.show('error', 'X1');
		errors.show('error', 'X2');
		errors.show('error', 'X3');
		expect(texts()).toEqual(['X2', 'X3']);
	});

	it('does not stack the same message twice; its time starts again', () => {
		const first = queue.show('success', 'コピーしました');
		vi.advanceTimersByTime(5_000);
		expect(queue.show('success', 'コピーしました')).toBe(first);
		expect(shown).toHaveLength(1);
		vi.advanceTimersByTime(5_000);
		expect(shown).toHaveLength(1);
		vi.advanceTimersByTime(1_000);
		expect(shown).toHaveLength(0);
		// The same text as an error is another message.
		queue.show('success', 'X');
		queue.show('error', 'X');
		expect(shown.map((t) => t.kind)).toEqual(['success', 'error']);
	});

	it('clears all and leaves no timer behind', () => {
		queue.show('success', 'A');
		queue.show('error', 'B');
		queue.clear();
		expect(shown).toHaveLength(0);
		expect(vi.getTimerCount()).toBe(0);
	});
});
