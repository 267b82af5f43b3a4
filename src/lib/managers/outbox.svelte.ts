/**
 * The page's view of the offline outbox (`$lib/outbox`): how many submissions wait, per-file
 * progress, and when to try again: on start, on the `online` event, on a timer with back-off, and
 * right after queuing. The outbox code (Dexie) loads only when an employee is signed in.
 */
import type { Outbox } from '$lib/outbox';
import type { createOutboxClient } from '$lib/outbox/client';
import { SYNC_TAG, SYNC_MESSAGE } from '$lib/outbox/types';
import type { SealedItem } from '$lib/crypto';

export type FileState = 'queued' | 'sending' | 'sent' | 'waiting' | 'failed';

class OutboxManager {
	/** Submissions not yet acknowledged in full (failed ones excluded). */
	pending = $state(0);
	/** Submissions refused for good (e.g. the company's key changed): the employee must submit again. */
	failed = $state<{ submissionId: string; code: string }[]>([]);
	/** Per file (`submissionId:itemIndex`), for the progress list. */
	files = $state<Record<string, FileState>>({});
	/** Set after a flush stopped because the session is gone. */
	signedOut = $state(false);
	sending = $state(false);
	/** Counts submissions completed on the server by this page (their record acknowledged): status lists reload on change. */
	completed = $state(0);

	#box: Outbox | null = null;
	#uploads: ReturnType<typeof createOutboxClient> | null = null;
	#employeeId: string | null = null;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#listening = false;

	async #outbox(): Promise<Outbox> {
		if (!this.#box) {
			const { Outbox } = await import('$lib/outbox');
			this.#box = new Outbox();
		}
		return this.#box;
	}

	async #client(): Promise<ReturnType<typeof createOutboxClient>> {
		if (!this.#uploads) {
			const { createOutboxClient } = await import('$lib/outbox/client');
			this.#uploads = createOutboxClient();
		}
		return this.#uploads;
	}

	/**
	 * Asks the browser for a Background Sync: the service worker sends what waits when the network
	 * returns, even if this page has been closed by then (Chromium; elsewhere the page's own retries do it).
	 */
	async #requestBackgroundSync(): Promise<void> {
		try {
			const registration = (await navigator.serviceWorker?.getRegistration()) as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
			await registration?.sync?.register(SYNC_TAG);
		} catch {
			// Not supported, or refused (e.g. permission): the timer and the `online` event still flush.
		}
	}

	/** Starts sending for this employee (idempotent); called once a session is known. */
	async start(employeeId: string): Promise<void> {
		this.#employeeId = employeeId;
		if (!this.#listening && typeof window !== 'undefined') {
			this.#listening = true;
			window.addEventListener('online', () => void this.flush(true));
			// The service worker sent something in the background: show it.
			navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
				if ((event.data as { type?: unknown } | null)?.type !== SYNC_MESSAGE) return;
				this.completed++;
				void this.#refresh();
			});
		}
		await this.#refresh();
		void this.flush(true);
	}

	/** Queues a sealed submission (all items in one transaction), then tries to send it at once. */
	async enqueue(p: { items: SealedItem[]; submissionId: string; epoch: number; employeeId: string; decline?: boolean; supersedes?: string | null; device?: string | null }): Promise<void> {
		const box = await this.#outbox();
		await box.enqueue(p);
		// Ask the browser not to evict the queue (Safari may clear a site's storage after 7 days unused).
		void navigator.storage?.persist?.().catch(() => false);
		for (const item of p.items) this.files[`${p.submissionId}:${item.itemIndex}`] = 'queued';
		await this.#refresh();
		void this.flush(true);
	}

	/** Sends what is due; `force` ignores the back-off (network back, user asked). */
	async flush(force = false): Promise<void> {
		if (!this.#employeeId) return;
		const box = await this.#outbox();
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		this.sending = true;
		try {
			const { upload } = await this.#client();
			const result = await box.flush(upload, { employeeId: this.#employeeId, force, onItem: (e) => {
					this.files[e.key] = e.state;
					if (e.state === 'sent' && e.key.endsWith(':0')) this.completed++;
				}
			});
			this.signedOut = result.stoppedBy === 'signed_out';
			// The session ended: let the page learn it, so it offers the sign-in that lets the queue go out.
			if (this.signedOut) void import('./session.svelte').then(({ session }) => session.refresh());
			if (result.remaining > 0) void this.#requestBackgroundSync();
		} finally {
			this.sending = false;
			await this.#refresh();
		}
		const next = await box.nextAttemptAt(this.#employeeId);
		if (next !== null && !this.signedOut) this.#timer = setTimeout(() => void this.flush(), Math.max(1_000, next - Date.now()));
	}

	/** Drops a submission that can never be sent (after telling the employee). */
	async discard(submissionId: string): Promise<void> {
		if (!this.#employeeId) return;
		await (await this.#outbox()).discard(submissionId, this.#employeeId);
		await this.#refresh();
	}

	async #refresh(): Promise<void> {
		const box = await this.#outbox();
		const all = await box.list(this.#employeeId ?? '');
		this.pending = new Set(all.filter((i) => !i.failed).map((i) => i.submissionId)).size;
		const failed = new Map<string, string>();
		for (const i of all) if (i.failed) failed.set(i.submissionId, i.failed);
		this.failed = [...failed].map(([submissionId, code]) => ({ submissionId, code }));
	}
}

export const outbox = new OutboxManager();
