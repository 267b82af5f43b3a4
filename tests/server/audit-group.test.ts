/**
 * Group commit of audit events (issue 7 item 7): many concurrent `appendAudit` calls share
 * transactions, yet each caller gets its own committed `seq`, the chain verifies without gaps, and
 * an event the database refuses fails alone, not its neighbours in the group.
 */
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../server/audit';
import { openDb, type DbHandle } from '../../server/db';
import { auditEvents } from '../../server/db/schema';
import { backends, scratchDb, type ScratchDb } from '../support/databases';

describe.each(backends)('audit group commit on %s', (backend) => {
	let scratch: ScratchDb;
	let handle: DbHandle;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		handle = await openDb(scratch.options);
	});

	afterAll(async () => {
		await handle?.close();
		await scratch?.drop();
	});

	it('gives 300 concurrent callers their own committed events, in one gap-free chain', async () => {
		const results = await Promise.all(
			Array.from({ length: 300 }, (_, i) => appendAudit(handle.db, { actorType: 'system', action: 'login', targetId: `caller-${i}`, result: 'ok' }, new Date()))
		);
		const rows = await handle.db.select({ seq: auditEvents.seq, hash: auditEvents.hash, targetId: auditEvents.targetId }).from(auditEvents).orderBy(asc(auditEvents.seq));
		expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
		// Each promise names the row that holds its own event.
		const bySeq = new Map(rows.map((r) => [r.seq, r]));
		results.forEach((r, i) => expect(bySeq.get(r.seq)).toEqual({ seq: r.seq, hash: r.hash, targetId: `caller-${i}` }));
		expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, count: 300 });
	});

	it('fails only the event the database refuses, not the others committed with it', async () => {
		const outcomes = await Promise.allSettled(
			Array.from({ length: 20 }, (_, i) =>
				appendAudit(handle.db, { actorType: 'system', action: 'login', targetId: `second-${i}`, reason: i === 7 ? 'NUL \u0000 is not text' : null, result: 'ok' }, new Date())
			)
		);
		expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
		expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, count: 319 });
	});
});
