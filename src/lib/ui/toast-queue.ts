/**
 * The logic behind the toasts (`toast.svelte.ts`, `Toaster.svelte`): which are shown, for how long,
 * paused while the user hovers or focuses them. Errors stay until dismissed, since a person who
 * looked away must still learn that something failed (WCAG 2.2.1: no time limit on what matters).
 *
 * @module
 */

export type ToastKind = 'success' | 'error' | 'info';

export interface ToastItem {
	id: number;
	kind: ToastKind;
	text: string;
}

/** Success and info messages go after this long (not counting time paused). */
export const TOAST_TIMEOUT_MS = 6_000;
/** More at once would cover the page; the oldest routine one makes room. */
export const TOAST_LIMIT = 4;

interface Timer {
	remaining: number;
	/** When the current countdown started, or null while paused. */
	startedAt: number | null;
	handle: ReturnType<typeof setTimeout> | null;
}

/** A queue of toasts with timers; `onChange` gets the new list after every change. */
export class ToastQueue {
	#items: ToastItem[] = [];
	#timers = new Map<number, Timer>();
	#paused = false;
	#nextId = 1;

	constructor(
		private readonly onChange: (items: readonly ToastItem[]) => void,
		private readonly opts: { timeoutMs?: number; limit?: number; now?: () => number } = {}
	) {}

	get items(): readonly ToastItem[] {
		return this.#items;
	}

	get paused(): boolean {
		return this.#paused;
	}

	#now(): number {
		return (this.opts.now ?? Date.now)();
	}

	/** Shows a message; the same text of the same kind is not stacked twice (its time starts again). Returns its id. */
	show(kind: ToastKind, text: string): number {
		const same = this.#items.find((t) => t.kind === kind && t.text === text);
		if (same) {
			if (kind !== 'error') this.#start(same.id, this.opts.timeoutMs ?? TOAST_TIMEOUT_MS);
			return same.id;
		}
		const item: ToastItem = { id: this.#nextId++, kind, text };
		this.#items = [...this.#items, item];
		const limit = this.opts.limit ?? TOAST_LIMIT;
		while (this.#items.length > limit) {
			// Routine messages make room first; an error goes only when nothing else can.
			const oldest = this.#items.find((t) => t.kind !== 'error' && t.id !== item.id) ?? this.#items[0]!;
			this.#remove(oldest.id);
		}
		if (kind !== 'error') this.#start(item.id, this.opts.timeoutMs ?? TOAST_TIMEOUT_MS);
		this.onChange(this.#items);
		return item.id;
	}

	/** Removes one (its close button, or its time ran out). */
	dismiss(id: number): void {
		if (!this.#items.some((t) => t.id === id)) return;
		this.#remove(id);
		this.onChange(this.#items);
	}

	/** Removes all. */
	clear(): void {
		for (const id of [...this.#timers.keys()]) this.#stop(id);
		this.#items = [];
		this.onChange(this.#items);
	}

	/** Stops every countdown (pointer over the toasts, or focus in them); each keeps its remaining time. */
	pause(): void {
		if (this.#paused) return;
		this.#paused = true;
		const now = this.#now();
		for (const timer of this.#timers.values()) {
			if (timer.handle) clearTimeout(timer.handle);
			if (timer.startedAt !== null) timer.remaining = Math.max(0, timer.remaining - (now - timer.startedAt));
			timer.handle = null;
			timer.startedAt = null;
		}
	}

	/** Lets the countdowns run on from where they stopped. */
	resume(): void {
		if (!this.#paused) return;
		this.#paused = false;
		for (const [id, timer] of this.#timers) this.#run(id, timer);
	}

	#start(id: number, ms: number): void {
		this.#stop(id);
		const timer: Timer = { remaining: ms, startedAt: null, handle: null };
		this.#timers.set(id, timer);
		if (!this.#paused) this.#run(id, timer);
	}

	#run(id: number, timer: Timer): void {
		timer.startedAt = this.#now();
		timer.handle = setTimeout(() => this.dismiss(id), timer.remaining);
	}

	#stop(id: number): void {
		const timer = this.#timers.get(id);
		if (timer?.handle) clearTimeout(timer.handle);
		this.#timers.delete(id);
	}

	#remove(id: number): void {
		this.#stop(id);
		this.#items = this.#items.filter((t) => t.id !== id);
	}
}
