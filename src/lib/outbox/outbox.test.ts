import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SealedItem } from '$lib/crypto';
import { backoffMs, Outbox, UploadError, type UploadMeta } from './index';

const item = (itemIndex: number, fill: number): SealedItem => ({ itemIndex, kind: itemIndex ? 'image' : 'record', sealed: new Uint8Array(8).fill(fill), sha256: `hash-${fill}` });
const EMPLOYEE = 'employee-1';
let outbox: Outbox;
let n = 0;

function fresh() {
	outbox = new Outbox(`test-outbox-${n++}`);
	return outbox;
}
afterEach(() => outbox?.close());

/** A fake server: remembers what it stored by key and answers with the stored bytes' "hash". */
function server() {
	const stored = new Map<string, number>();
	const calls: string[] = [];
	let down = false;
	const upload = async (meta: UploadMeta, bytes: Uint8Array) => {
		const key = `${meta.submissionId}:${meta.kind === 'image' ? meta.itemIndex : 0}`;
		calls.push(key);
		if (down) throw new UploadError({ kind: 'network' });
		stored.set(key, bytes[0]!);
		return { sha256: `hash-${bytes[0]}` };
	};
	return { upload, stored, calls, setDown: (d: boolean) => (down = d) };
}

describe('outbox', () => {
	it('sends photos before the record and forgets each only once acknowledged', async () => {
		const box = fresh();
		const s = server();
		await box.enqueue({ items: [item(1, 1), item(2, 2), item(0, 9)], submissionId: 'sub-a', epoch: 1, employeeId: EMPLOYEE });
		expect(await box.pendingSubmissions()).toEqual(['sub-a']);
		const result = await box.flush(s.upload, { employeeId: EMPLOYEE });
		expect(result).toEqual({ sent: 3, remaining: 0, stoppedBy: null });
		expect(s.calls).toEqual(['sub-a:1', 'sub-a:2', 'sub-a:0']);
		expect(await box.list()).toEqual([]);
	});

	it('keeps everything while offline, backs off, and sends each item once when the network returns', async () => {
		const box = fresh();
		const s = server();
		await box.enqueue({ items: [item(1, 1), item(0, 9)], submissionId: 'sub-b', epoch: 1, employeeId: EMPLOYEE });
		s.setDown(true);
		expect(await box.flush(s.upload, { employeeId: EMPLOYEE })).toEqual({ sent: 0, remaining: 2, stoppedBy: 'network' });
		// Not due yet: a timer-driven flush sends nothing and does not hammer the server.
		expect(await box.flush(s.upload, { employeeId: EMPLOYEE })).toMatchObject({ sent: 0, remaining: 2 });
		expect(s.calls).toEqual(['sub-b:1']);
		expect((await box.nextAttemptAt())! - Date.now()).toBeGreaterThan(3_000);
		s.setDown(false);
		expect(await box.flush(s.upload, { employeeId: EMPLOYEE, force: true })).toEqual({ sent: 2, remaining: 0, stoppedBy: null });
		expect([...s.stored.keys()]).toEqual(['sub-b:1', 'sub-b:0']);
	});

	it('keeps an item whose acknowledgement names other bytes', async () => {
		const box = fresh();
		await box.enqueue({ items: [item(0, 9)], submissionId: 'sub-c', epoch: 1, employeeId: EMPLOYEE });
		const wrong = async () => ({ sha256: 'hash-of-something-else' });
		expect(await box.flush(wrong, { employeeId: EMPLOYEE })).toMatchObject({ sent: 0, remaining: 1 });
		expect(await box.list()).toHaveLength(1);
	});

	it('marks a submission failed on a permanent refusal and goes on with the others', async () => {
		const box = fresh();
		const s = server();
		await box.enqueue({ items: [item(1, 1), item(0, 9)], submissionId: 'sub-d', epoch: 1, employeeId: EMPLOYEE });
		await box.enqueue({ items: [item(0, 7)], submissionId: 'sub-e', epoch: 1, employeeId: EMPLOYEE });
		const refusing = async (meta: UploadMeta, bytes: Uint8Array) => {
			if (meta.submissionId === 'sub-d') throw new UploadError({ kind: 'permanent', code: 'epoch_outdated' });
			return s.upload(meta, bytes);
		};
		expect(await box.flush(refusing, { employeeId: EMPLOYEE })).toEqual({ sent: 1, remaining: 0, stoppedBy: null });
		expect((await box.list()).map((i) => [i.key, i.failed])).toEqual([
			['sub-d:1', 'epoch_outdated'],
			['sub-d:0', 'epoch_outdated']
		]);
		expect(await box.pendingSubmissions()).toEqual([]);
		await box.discard('sub-d', 'someone-else');
		expect(await box.list()).toHaveLength(2);
		await box.discard('sub-d', EMPLOYEE);
		expect(await box.list()).toEqual([]);
	});

	it('gives up on a record whose acknowledged photos the server no longer has', async () => {
		const box = fresh();
		const s = server();
		await box.enqueue({ items: [item(1, 1), item(0, 9)], submissionId: 'sub-g', epoch: 1, employeeId: EMPLOYEE });
		const missing = async (meta: UploadMeta, bytes: Uint8Array) => {
			if (meta.kind !== 'image') throw new UploadError({ kind: 'retry', code: 'submission_images_missing' });
			return s.upload(meta, bytes);
		};
		// The photo is acknowledged (and leaves the outbox); the server then lacks it: no retry can help.
		expect(await box.flush(missing, { employeeId: EMPLOYEE })).toEqual({ sent: 1, remaining: 0, stoppedBy: null });
		expect((await box.list()).map((i) => [i.key, i.failed])).toEqual([['sub-g:0', 'submission_images_missing']]);

	});

	it("sends and shows nothing under another employee's session", async () => {
		const box = fresh();
		const s = server();
		await box.enqueue({ items: [item(0, 9)], submissionId: 'sub-f', epoch: 1, employeeId: EMPLOYEE });
		expect(await box.flush(s.upload, { employeeId: 'someone-else' })).toMatchObject({ sent: 0, remaining: 0 });
		expect(s.calls).toEqual([]);
		// Nor shows it: the other employee's queue is empty, this one's still holds the item.
		expect(await box.pendingSubmissions('someone-else')).toEqual([]);
		expect(await box.pendingSubmissions(EMPLOYEE)).toEqual(['sub-f']);
	});

	it('marks a decline and a correction on the record only', async () => {
		const box = fresh();
		const metas: UploadMeta[] = [];
		await box.enqueue({ items: [item(1, 1), item(0, 9)], submissionId: 'sub-g', epoch: 3, employeeId: EMPLOYEE, supersedes: 'sub-old' });
		await box.flush(async (meta, bytes) => (metas.push(meta), { sha256: `hash-${bytes[0]}` }), { employeeId: EMPLOYEE });
		expect(metas).toEqual([
			{ kind: 'image', submissionId: 'sub-g', epoch: 3, itemIndex: 1 },
			{ kind: 'record', submissionId: 'sub-g', epoch: 3, images: ['hash-1'], supersedes: 'sub-old' }
		]);
	});

	it('backs off exponentially up to five minutes', () => {
		expect([1, 2, 3, 10].map(backoffMs)).toEqual([5_000, 10_000, 20_000, 300_000]);
	});
});
