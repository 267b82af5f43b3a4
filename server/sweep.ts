/**
 * Housekeeping that must not wait for a request: photos whose submission never got its record.
 *
 * A phone uploads a submission's photos first and its record last; the record completes it. If the
 * record never comes (the phone was lost, the employee discarded a refused submission), the sealed
 * photos would stay forever, invisible to handlers. After `abandonedPhotoDays` they are deleted
 * physically, one audit row per company saying how many (no ids: nothing to look up afterwards).
 * A record that arrives later finds its photos gone and is refused; the phone then asks the
 * employee to submit again (`src/lib/outbox`). Safe to run from several servers at once.
 */
import { and, lt, sql } from 'drizzle-orm';
import { appendAuditInTx } from './audit';
import type { Db } from './db';
import { submissionImages, submissions } from './db/schema';

/** How often a running server sweeps (it also sweeps once at start). */
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes sealed photos older than `maxAgeDays` that belong to no submission record.
 * @returns how many photos were deleted, per company.
 */
export async function sweepAbandonedPhotos(db: Db, now: Date, maxAgeDays: number): Promise<Map<string, number>> {
	const cutoff = new Date(now.getTime() - maxAgeDays * 24 * 60 * 60 * 1000);
	return db.transaction(async (tx) => {
		// Rows a record is completing right now are locked by it (FOR UPDATE in submission.upload): skip them,
		// and hold the rest until they are gone, so a record cannot complete with a photo deleted under it.
		const stale = await tx
			.select({ submissionId: submissionImages.submissionId, itemIndex: submissionImages.itemIndex, companyId: submissionImages.companyId })
			.from(submissionImages)
			.where(and(lt(submissionImages.createdAt, cutoff), sql`not exists (select 1 from ${submissions} where ${submissions.id} = ${submissionImages.submissionId})`))
			.for('update', { skipLocked: true });
		const deleted = stale.length
			? await tx
					.delete(submissionImages)
					.where(sql`(${submissionImages.submissionId}, ${submissionImages.itemIndex}) in (${sql.join(
						stale.map((r) => sql`(${r.submissionId}::uuid, ${r.itemIndex}::int)`),
						sql`, `
					)})`)
					.returning({ companyId: submissionImages.companyId })
			: [];
		const perCompany = new Map<string, number>();
		for (const { companyId } of deleted) perCompany.set(companyId, (perCompany.get(companyId) ?? 0) + 1);
		for (const [companyId, count] of perCompany) {
			await appendAuditInTx(tx, { companyId, actorType: 'system', action: 'photos_swept', result: 'ok', detail: { count, olderThanDays: maxAgeDays } }, now);
		}
		return perCompany;
	});
}
