/** What an attacker holding the database can do to the audit table, for the tests that must catch it. */
import { asc, gte, sql } from 'drizzle-orm';
import { eventHash } from '../../server/audit';
import type { Db } from '../../server/db';
import { auditEvents } from '../../server/db/schema';

/**
 * Switches the append-only triggers off for one transaction, changes the IP of event `seq` and
 * re-links every later event with freshly computed hashes: the hash chain alone then verifies.
 */
export async function rewriteAuditFrom(db: Db, seq: number, ip = '203.0.113.99'): Promise<void> {
	await db.transaction(async (tx) => {
		await tx.execute(sql`set local session_replication_role = replica`);
		const rows = await tx.select().from(auditEvents).where(gte(auditEvents.seq, seq)).orderBy(asc(auditEvents.seq));
		let prev = rows[0]!.prevHash;
		for (const row of rows) {
			const { hash: _old, ...rest } = row;
			const rewritten = { ...rest, prevHash: prev, ip: row.seq === seq ? ip : row.ip };
			const hash = eventHash(rewritten);
			// Through temporary values: prev_hash and hash are unique.
			await tx.execute(sql`update audit_events set ip = ${rewritten.ip}, prev_hash = ${'tmp-' + row.seq}, hash = ${'tmp-h-' + row.seq} where seq = ${row.seq}`);
			await tx.execute(sql`update audit_events set prev_hash = ${prev}, hash = ${hash} where seq = ${row.seq}`);
			prev = hash;
		}
	});
}

/** Changes event `seq`'s reason behind the trigger's back, without touching any hash. */
export async function tamperAuditRow(db: Db, seq: number, reason = '改ざん'): Promise<void> {
	await db.transaction(async (tx) => {
		await tx.execute(sql`set local session_replication_role = replica`);
		await tx.execute(sql`update audit_events set reason = ${reason} where seq = ${seq}`);
	});
}
