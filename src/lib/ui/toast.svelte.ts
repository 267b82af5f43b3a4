/**
 * Toasts: short results of an action ("saved", "exported") shown by `Toaster.svelte`, mounted once
 * in the root layout. Success and info go after about 6 seconds (paused while hovered or focused);
 * errors stay until dismissed. Use them for results that have no place of their own in the page,
 * and never for the same text a panel also shows inline (tests and screen readers would meet it twice).
 *
 * @example
 * import { toast } from '$lib/ui/toast.svelte';
 * toast.success(m.users_added({ loginId }));
 */
import { ToastQueue, type ToastItem } from './toast-queue';

class ToastStore {
	/** What the Toaster shows, oldest first. */
	items = $state.raw<readonly ToastItem[]>([]);
	#queue = new ToastQueue((items) => (this.items = items));

	/** A result that went well. */
	success(text: string): number {
		return this.#queue.show('success', text);
	}

	/** Something that failed; stays until the user closes it. */
	error(text: string): number {
		return this.#queue.show('error', text);
	}

	/** Neutral news. */
	info(text: string): number {
		return this.#queue.show('info', text);
	}

	dismiss(id: number): void {
		this.#queue.dismiss(id);
	}

	/** Called by the Toaster while the pointer or the focus is in it. */
	pause(): void {
		this.#queue.pause();
	}

	resume(): void {
		this.#queue.resume();
	}
}

export const toast = new ToastStore();
export type { ToastItem, ToastKind } from './toast-queue';
