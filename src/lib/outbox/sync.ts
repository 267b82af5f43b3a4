/**
 * Background Sync in the service worker (issue 4 item 8): on the `sync` event the worker sends what
 * waits in the outbox for the signed-in employee, with no page open. It reads the same Dexie outbox
 * and uploads through the same idempotent client as the page, so the two can never duplicate a
 * submission, and an item still leaves the outbox only after the server acknowledged its hash.
 *
 * Built on its own into `build/outbox-sync.js` (scripts/build-sync-worker.mjs) and loaded by the
 * generated `sw.js` with `importScripts`. A rejected promise tells the browser to try again later.
 *
 * @module
 */
import { Outbox } from './index';
import { createOutboxClient } from './client';
import { SYNC_MESSAGE, SYNC_TAG } from './types';

interface SyncEvent extends Event {
	tag: string;
	waitUntil(work: Promise<unknown>): void;
}
interface WorkerScope {
	addEventListener(type: 'sync', listener: (event: SyncEvent) => void): void;
	clients: { matchAll(opts: { includeUncontrolled: boolean }): Promise<{ postMessage(message: unknown): void }[]> };
}

const scope = self as unknown as WorkerScope;

/** Sends everything due; throws while the network or the server is away, so the browser retries. */
export async function syncOutbox(): Promise<void> {
	const client = createOutboxClient();
	const employeeId = await client.signedInEmployee();
	// Nobody signed in (or no network yet): the page sends once the employee is back.
	if (!employeeId) throw new Error('outbox sync: no employee session');
	const box = new Outbox();
	try {
		const result = await box.flush(client.upload, { employeeId, force: true });
		if (result.sent > 0) for (const page of await scope.clients.matchAll({ includeUncontrolled: true })) page.postMessage({ type: SYNC_MESSAGE });
		if (result.stoppedBy === 'network') throw new Error('outbox sync: network');
	} finally {
		box.close();
	}
}

scope.addEventListener('sync', (event) => {
	if (event.tag === SYNC_TAG) event.waitUntil(syncOutbox());
});
