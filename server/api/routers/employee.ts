import { randomBytes, randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { dataKeyEpochOf } from '../../../src/lib/crypto/index';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { hashPassword } from '../../auth/password';
import { hashToken } from '../../auth/session';
import { companies, companyManifests, employees, invitations, submissions } from '../../db/schema';
import { b64, employeeCode, toB64, toBytes, uuid } from '../inputs';
import { createTRPCRouter, employeeProcedure, fail, handlerProcedure, requireRole } from '../trpc';

/** Unambiguous characters for an initial password someone types from a printed letter. */
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function initialPassword(): string {
	const chars = Array.from({ length: 12 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]);
	return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((g) => g.join('')).join('-');
}

export const employeeRouter = createTRPCRouter({
	list: handlerProcedure.input(z.object({ companyId: uuid })).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const rows = await ctx.db
			.select({ id: employees.id, code: employees.code, sealedName: employees.sealedName, sealedProfile: employees.sealedProfile, employment: employees.status, joinedAt: employees.joinedAt })
			.from(employees)
			.where(eq(employees.companyId, input.companyId))
			.orderBy(asc(employees.code));
		// By company, not by a list of ids, and grouped in maps: a roster of 10,000 stays linear.
		const invites = await ctx.db
			.select({ employeeId: invitations.employeeId, usedAt: invitations.usedAt })
			.from(invitations)
			.innerJoin(employees, eq(employees.id, invitations.employeeId))
			.where(and(eq(employees.companyId, input.companyId), isNull(invitations.revokedAt)));
		const invitationOf = new Map<string, 'used' | 'pending'>();
		for (const i of invites) if (invitationOf.get(i.employeeId) !== 'used') invitationOf.set(i.employeeId, i.usedAt ? 'used' : 'pending');
		const subs = await ctx.db
			.select({ id: submissions.id, employeeId: submissions.employeeId, createdAt: submissions.createdAt, epoch: submissions.epoch, kind: submissions.kind, state: submissions.status })
			.from(submissions)
			.where(eq(submissions.companyId, input.companyId))
			.orderBy(desc(submissions.createdAt));
		const latestOf = new Map<string, (typeof subs)[number]>();
		// The newest one that a correction has not replaced is the employee's current submission.
		for (const sub of subs) if (sub.state !== 'superseded' && !latestOf.has(sub.employeeId)) latestOf.set(sub.employeeId, sub);
		return rows.map((r) => {
			const invitation = invitationOf.get(r.id) ?? ('none' as const);
			const latest = latestOf.get(r.id);
			const submitted = latest ? (latest.kind === 'decline' ? 'declined' : latest.state === 'accepted' ? 'accepted' : latest.state === 'returned' ? 'returned' : 'submitted') : null;
			const status = submitted ?? (r.joinedAt ? 'joined' : invitation === 'pending' ? 'invited' : 'not_invited');
			return {
				id: r.id,
				code: r.code,
				sealedName: toB64(r.sealedName),
				sealedProfile: r.sealedProfile ? toB64(r.sealedProfile) : null,
				employment: r.employment,
				status: status as 'accepted' | 'returned' | 'declined' | 'submitted' | 'joined' | 'invited' | 'not_invited',
				invitation,
				latestSubmission: latest ? { id: latest.id, createdAt: latest.createdAt.toISOString(), epoch: latest.epoch } : null
			};
		});
	}),

	/** Adds an employee: the code is metadata, the display name arrives sealed under the data key. */
	create: handlerProcedure
		.input(z.object({ id: uuid, companyId: uuid, code: employeeCode, sealedName: b64(4096) }))
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId);
			const sealedName = toBytes(input.sealedName);
			try {
				dataKeyEpochOf(sealedName);
			} catch {
				fail('BAD_REQUEST', 'sealed_data_invalid');
			}
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				const clash = await tx
					.select({ id: employees.id })
					.from(employees)
					.where(and(eq(employees.companyId, input.companyId), eq(employees.code, input.code)));
				if (clash.length) fail('CONFLICT', 'employee_code_exists', { code: input.code });
				const sameId = await tx.select({ id: employees.id }).from(employees).where(eq(employees.id, input.id));
				if (sameId.length) fail('CONFLICT', 'invalid_input');
				await tx.insert(employees).values({
					id: input.id,
					companyId: input.companyId,
					code: input.code,
					sealedName,
					createdBy: ctx.user.id,
					createdAt: now
				});
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.companyId, action: 'employee_create', targetType: 'employee', targetId: input.id, detail: { code: input.code } }),
					now
				);
			});
			return { ok: true as const };
		}),

	/**
	 * Bulk roster import (seed 1-2; issue 5 item 3): up to 1,000 rows per call, in one transaction.
	 * New codes are inserted; a code that exists is updated (re-import) only when the browser
	 * sealed it for the same employee id, otherwise the whole batch is refused and nothing changes.
	 */
	importRoster: handlerProcedure
		.input(
			z.object({
				companyId: uuid,
				rows: z
					.array(z.object({ id: uuid, code: employeeCode, sealedName: b64(4096), sealedProfile: b64(16 * 1024), status: z.enum(['active', 'offer', 'left']) }))
					.min(1)
					.max(1000)
			})
		)
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId);
			const codes = new Set(input.rows.map((r) => r.code));
			if (codes.size !== input.rows.length) fail('BAD_REQUEST', 'roster_duplicate_code');
			const values = input.rows.map((r) => {
				const sealedName = toBytes(r.sealedName);
				const sealedProfile = toBytes(r.sealedProfile);
				try {
					dataKeyEpochOf(sealedName);
					dataKeyEpochOf(sealedProfile);
				} catch {
					fail('BAD_REQUEST', 'sealed_data_invalid');
				}
				return { id: r.id, companyId: input.companyId, code: r.code, sealedName, sealedProfile, status: r.status, createdBy: ctx.user.id };
			});
			const now = ctx.services.now();
			const counts = await ctx.db.transaction(async (tx) => {
				const existing = await tx
					.select({ code: employees.code })
					.from(employees)
					.where(and(eq(employees.companyId, input.companyId), inArray(employees.code, [...codes])));
				// One statement for the batch; an update applies only where the ids agree.
				const written = await tx
					.insert(employees)
					.values(values.map((v) => ({ ...v, createdAt: now })))
					.onConflictDoUpdate({
						target: [employees.companyId, employees.code],
						set: { sealedName: sql`excluded.sealed_name`, sealedProfile: sql`excluded.sealed_profile`, status: sql`excluded.status` },
						setWhere: sql`${employees.id} = excluded.id`
					})
					.returning({ id: employees.id });
				if (written.length !== values.length) fail('CONFLICT', 'roster_changed');
				const result = { created: values.length - existing.length, updated: existing.length };
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.companyId, action: 'employee_import', targetType: 'company', targetId: input.companyId, detail: result }),
					now
				);
				return result;
			});
			return counts;
		}),

	/**
	 * Issues a one-time join link and an initial password (shown once). Earlier unused
	 * invitations of the same employee stop working.
	 */
	invite: handlerProcedure.input(z.object({ employeeId: uuid, sealedDeviceSecret: b64(256) })).mutation(async ({ ctx, input }) => {
		const sealedDeviceSecret = toBytes(input.sealedDeviceSecret);
		try {
			dataKeyEpochOf(sealedDeviceSecret);
		} catch {
			fail('BAD_REQUEST', 'sealed_data_invalid');
		}
		const [employee] = await ctx.db.select({ companyId: employees.companyId, code: employees.code }).from(employees).where(eq(employees.id, input.employeeId));
		if (!employee) fail('NOT_FOUND', 'not_found');
		await requireRole(ctx, employee.companyId);
		// No submission may exist that only the server's copy of the keys could open (issue 3 item 5).
		const [company] = await ctx.db
			.select({ kitEpoch: companies.recoveryKitEpoch, currentEpoch: companies.currentEpoch })
			.from(companies)
			.where(eq(companies.id, employee.companyId));
		if (!company || company.kitEpoch === null || company.kitEpoch < company.currentEpoch) fail('PRECONDITION_FAILED', 'recovery_kit_required');
		const token = randomBytes(32).toString('base64url');
		const password = initialPassword();
		const passwordHash = await hashPassword(password, ctx.services.config.passwordLogN);
		const now = ctx.services.now();
		const expiresAt = new Date(now.getTime() + ctx.services.config.invitationDays * 86_400_000);
		await ctx.db.transaction(async (tx) => {
			await tx
				.update(invitations)
				.set({ revokedAt: now })
				.where(and(eq(invitations.employeeId, input.employeeId), isNull(invitations.usedAt), isNull(invitations.revokedAt)));
			await tx.insert(invitations).values({
				employeeId: input.employeeId,
				tokenHash: hashToken(token),
				passwordHash,
				sealedDeviceSecret,
				createdBy: ctx.user.id,
				createdAt: now,
				expiresAt
			});
			await appendAuditInTx(
				tx,
				handlerEvent(ctx, { companyId: employee.companyId, action: 'employee_invite', targetType: 'employee', targetId: input.employeeId }),
				now
			);
		});
		return { token, initialPassword: password, expiresAt: expiresAt.toISOString() };
	}),

	/** The company's root public key and manifest chain, for the employee's browser to verify. */
	companyKeys: employeeProcedure.query(async ({ ctx }) => {
		const [company] = await ctx.db
			.select({ id: companies.id, rootPublicKey: companies.rootPublicKey, rootFingerprint: companies.rootFingerprint })
			.from(companies)
			.where(eq(companies.id, ctx.employee.companyId));
		if (!company) fail('NOT_FOUND', 'not_found');
		const manifests = await ctx.db
			.select({ body: companyManifests.body, signature: companyManifests.signature })
			.from(companyManifests)
			.where(eq(companyManifests.companyId, company.id))
			.orderBy(asc(companyManifests.epoch));
		return {
			companyId: company.id,
			employeeId: ctx.employee.id,
			rootPublicKey: company.rootPublicKey,
			rootFingerprint: company.rootFingerprint,
			manifests
		};
	})
});
