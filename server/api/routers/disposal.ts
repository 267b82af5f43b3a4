/**
 * Disposal (廃棄・証明, issue 6 item 3, seed 4-1): deleting everything sealed of a person for good,
 * and the record that proves it without holding the number or the name (DOMAIN.md §7–8).
 *
 * Who: only a 事務取扱責任者 of the company disposes, and is recorded as the 責任者 (`responsibleId`
 * must be the caller). A 担当者 cannot dispose even with a 責任者 named as approver: the server
 * could not tell that the 責任者 approved, and nothing can be restored afterwards.
 *
 * What goes, physically (no soft delete): the person's submissions (records, refusals and their
 * re-sealed verified copies), document photos, invitations (sealed device secret, device key, MAC,
 * initial-password hash), request history, passkeys (wrapped device key), sessions and WebAuthn
 * challenges; on the employees row the sealed name and profile, the password hash, the wrapped
 * device key and the device invitation are set to null. What stays: the employees row (id, code,
 * kind, employment status) with `disposedAt`, so the audit trail and the disposal record keep
 * their reference; the disposal record; and the append-only audit events, which never held
 * personal data.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { DISPOSAL_BASES, type DisposalDocument } from '../../../src/lib/disposal/index';
import { normalizeNumberInput } from '../../../src/lib/mynumber/index';
import { appendAuditInTx, handlerEvent } from '../../audit';
import {
	companies,
	disposals,
	employeePasskeys,
	employeeRequests,
	employees,
	invitations,
	organisations,
	sessions,
	submissionImages,
	submissions,
	users,
	webauthnChallenges
} from '../../db/schema';
import { uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure, requireRole } from '../trpc';

/** A free-text note kept in the disposal record: it must not carry a My Number. */
const note = z
	.string()
	.trim()
	.max(500)
	.refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s))
	.refine((s) => !/\d{12}/.test(normalizeNumberInput(s)), { message: 'disposal_note_contains_number' });

/** How many codes an error message names before it says "…". */
const SHOWN_CODES = 5;

function shownCodes(codes: string[]): string {
	const sorted = [...codes].sort();
	return sorted.slice(0, SHOWN_CODES).join('、') + (sorted.length > SHOWN_CODES ? ' …' : '');
}

export const disposalRouter = createTRPCRouter({
	/**
	 * Disposes of up to 1,000 people of one company in one transaction, with one audit event. The
	 * whole batch is refused, nothing changed, when an id is not of this company (NOT_FOUND, so
	 * other tenants' ids are not confirmed to exist) or a person was already disposed of (CONFLICT).
	 * Returns the batch id (the certificate number) and what was deleted per person.
	 */
	dispose: handlerProcedure
		.input(
			z.object({
				companyId: uuid,
				employeeIds: z.array(uuid).min(1).max(1000),
				basis: z.enum(DISPOSAL_BASES),
				note: note.optional(),
				responsibleId: uuid
			})
		)
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId, ['responsible']);
			// The 責任者 recorded is the one who acts: nobody else's approval can be proven here.
			if (input.responsibleId !== ctx.user.id) fail('BAD_REQUEST', 'disposal_responsible_self');
			const noteText = input.note?.trim() || null;
			if (input.basis === 'other' && !noteText) fail('BAD_REQUEST', 'disposal_note_required');
			const ids = [...new Set(input.employeeIds)];
			const now = ctx.services.now();
			const batchId = randomUUID();
			const result = await ctx.db.transaction(async (tx) => {
				// Locked, so two disposals (or a disposal and a roster re-import) cannot interleave.
				const found = await tx
					.select({ id: employees.id, code: employees.code, kind: employees.kind, disposedAt: employees.disposedAt, sealedName: employees.sealedName, sealedProfile: employees.sealedProfile, passwordHash: employees.passwordHash })
					.from(employees)
					.where(and(eq(employees.companyId, input.companyId), inArray(employees.id, ids)))
					.for('update');
				if (found.length !== ids.length) fail('NOT_FOUND', 'not_found');
				const already = found.filter((e) => e.disposedAt !== null).map((e) => e.code);
				if (already.length) fail('CONFLICT', 'disposal_already_disposed', { codes: shownCodes(already), count: already.length });

				const subs = await tx
					.select({ employeeId: submissions.employeeId, kind: submissions.kind, n: count() })
					.from(submissions)
					.where(inArray(submissions.employeeId, ids))
					.groupBy(submissions.employeeId, submissions.kind);
				const images = await tx
					.select({ employeeId: submissionImages.employeeId, n: count() })
					.from(submissionImages)
					.where(inArray(submissionImages.employeeId, ids))
					.groupBy(submissionImages.employeeId);
				const credentials = await tx
					.select({ employeeId: invitations.employeeId, n: count() })
					.from(invitations)
					.where(inArray(invitations.employeeId, ids))
					.groupBy(invitations.employeeId);
				const imagesOf = new Map(images.map((i) => [i.employeeId, Number(i.n)]));
				const invitedOf = new Set(credentials.filter((c) => Number(c.n) > 0).map((c) => c.employeeId));

				const people = found
					.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
					.map((e) => {
						const records = subs.filter((s) => s.employeeId === e.id && s.kind === 'record').reduce((n, s) => n + Number(s.n), 0);
						const refusals = subs.filter((s) => s.employeeId === e.id && s.kind === 'decline').reduce((n, s) => n + Number(s.n), 0);
						const imageCount = imagesOf.get(e.id) ?? 0;
						const documents: DisposalDocument[] = [];
						if (records) documents.push('number_record');
						if (refusals) documents.push('refusal_record');
						if (imageCount) documents.push('identity_images');
						if (e.sealedName || e.sealedProfile) documents.push('roster_entry');
						if (e.passwordHash || invitedOf.has(e.id)) documents.push('sign_in');
						return { employeeId: e.id, code: e.code, kind: e.kind, submissions: records + refusals, images: imageCount, documents };
					});

				// Children first: photos before their submissions, challenges and sessions before the
				// rows they name. Deleted, not flagged: nothing of it can be restored.
				await tx.delete(submissionImages).where(inArray(submissionImages.employeeId, ids));
				await tx.delete(submissions).where(inArray(submissions.employeeId, ids));
				await tx.delete(employeeRequests).where(inArray(employeeRequests.employeeId, ids));
				await tx.delete(sessions).where(inArray(sessions.employeeId, ids));
				await tx.delete(webauthnChallenges).where(inArray(webauthnChallenges.employeeId, ids));
				await tx.delete(employeePasskeys).where(inArray(employeePasskeys.employeeId, ids));
				await tx.delete(invitations).where(inArray(invitations.employeeId, ids));
				await tx
					.update(employees)
					.set({ sealedName: null, sealedProfile: null, passwordHash: null, deviceKeyWrapped: null, deviceInvitationId: null, joinedAt: null, disposedAt: now })
					.where(inArray(employees.id, ids));
				await tx.insert(disposals).values(
					people.map((p) => ({
						batchId,
						companyId: input.companyId,
						employeeId: p.employeeId,
						employeeCode: p.code,
						employeeKind: p.kind,
						submissions: p.submissions,
						images: p.images,
						documents: p.documents,
						basis: input.basis,
						note: noteText,
						responsibleId: ctx.user.id,
						disposedBy: ctx.user.id,
						disposedAt: now
					}))
				);
				// One event for the batch: counts and the batch id, never codes, names or numbers.
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, {
						companyId: input.companyId,
						action: 'dispose',
						targetType: 'company',
						targetId: input.companyId,
						detail: { count: people.length, batchId, basis: input.basis, submissions: people.reduce((n, p) => n + p.submissions, 0), images: people.reduce((n, p) => n + p.images, 0) }
					}),
					now
				);
				return { batchId, disposedAt: now.toISOString(), people };
			});
			// Deleted rows stay in the table pages until vacuumed, and PGlite has no autovacuum (PostgreSQL
			// does its own): prune them now. Plain VACUUM does not zero freed space or touch the WAL, so
			// older copies and the WAL may still hold the ciphertext until reused (docs/operations.md).
			if (ctx.services.handle.backend === 'pglite') await ctx.db.execute(sql`vacuum submission_images, submissions, invitations, employees, employee_requests, sessions, employee_passkeys, webauthn_challenges`).catch((error: unknown) => {
				// The SQLSTATE only, like every other log line: never a database message.
				const code = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code;
				ctx.services.log.warn('vacuum after disposal failed', { sqlState: typeof code === 'string' ? code : null });
			});
			return result;
		}),

	/**
	 * The company's disposal records, newest first, grouped by batch (one certificate each), or one
	 * batch. Any role in the company may read them: they hold codes, counts and handler names only.
	 * `issuer` is the disposing handler's organisation; `forClient` says it acted for a client
	 * company (another organisation, or an office whose name is not the company's).
	 */
	list: handlerProcedure.input(z.object({ companyId: uuid, batchId: uuid.optional() })).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const [company] = await ctx.db
			.select({ name: companies.name, corporateNumber: companies.corporateNumber, address: companies.address, orgId: companies.orgId })
			.from(companies)
			.where(eq(companies.id, input.companyId));
		if (!company) fail('NOT_FOUND', 'not_found');
		const disposer = alias(users, 'disposer');
		const responsible = alias(users, 'responsible');
		const rows = await ctx.db
			.select({
				batchId: disposals.batchId,
				employeeCode: disposals.employeeCode,
				employeeKind: disposals.employeeKind,
				submissions: disposals.submissions,
				images: disposals.images,
				documents: disposals.documents,
				basis: disposals.basis,
				note: disposals.note,
				disposedAt: disposals.disposedAt,
				disposerName: disposer.displayName,
				disposerLogin: disposer.loginId,
				disposerOrgId: disposer.orgId,
				orgName: organisations.name,
				responsibleName: responsible.displayName,
				responsibleLogin: responsible.loginId
			})
			.from(disposals)
			.innerJoin(disposer, eq(disposer.id, disposals.disposedBy))
			.innerJoin(responsible, eq(responsible.id, disposals.responsibleId))
			.innerJoin(organisations, eq(organisations.id, disposer.orgId))
			.where(and(eq(disposals.companyId, input.companyId), input.batchId ? eq(disposals.batchId, input.batchId) : isNotNull(disposals.batchId)))
			.orderBy(desc(disposals.disposedAt), asc(disposals.batchId), asc(disposals.employeeCode))
			.limit(20_000);
		const batches = new Map<string, ReturnType<typeof batchOf>>();
		function batchOf(r: (typeof rows)[number]) {
			const normalise = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
			return {
				batchId: r.batchId,
				disposedAt: r.disposedAt.toISOString(),
				basis: r.basis,
				note: r.note,
				disposedBy: { displayName: r.disposerName, loginId: r.disposerLogin },
				responsible: { displayName: r.responsibleName, loginId: r.responsibleLogin },
				issuer: { orgName: r.orgName, forClient: r.disposerOrgId !== company.orgId || normalise(r.orgName) !== normalise(company.name) },
				people: [] as { employeeCode: string; employeeKind: 'employee' | 'payee'; submissions: number; images: number; documents: string[] }[]
			};
		}
		for (const r of rows) {
			let batch = batches.get(r.batchId);
			if (!batch) batches.set(r.batchId, (batch = batchOf(r)));
			batch.people.push({ employeeCode: r.employeeCode, employeeKind: r.employeeKind, submissions: r.submissions, images: r.images, documents: r.documents });
		}
		return {
			company: { name: company.name, corporateNumber: company.corporateNumber, address: company.address },
			batches: [...batches.values()]
		};
	})
});
