import { randomBytes, randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, max, min, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { dataKeyEpochOf } from '../../../src/lib/crypto/index';
import { PERSON_KINDS } from '../../../src/lib/person/kind';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { hashRandomSecret } from '../../auth/password';
import { hashToken } from '../../auth/session';
import { companies, companyManifests, employeeRequests, employees, invitations, loginThrottle, submissions, users } from '../../db/schema';
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
			.select({ id: employees.id, code: employees.code, sealedName: employees.sealedName, sealedProfile: employees.sealedProfile, employment: employees.status, joinedAt: employees.joinedAt, kind: employees.kind, disposedAt: employees.disposedAt })
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
			.select({ id: submissions.id, employeeId: submissions.employeeId, createdAt: submissions.createdAt, epoch: submissions.epoch, kind: submissions.kind, state: submissions.status, sealedMask: submissions.sealedMask })
			.from(submissions)
			.where(eq(submissions.companyId, input.companyId))
			.orderBy(desc(submissions.createdAt));
		const latestOf = new Map<string, (typeof subs)[number]>();
		// The newest one that a correction has not replaced is the employee's current submission.
		for (const sub of subs) if (sub.state !== 'superseded' && !latestOf.has(sub.employeeId)) latestOf.set(sub.employeeId, sub);
		// First and latest request (letter or reminder) per employee, for the status board.
		const requests = await ctx.db
			.select({ employeeId: employeeRequests.employeeId, first: min(employeeRequests.createdAt), last: max(employeeRequests.createdAt) })
			.from(employeeRequests)
			.where(eq(employeeRequests.companyId, input.companyId))
			.groupBy(employeeRequests.employeeId);
		const requestsOf = new Map(requests.map((q) => [q.employeeId, q]));
		return rows.map((r) => {
			const invitation = invitationOf.get(r.id) ?? ('none' as const);
			const latest = latestOf.get(r.id);
			const submitted = latest ? (latest.kind === 'decline' ? 'declined' : latest.state === 'accepted' ? 'accepted' : latest.state === 'returned' ? 'returned' : 'submitted') : null;
			// A disposed person has nothing left but the code (issue 6 item 3).
			const status = r.disposedAt ? 'disposed' : (submitted ?? (r.joinedAt ? 'joined' : invitation === 'pending' ? 'invited' : 'not_invited'));
			return {
				id: r.id,
				code: r.code,
				sealedName: r.sealedName ? toB64(r.sealedName) : null,
				sealedProfile: r.sealedProfile ? toB64(r.sealedProfile) : null,
				employment: r.employment,
				status: status as 'accepted' | 'returned' | 'declined' | 'submitted' | 'joined' | 'invited' | 'not_invited' | 'disposed',
				/** When the person's data was disposed of (廃棄); null while kept. */
				disposedAt: r.disposedAt?.toISOString() ?? null,
				invitation,
				latestSubmission: latest
					? {
							id: latest.id,
							createdAt: latest.createdAt.toISOString(),
							epoch: latest.epoch,
							/** The last four digits sealed under the data key once a handler verified it (issue 6 item 1); null before. */
							sealedMask: latest.sealedMask ? toB64(latest.sealedMask) : null
						}
					: null,
				/** When the first notification letter or reminder was made; null: never asked. */
				requestedAt: requestsOf.get(r.id)?.first?.toISOString() ?? null,
				/** When the latest letter or reminder was made. */
				lastRequestAt: requestsOf.get(r.id)?.last?.toISOString() ?? null,
				/** `employee`, or `payee` (取引先・個人事業主, no department or employment status). */
				kind: r.kind
			};
		});
	}),

	/**
	 * Adds an employee, or a payee (`kind: 'payee'`: 取引先・個人事業主, for 支払調書): the code is
	 * metadata, the display name arrives sealed under the data key. Codes are unique per company
	 * across both kinds, so a letter, a list or an audit entry never leaves a doubt who is meant.
	 */
	create: handlerProcedure
		.input(z.object({ id: uuid, companyId: uuid, code: employeeCode, sealedName: b64(4096), kind: z.enum(PERSON_KINDS).default('employee') }))
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
				const [clash] = await tx
					.select({ kind: employees.kind })
					.from(employees)
					.where(and(eq(employees.companyId, input.companyId), eq(employees.code, input.code)));
				if (clash) fail('CONFLICT', clash.kind === 'payee' ? 'code_taken_by_payee' : 'employee_code_exists', { code: input.code });
				const sameId = await tx.select({ id: employees.id }).from(employees).where(eq(employees.id, input.id));
				if (sameId.length) fail('CONFLICT', 'invalid_input');
				await tx.insert(employees).values({
					id: input.id,
					companyId: input.companyId,
					code: input.code,
					sealedName,
					kind: input.kind,
					createdBy: ctx.user.id,
					createdAt: now
				});
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.companyId, action: 'employee_create', targetType: 'employee', targetId: input.id, detail: { code: input.code, kind: input.kind } }),
					now
				);
			});
			return { ok: true as const };
		}),

	/**
	 * Bulk roster import (seed 1-2; issue 5 item 3): up to 1,000 rows per call, in one transaction.
	 * New codes are inserted; a code that exists is updated (re-import) only when the browser
	 * sealed it for the same employee id, otherwise the whole batch is refused and nothing changes.
	 * A roster holds employees only: a code that belongs to a payee refuses the batch
	 * (`roster_code_payee`, naming the codes), so a re-import never turns a payee into an employee.
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
				return { id: r.id, companyId: input.companyId, code: r.code, sealedName, sealedProfile, status: r.status, kind: 'employee' as const, createdBy: ctx.user.id };
			});
			const now = ctx.services.now();
			const counts = await ctx.db.transaction(async (tx) => {
				const existing = await tx
					.select({ code: employees.code, kind: employees.kind })
					.from(employees)
					.where(and(eq(employees.companyId, input.companyId), inArray(employees.code, [...codes])));
				// Checked before writing so the error can name the codes (the first few) for the handler to fix in the file.
				const payees = existing.filter((e) => e.kind === 'payee').map((e) => e.code);
				if (payees.length) {
					payees.sort();
					const shown = payees.slice(0, 5).join('、') + (payees.length > 5 ? ' …' : '');
					fail('CONFLICT', 'roster_code_payee', { codes: shown, count: payees.length }, { codes: payees.slice(0, 100).join(',') });
				}
				// One statement for the batch; an update applies only where the ids agree (and, should
				// a payee appear meanwhile, never to a payee: the count check below then refuses all).
				const written = await tx
					.insert(employees)
					.values(values.map((v) => ({ ...v, createdAt: now })))
					.onConflictDoUpdate({
						target: [employees.companyId, employees.code],
						set: { sealedName: sql`excluded.sealed_name`, sealedProfile: sql`excluded.sealed_profile`, status: sql`excluded.status` },
						// Never a disposed person: re-sealing their name would bring back what was destroyed.
						setWhere: sql`${employees.id} = excluded.id and ${employees.kind} = 'employee' and ${employees.disposedAt} is null`
					})
					.returning({ id: employees.id });
				if (written.length !== values.length) fail('CONFLICT', 'roster_changed');
				const result = { created: values.length - existing.length, updated: existing.length };
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.companyId, action: 'employee_import', targetType: 'company', targetId: input.companyId, detail: { ...result, kind: 'employee' } }),
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
		const [employee] = await ctx.db.select({ companyId: employees.companyId, code: employees.code, kind: employees.kind, disposedAt: employees.disposedAt }).from(employees).where(eq(employees.id, input.employeeId));
		if (!employee) fail('NOT_FOUND', 'not_found');
		await requireRole(ctx, employee.companyId);
		if (employee.disposedAt) fail('CONFLICT', 'employee_disposed');
		// No submission may exist that only the server's copy of the keys could open (issue 3 item 5).
		const [company] = await ctx.db
			.select({ kitEpoch: companies.recoveryKitEpoch, currentEpoch: companies.currentEpoch, purposes: companies.purposes })
			.from(companies)
			.where(eq(companies.id, employee.companyId));
		if (!company || company.kitEpoch === null || company.kitEpoch < company.currentEpoch) fail('PRECONDITION_FAILED', 'recovery_kit_required');
		const token = randomBytes(32).toString('base64url');
		const password = initialPassword();
		// A random 60-bit secret, throttled at redemption: a fast salted hash is enough (see hashRandomSecret).
		const passwordHash = hashRandomSecret(password);
		const now = ctx.services.now();
		const expiresAt = new Date(now.getTime() + ctx.services.config.invitationDays * 86_400_000);
		await ctx.db.transaction(async (tx) => {
			await tx
				.update(invitations)
				.set({ revokedAt: now })
				.where(and(eq(invitations.employeeId, input.employeeId), isNull(invitations.usedAt), isNull(invitations.revokedAt)));
			const [invitation] = await tx
				.insert(invitations)
				.values({
					employeeId: input.employeeId,
					tokenHash: hashToken(token),
					passwordHash,
					sealedDeviceSecret,
					createdBy: ctx.user.id,
					createdAt: now,
					expiresAt
				})
				.returning({ id: invitations.id });
			// The request history (issue 5 item 5): who asked, when, for which purposes, with which letter.
			await tx.insert(employeeRequests).values({
				companyId: employee.companyId,
				employeeId: input.employeeId,
				kind: 'letter',
				purposes: company.purposes,
				invitationId: invitation!.id,
				createdBy: ctx.user.id,
				createdAt: now
			});
			await appendAuditInTx(
				tx,
				handlerEvent(ctx, { companyId: employee.companyId, action: 'employee_invite', targetType: 'employee', targetId: input.employeeId, detail: { kind: employee.kind } }),
				now
			);
		});
		return { token, initialPassword: password, expiresAt: expiresAt.toISOString() };
	}),

	/**
	 * Reminders (issue 5 item 5) for employees who joined but have nothing current to show: no
	 * submission, or one a handler returned. Each gets a `reminder` in the request history; no
	 * credentials change (they sign in with the password or passkey they set). The others are
	 * reported with why: `not_joined` (they need a notification letter instead, through `invite`),
	 * `submitted` or `declined`. An id not of this company refuses the whole batch (NOT_FOUND).
	 */
	remind: handlerProcedure
		.input(z.object({ companyId: uuid, employeeIds: z.array(uuid).min(1).max(1000) }))
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId);
			const ids = [...new Set(input.employeeIds)];
			const now = ctx.services.now();
			return ctx.db.transaction(async (tx) => {
				const [company] = await tx.select({ purposes: companies.purposes }).from(companies).where(eq(companies.id, input.companyId));
				const found = await tx
					.select({ id: employees.id, joinedAt: employees.joinedAt })
					.from(employees)
					.where(and(eq(employees.companyId, input.companyId), inArray(employees.id, ids)));
				// Ids of another company are not confirmed to exist, nor partly acted on.
				if (!company || found.length !== ids.length) fail('NOT_FOUND', 'not_found');
				const joined = new Map(found.map((e) => [e.id, e.joinedAt !== null]));
				const subs = await tx
					.select({ employeeId: submissions.employeeId, kind: submissions.kind, state: submissions.status })
					.from(submissions)
					.where(and(eq(submissions.companyId, input.companyId), inArray(submissions.employeeId, ids), ne(submissions.status, 'superseded')))
					.orderBy(desc(submissions.createdAt));
				const currentOf = new Map<string, (typeof subs)[number]>();
				for (const sub of subs) if (!currentOf.has(sub.employeeId)) currentOf.set(sub.employeeId, sub);

				const remind: string[] = [];
				const skipped: { id: string; reason: 'not_joined' | 'submitted' | 'declined' }[] = [];
				for (const id of ids) {
					const current = currentOf.get(id);
					if (!joined.get(id)) skipped.push({ id, reason: 'not_joined' });
					// A returned submission (record or refusal) waits for the employee: it counts as not submitted.
					else if (!current || current.state === 'returned') remind.push(id);
					else skipped.push({ id, reason: current.kind === 'decline' ? 'declined' : 'submitted' });
				}
				const firstOf = new Map<string, Date>();
				if (remind.length) {
					const firsts = await tx
						.select({ employeeId: employeeRequests.employeeId, first: min(employeeRequests.createdAt) })
						.from(employeeRequests)
						.where(and(eq(employeeRequests.companyId, input.companyId), inArray(employeeRequests.employeeId, remind)))
						.groupBy(employeeRequests.employeeId);
					for (const f of firsts) if (f.first) firstOf.set(f.employeeId, f.first);
					await tx.insert(employeeRequests).values(
						remind.map((employeeId) => ({ companyId: input.companyId, employeeId, kind: 'reminder' as const, purposes: company.purposes, invitationId: null, createdBy: ctx.user.id, createdAt: now }))
					);
					// One event for the batch: counts only, never names.
					await appendAuditInTx(
						tx,
						handlerEvent(ctx, { companyId: input.companyId, action: 'reminders_issue', targetType: 'company', targetId: input.companyId, detail: { count: remind.length, skipped: skipped.length } }),
						now
					);
				}
				return {
					remindedAt: now.toISOString(),
					purposes: company.purposes,
					/** The reminded, in input order, with the date of the first request (this reminder's when there was none). */
					reminded: remind.map((id) => ({ id, firstRequestedAt: (firstOf.get(id) ?? now).toISOString() })),
					skipped
				};
			});
		}),

	/**
	 * The request history of one employee, oldest first: each letter and reminder with who made it
	 * and, for a letter, what became of its invitation (kept to show the company asked, e.g. when
	 * the employee refuses).
	 */
	requests: handlerProcedure.input(z.object({ companyId: uuid, employeeId: uuid })).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const [employee] = await ctx.db
			.select({ id: employees.id })
			.from(employees)
			.where(and(eq(employees.id, input.employeeId), eq(employees.companyId, input.companyId)));
		if (!employee) fail('NOT_FOUND', 'not_found');
		const rows = await ctx.db
			.select({
				id: employeeRequests.id,
				kind: employeeRequests.kind,
				purposes: employeeRequests.purposes,
				createdAt: employeeRequests.createdAt,
				displayName: users.displayName,
				loginId: users.loginId,
				usedAt: invitations.usedAt,
				revokedAt: invitations.revokedAt,
				expiresAt: invitations.expiresAt
			})
			.from(employeeRequests)
			.innerJoin(users, eq(users.id, employeeRequests.createdBy))
			.leftJoin(invitations, eq(invitations.id, employeeRequests.invitationId))
			.where(and(eq(employeeRequests.companyId, input.companyId), eq(employeeRequests.employeeId, input.employeeId)))
			.orderBy(asc(employeeRequests.createdAt));
		const now = ctx.services.now();
		return rows.map((r) => ({
			id: r.id,
			kind: r.kind,
			purposes: r.purposes,
			createdAt: r.createdAt.toISOString(),
			createdBy: { displayName: r.displayName, loginId: r.loginId },
			/** What became of the letter's invitation; null for a reminder. */
			invitation: (!r.expiresAt ? null : r.usedAt ? 'used' : r.revokedAt ? 'revoked' : r.expiresAt <= now ? 'expired' : 'pending') as 'used' | 'revoked' | 'expired' | 'pending' | null
		}));
	}),

	/**
	 * Lifts an employee's sign-in lock (too many wrong passwords on their phone) before it expires
	 * by itself: the company's 責任者, after the employee asked. Recorded in the history.
	 */
	unlock: handlerProcedure.input(z.object({ companyId: uuid, employeeId: uuid }).strict()).mutation(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId, ['responsible']);
		const [employee] = await ctx.db
			.select({ code: employees.code })
			.from(employees)
			.where(and(eq(employees.id, input.employeeId), eq(employees.companyId, input.companyId)));
		if (!employee) fail('NOT_FOUND', 'not_found');
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			// The key auth.employeeLogin counts failures under.
			const cleared = await tx.delete(loginThrottle).where(eq(loginThrottle.key, `employee:${input.employeeId}`)).returning({ lockedUntil: loginThrottle.lockedUntil });
			if (!cleared.some((c) => c.lockedUntil && c.lockedUntil > now)) fail('CONFLICT', 'account_not_locked');
			await appendAuditInTx(
				tx,
				handlerEvent(ctx, { companyId: input.companyId, action: 'account_unlock', targetType: 'employee', targetId: input.employeeId, detail: { employeeId: input.employeeId, code: employee.code } }),
				now
			);
		});
		return { ok: true as const };
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
