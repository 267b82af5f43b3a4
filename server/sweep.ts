/**
 * Housekeeping that must not wait for a request: photos whose submission never got its record, and
 * photos a company chose not to keep after acceptance.
 *
 * A phone uploads a submission's photos first and its record last; the record completes it. If the
 * record never comes (the phone was lost, the employee discarded a refused submission), the sealed
 * photos would stay forever, invisible to handlers. After `abandonedPhotoDays` they are deleted
 * physically, one audit row per company saying how many (no ids: nothing to look up afterwards).
 * A record that arrives later finds its photos gone and is refused; the phone then asks the
 * employee to submit again (`src/lib/outbox`).
 *
 * A company may also set `imageRetentionDays` (data minimisation, issue 5 item 6): that many days
 * after a submission was accepted, its photos are deleted and `submissions.imagesDeletedAt` set; the
 * record stays. Both sweeps are safe to run from several servers at once.
 */
import { and, eq, gt, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { appendAuditInTx } from './audit';
import type { Db } from './db';
import { companies, submissionImages, submissions } from './db/schema';

/** Deleted photo rows per company (`companyId` of each row deleted). */
function countPerCompany(rows: readonly { companyId: string }[]): Map<string, number> {
	const perCompany = new Map<string, number>();
	for (const { companyId } of rows) perCompany.set(companyId, (perCompany.get(companyId) ?? 0) + 1);
	return perCompany;
}

/** The system's audit row for a sweep in one company: counts and ids only, never content. */
function auditSweep(tx: Parameters<typeof appendAuditInTx>[0], now: Date, companyId: string, action: 'photos_swept' | 'photos_minimised', detail: Record<string, string | number>) {
	return appendAuditInTx(tx, { companyId, actorType: 'system', action, result: 'ok', detail }, now);
}

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
		const perCompany = countPerCompany(deleted);
		for (const [companyId, count] of perCompany) await auditSweep(tx, now, companyId, 'photos_swept', { count, olderThanDays: maxAgeDays });
		return perCompany;
	});
}

/** Submissions handled per transaction by `minimiseAcceptedPhotos` (bounds lock time and the audit row's id list). */
export const MINIMISE_BATCH = 200;

/**
 * Deletes the photos of accepted submissions older than their company's `imageRetentionDays`
 * (counted from acceptance, `statusAt`) and marks those submissions with `imagesDeletedAt`. Only
 * status `accepted`: a submitted or returned one is still being worked on, and companies without
 * the setting keep every photo. Works in batches of `batchSize`, each its own transaction with one
 * audit row (`photos_minimised`) per company in it.
 * @returns how many photos were deleted, per company.
 */
export async function minimiseAcceptedPhotos(db: Db, now: Date, batchSize = MINIMISE_BATCH): Promise<Map<string, number>> {
	const total = new Map<string, number>();
	for (;;) {
		const batch = await db.transaction(async (tx) => {
			// A submission a handler is changing right now (setStatus holds its row) is skipped until next time;
			// the rest stay locked until marked, so two servers never minimise the same one twice.
			const due = await tx
				.select({ id: submissions.id, companyId: submissions.companyId, days: companies.imageRetentionDays })
				.from(submissions)
				.innerJoin(companies, eq(companies.id, submissions.companyId))
				.where(
					and(
						isNotNull(companies.imageRetentionDays),
						eq(submissions.status, 'accepted'),
						isNull(submissions.imagesDeletedAt),
						// Only submissions that had photos: a photo-less one has nothing to say "deleted" about.
						gt(sql`jsonb_array_length(${submissions.imageHashes})`, 0),
						lt(submissions.statusAt, sql`${now.toISOString()}::timestamptz - make_interval(days => ${companies.imageRetentionDays})`)
					)
				)
				.orderBy(submissions.statusAt)
				.limit(batchSize)
				.for('update', { of: submissions, skipLocked: true });
			if (!due.length) return { submissions: 0, perCompany: new Map<string, number>() };
			const ids = due.map((d) => d.id);
			const deleted = await tx.delete(submissionImages).where(inArray(submissionImages.submissionId, ids)).returning({ companyId: submissionImages.companyId });
			await tx.update(submissions).set({ imagesDeletedAt: now }).where(inArray(submissions.id, ids));
			const perCompany = countPerCompany(deleted);
			for (const companyId of new Set(due.map((d) => d.companyId))) {
				const ofCompany = due.filter((d) => d.companyId === companyId);
				await auditSweep(tx, now, companyId, 'photos_minimised', {
					count: perCompany.get(companyId) ?? 0,
					submissions: ofCompany.length,
					submissionIds: ofCompany.map((d) => d.id).join(','),
					afterDays: ofCompany[0]!.days!
				});
			}
			return { submissions: due.length, perCompany };
		});
		for (const [companyId, count] of batch.perCompany) total.set(companyId, (total.get(companyId) ?? 0) + count);
		if (batch.submissions < batchSize) return total;
	}
}

/** What one tick of the periodic sweep did; a job that threw is named with its error's name. */
export interface SweepResult {
	abandoned: number;
	minimised: number;
	failed: { job: 'abandoned' | 'minimise'; error: string }[];
}

/**
 * One tick of the periodic sweep (`server/app.ts`): abandoned photos, then photos past their
 * company's retention after acceptance. Each job runs on its own, so one failing does not stop the other.
 */
export async function sweepOnce(db: Db, now: Date, abandonedPhotoDays: number): Promise<SweepResult> {
	const result: SweepResult = { abandoned: 0, minimised: 0, failed: [] };
	const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
	try {
		result.abandoned = sum(await sweepAbandonedPhotos(db, now, abandonedPhotoDays));
	} catch (error) {
		result.failed.push({ job: 'abandoned', error: error instanceof Error ? error.name : 'unknown' });
	}
	try {
		result.minimised = sum(await minimiseAcceptedPhotos(db, now));
	} catch (error) {
		result.failed.push({ job: 'minimise', error: error instanceof Error ? error.name : 'unknown' });
	}
	return result;
}
