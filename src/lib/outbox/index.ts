/**
 * The employee's offline outbox (issue 4 item 8): sealed items wait in IndexedDB (Dexie) until the
 * server has acknowledged their exact SHA-256. Only ciphertext and opaque ids are stored here, never
 * a number, a name or a photo in the clear (CRYPTO.md "Where plaintext may exist").
 *
 * Order: a submission's photos go first and its record last, because the record completes it on
 * the server. Every upload is idempotent (same submission id and item index), so a retry after a
 * lost answer never creates a duplicate. Framework-free: the page wraps it in `managers/outbox`.
 *
 * @module
 */
import { Dexie, type EntityTable } from 'dexie';
import type { SealedItem } from '$lib/crypto';
import { UploadError, type UploadFailure, type UploadMeta, type Uploader } from './types';

export { UploadError, type UploadFailure, type UploadMeta, type Uploader } from './types';

/** One sealed item waiting to be sent. */
export interface OutboxItem {
	/** `<submissionId>:<itemIndex>` */
	key: string;
	submissionId: string;
	itemIndex: number;
	/** What the server files it as: a photo, the record, or a 「提供しない」 record. */
	kind: 'image' | 'record' | 'decline';
	epoch: number;
	/** The employee the session must belong to (an opaque id), so a shared phone never sends under someone else's session. */
	employeeId: string;
	sealed: Uint8Array;
	sha256: string;
	/** On the record: the photos' hashes in item order. */
	images: string[];
	supersedes: string | null;
	/** The device key that signed the items (base64url); the server checks it against the session's invitation. */
	device: string | null;
	queuedAt: number;
	attempts: number;
	nextAttemptAt: number;
	/** A refusal that no retry can fix (e.g. the company's key changed); the page asks the employee to submit again. */
	failed: string | null;
}

/** Back-off after the n-th failed attempt: 5 s, 10 s, 20 s … capped at 5 minutes. */
export function backoffMs(attempts: number): number {
	return Math.min(5 * 60_000, 5_000 * 2 ** Math.max(0, attempts - 1));
}

class OutboxDb extends Dexie {
	items!: EntityTable<OutboxItem, 'key'>;
	constructor(name: string) {
		super(name);
		this.version(1).stores({ items: 'key, submissionId, queuedAt' });
	}
}

/** Per-item progress for the page: queued, sending, sent (acknowledged) or failed. */
export type ItemEvent = { key: string; submissionId: string; state: 'sending' | 'sent' | 'failed' | 'waiting' };

export interface FlushResult {
	sent: number;
	remaining: number;
	/** Why the flush stopped early, if it did. */
	stoppedBy: 'network' | 'signed_out' | null;
}

export class Outbox {
	readonly #db: OutboxDb;
	#flushing: Promise<FlushResult> | null = null;

	constructor(name = 'mnv-outbox') {
		this.#db = new OutboxDb(name);
	}

	/** Queues every item of one sealed submission in one transaction: all of it or nothing. */
	async enqueue(p: { items: SealedItem[]; submissionId: string; epoch: number; employeeId: string; decline?: boolean; supersedes?: string | null; device?: string | null }): Promise<void> {
		const now = Date.now();
		const images = p.items.filter((i) => i.kind === 'image').map((i) => i.sha256);
		const rows: OutboxItem[] = p.items.map((item) => ({
			key: `${p.submissionId}:${item.itemIndex}`,
			submissionId: p.submissionId,
			itemIndex: item.itemIndex,
			kind: item.kind === 'image' ? 'image' : p.decline ? 'decline' : 'record',
			epoch: p.epoch,
			employeeId: p.employeeId,
			sealed: item.sealed,
			sha256: item.sha256,
			images: item.kind === 'image' ? [] : images,
			supersedes: p.supersedes ?? null,
			device: p.device ?? null,
			queuedAt: now,
			attempts: 0,
			nextAttemptAt: 0,
			failed: null
		}));
		await this.#db.items.bulkPut(rows);
	}

	/**
	 * Everything still queued (failed items included), oldest submission first, photos before records;
	 * only the given employee's when named (a shared phone shows nobody else's).
	 */
	async list(employeeId?: string): Promise<OutboxItem[]> {
		const rows = (await this.#db.items.orderBy('queuedAt').toArray()).filter((i) => employeeId === undefined || i.employeeId === employeeId);
		return rows.sort((a, b) => a.queuedAt - b.queuedAt || a.submissionId.localeCompare(b.submissionId) || (a.itemIndex === 0 ? 1 : 0) - (b.itemIndex === 0 ? 1 : 0) || a.itemIndex - b.itemIndex);
	}

	/** Distinct submissions still waiting (not failed). */
	async pendingSubmissions(employeeId?: string): Promise<string[]> {
		return [...new Set((await this.list(employeeId)).filter((i) => !i.failed).map((i) => i.submissionId))];
	}

	/** Drops a submission the employee gave up on (after a permanent failure); only theirs. */
	async discard(submissionId: string, employeeId: string): Promise<void> {
		await this.#db.items.where('submissionId').equals(submissionId).and((i) => i.employeeId === employeeId).delete();
	}

	/** The earliest time a waiting item may be retried, or null when nothing waits. */
	async nextAttemptAt(employeeId?: string): Promise<number | null> {
		const times = (await this.list(employeeId)).filter((i) => !i.failed).map((i) => i.nextAttemptAt);
		return times.length ? Math.min(...times) : null;
	}

	/**
	 * Sends what is due (or everything, with `force`), for the signed-in employee only. An item is
	 * deleted only when the server's acknowledgement names its exact hash. One flush at a time.
	 */
	flush(upload: Uploader, opts: { employeeId: string; force?: boolean; onItem?: (e: ItemEvent) => void }): Promise<FlushResult> {
		this.#flushing ??= this.#flush(upload, opts).finally(() => (this.#flushing = null));
		return this.#flushing;
	}

	async #flush(upload: Uploader, opts: { employeeId: string; force?: boolean; onItem?: (e: ItemEvent) => void }): Promise<FlushResult> {
		let sent = 0;
		let stoppedBy: FlushResult['stoppedBy'] = null;
		const blocked = new Set<string>(); // submissions whose photo failed this round: their record waits
		for (const item of await this.list(opts.employeeId)) {
			if (item.failed || blocked.has(item.submissionId)) continue;
			if (!opts.force && item.nextAttemptAt > Date.now()) {
				blocked.add(item.submissionId);
				continue;
			}
			opts.onItem?.({ key: item.key, submissionId: item.submissionId, state: 'sending' });
			const meta: UploadMeta =
				item.kind === 'image'
					? { kind: 'image', submissionId: item.submissionId, epoch: item.epoch, itemIndex: item.itemIndex, ...(item.device ? { device: item.device } : {}) }
					: { kind: item.kind, submissionId: item.submissionId, epoch: item.epoch, images: item.images, ...(item.supersedes ? { supersedes: item.supersedes } : {}), ...(item.device ? { device: item.device } : {}) };
			try {
				const ack = await upload(meta, item.sealed);
				if (ack.sha256 !== item.sha256) throw new UploadError({ kind: 'retry', code: 'hash_mismatch' });
				await this.#db.items.delete(item.key);
				sent++;
				opts.onItem?.({ key: item.key, submissionId: item.submissionId, state: 'sent' });
			} catch (error) {
				let failure: UploadFailure = error instanceof UploadError ? error.failure : { kind: 'network' };
				blocked.add(item.submissionId);
				// The server lacks photos this phone no longer holds (acknowledged, then deleted there as
				// abandoned): no retry can bring them back, so the employee is asked to submit again.
				if (failure.kind === 'retry' && failure.code === 'submission_images_missing' && item.kind !== 'image') {
					const photosLeft = await this.#db.items.where('submissionId').equals(item.submissionId).filter((i) => i.kind === 'image').count();
					if (photosLeft === 0) failure = { kind: 'permanent', code: failure.code };
				}
				if (failure.kind === 'permanent') {
					await this.#db.items.where('submissionId').equals(item.submissionId).modify({ failed: failure.code });
					opts.onItem?.({ key: item.key, submissionId: item.submissionId, state: 'failed' });
					continue;
				}
				const attempts = item.attempts + 1;
				const nextAttemptAt = Date.now() + backoffMs(attempts);
				await this.#db.transaction('rw', this.#db.items, async () => {
					await this.#db.items.update(item.key, { attempts });
					// The whole submission waits: its record must not overtake the photo.
					await this.#db.items.where('submissionId').equals(item.submissionId).modify({ nextAttemptAt });
				});
				opts.onItem?.({ key: item.key, submissionId: item.submissionId, state: 'waiting' });
				if (failure.kind === 'network' || failure.kind === 'signed_out') {
					stoppedBy = failure.kind;
					break;
				}
			}
		}
		const remaining = (await this.list(opts.employeeId)).filter((i) => !i.failed).length;
		return { sent, remaining, stoppedBy };
	}

	/** Closes the database (tests). */
	close(): void {
		this.#db.close();
	}
}
