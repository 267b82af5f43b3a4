import { and, asc, count, countDistinct, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import { fingerprint, isAgeFile, verifyCompanyPin, verifyManifestChain, verifyMemberStatement, type Member } from '../../../src/lib/crypto/index';
import { isValidCorporateNumber, normalizeNumberInput } from '../../../src/lib/mynumber/index';
import { isPurpose, PURPOSES } from '../../../src/lib/purposes/index';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { auditEvents, companies, companyManifests, companyRoles, employees, handlerKeys, invitations, keyGrants, organisations, submissions, users } from '../../db/schema';
import type { Db } from '../../db';
import { b64, plainText, sealedGrant, signedManifest, toB64, toBytes, uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure, requireRole, type Context } from '../trpc';
import { grantableOrgIds } from './partner';

/** A member statement as the root signed it. */
const memberInput = z.object({ statement: z.string().min(10).max(10_000), signature: b64(128) });

/**
 * The server checks what it can of a member statement: the root signed it, and it names the
 * company, the user and that user's registered keys. The browsers check again for themselves.
 */
async function checkMember(
	db: Context['db'],
	p: { companyId: string; rootPublicKey: string; userId: string; role: 'responsible' | 'staff'; member: { statement: string; signature: string } }
): Promise<Member> {
	let member: Member;
	try {
		member = verifyMemberStatement(p.rootPublicKey, p.member, { companyId: p.companyId, userId: p.userId });
	} catch {
		fail('BAD_REQUEST', 'member_invalid');
	}
	const [key] = await db.select().from(handlerKeys).where(eq(handlerKeys.userId, p.userId));
	if (!key) fail('PRECONDITION_FAILED', 'handler_key_missing');
	if (member.role !== p.role || member.recipient !== key.recipient || member.signingPublicKey !== key.signingPublicKey) fail('BAD_REQUEST', 'member_invalid');
	return member;
}

/** Epoch grants as sent by a browser: one sealed copy per epoch. */
const epochGrantsInput = z.array(sealedGrant.extend({ epoch: z.number().int().min(1).max(1_000_000) })).min(1).max(1000);

/** Where a company's roster stands, for the dashboard (metadata only: counts of states). */
export interface CompanyProgress {
	employees: number;
	/** Employees whose current submission waits for a check, was returned, accepted or is a refusal. */
	waiting: number;
	returned: number;
	accepted: number;
	declined: number;
	/** Employees who were ever sent a letter or an invitation (the onboarding checklist's last step). */
	invited: number;
}

/** Counts per company in two grouped reads, so a dashboard of many companies stays cheap. */
async function progressOf(db: Db, companyIds: string[]): Promise<Map<string, CompanyProgress>> {
	const out = new Map<string, CompanyProgress>(companyIds.map((id) => [id, { employees: 0, waiting: 0, returned: 0, accepted: 0, declined: 0, invited: 0 }]));
	if (!companyIds.length) return out;
	const counts = await db
		.select({ companyId: employees.companyId, n: count() })
		.from(employees)
		.where(inArray(employees.companyId, companyIds))
		.groupBy(employees.companyId);
	for (const c of counts) out.get(c.companyId)!.employees = c.n;
	// Revoked invitations count too: the person was asked, a later letter only replaced the link.
	const invited = await db
		.select({ companyId: employees.companyId, n: countDistinct(invitations.employeeId) })
		.from(invitations)
		.innerJoin(employees, eq(employees.id, invitations.employeeId))
		.where(inArray(employees.companyId, companyIds))
		.groupBy(employees.companyId);
	for (const c of invited) out.get(c.companyId)!.invited = c.n;
	const subs = await db
		.select({ companyId: submissions.companyId, employeeId: submissions.employeeId, kind: submissions.kind, status: submissions.status })
		.from(submissions)
		.where(and(inArray(submissions.companyId, companyIds), ne(submissions.status, 'superseded')))
		.orderBy(desc(submissions.createdAt));
	// The newest one that a correction has not replaced is the employee's current submission (as employee.list).
	const seen = new Set<string>();
	for (const sub of subs) {
		if (seen.has(sub.employeeId)) continue;
		seen.add(sub.employeeId);
		const p = out.get(sub.companyId)!;
		if (sub.kind === 'decline') p.declined += 1;
		else if (sub.status === 'accepted') p.accepted += 1;
		else if (sub.status === 'returned') p.returned += 1;
		else p.waiting += 1;
	}
	return out;
}

export const companyRouter = createTRPCRouter({
	list: handlerProcedure.query(async ({ ctx }) => {
		const rows = await ctx.db
			.select({
				id: companies.id,
				name: companies.name,
				corporateNumber: companies.corporateNumber,
				role: companyRoles.role,
				currentEpoch: companies.currentEpoch,
				rootFingerprint: companies.rootFingerprint,
				recoveryKitEpoch: companies.recoveryKitEpoch,
				orgId: companies.orgId,
				orgName: organisations.name
			})
			.from(companyRoles)
			.innerJoin(companies, eq(companies.id, companyRoles.companyId))
			.innerJoin(organisations, eq(organisations.id, companies.orgId))
			.where(and(eq(companyRoles.userId, ctx.user.id), isNull(companyRoles.revokedAt)))
			.orderBy(asc(companies.name));
		const progress = await progressOf(ctx.db, rows.map((r) => r.id));
		// The purposes have a default; whether a 責任者 chose them is only in the history (indexed by company and action).
		const purposesSaved = rows.length
			? new Set(
					(
						await ctx.db
							.selectDistinct({ companyId: auditEvents.companyId })
							.from(auditEvents)
							.where(and(inArray(auditEvents.companyId, rows.map((r) => r.id)), eq(auditEvents.action, 'purposes_update'), eq(auditEvents.result, 'ok')))
					).map((e) => e.companyId)
				)
			: new Set<string | null>();
		// A company of a partner office names that office, so a handler knows whose data it is.
		return rows.map(({ orgId, orgName, recoveryKitEpoch, ...r }) => ({
			...r,
			partnerOrgName: orgId === ctx.user.orgId ? null : orgName,
			progress: progress.get(r.id)!,
			/** A confirmed recovery kit covers the current key epoch (the onboarding checklist; invitations need it). */
			recoveryKitCurrent: recoveryKitEpoch !== null && recoveryKitEpoch >= r.currentEpoch,
			/** A 責任者 saved the purposes of use at least once (before that, the default set applies). */
			purposesSaved: purposesSaved.has(r.id)
		}));
	}),

	/**
	 * Registers a client company whose keys were made in the creator's browser: the root
	 * public key, the root-signed manifest of epoch 1 and the keys sealed to the creator.
	 * The creator becomes its 事務取扱責任者.
	 */
	create: handlerProcedure
		.input(
			z.object({
				id: uuid,
				name: plainText(200),
				corporateNumber: z.string().max(40).nullable(),
				rootPublicKey: b64(32),
				manifest: signedManifest,
				epochGrant: sealedGrant,
				rootGrant: sealedGrant,
				/** The creator's member statement (root-signed) and pin (self-signed). */
				member: memberInput,
				pinSignature: b64(128)
			})
		)
		.mutation(async ({ ctx, input }) => {
			// Authorisation before anything about the input, so an outsider learns nothing from the checks below.
			if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
			let corporateNumber: string | null = null;
			if (input.corporateNumber !== null && input.corporateNumber.trim() !== '') {
				if (!isValidCorporateNumber(input.corporateNumber)) fail('BAD_REQUEST', 'corporate_number_invalid');
				corporateNumber = normalizeNumberInput(input.corporateNumber);
			}
			const rootPublicKey = toBytes(input.rootPublicKey);
			if (rootPublicKey.length !== 32) fail('BAD_REQUEST', 'manifest_invalid');
			// The server checks what it can, so a broken client cannot store an unusable company;
			// the browsers that use the keys verify the chain themselves.
			let manifest;
			try {
				manifest = verifyManifestChain(rootPublicKey, [input.manifest], { companyId: input.id });
			} catch {
				fail('BAD_REQUEST', 'manifest_invalid');
			}
			if (manifest.epoch !== 1) fail('BAD_REQUEST', 'manifest_invalid');
			if (manifest.members && (manifest.members.length !== 1 || manifest.members[0] !== ctx.user.id)) fail('BAD_REQUEST', 'manifest_invalid');
			const epochCiphertext = toBytes(input.epochGrant.ciphertext);
			const rootCiphertext = toBytes(input.rootGrant.ciphertext);
			if (!isAgeFile(epochCiphertext) || !isAgeFile(rootCiphertext)) fail('BAD_REQUEST', 'sealed_data_invalid');
			const [key] = await ctx.db.select({ userId: handlerKeys.userId }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
			if (!key) fail('PRECONDITION_FAILED', 'handler_key_missing');
			const creator = await checkMember(ctx.db, { companyId: input.id, rootPublicKey: input.rootPublicKey, userId: ctx.user.id, role: 'responsible', member: input.member });
			if (creator.epoch !== 1) fail('BAD_REQUEST', 'member_invalid');
			const [own] = await ctx.db.select({ signingPublicKey: handlerKeys.signingPublicKey }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
			if (!verifyCompanyPin(own!.signingPublicKey, input.id, input.rootPublicKey, input.pinSignature)) fail('BAD_REQUEST', 'member_invalid');

			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				const existing = await tx.select({ id: companies.id }).from(companies).where(eq(companies.id, input.id));
				if (existing.length) fail('CONFLICT', 'company_exists');
				await tx.insert(companies).values({
					id: input.id,
					orgId: ctx.user.orgId,
					name: input.name,
					corporateNumber,
					rootPublicKey: input.rootPublicKey,
					rootFingerprint: fingerprint(rootPublicKey),
					currentEpoch: 1,
					createdBy: ctx.user.id,
					createdAt: now
				});
				await tx.insert(companyManifests).values({ companyId: input.id, epoch: 1, ...input.manifest, createdAt: now });
				await tx.insert(companyRoles).values({
					companyId: input.id,
					userId: ctx.user.id,
					role: 'responsible',
					grantedBy: ctx.user.id,
					memberStatement: input.member.statement,
					memberSignature: input.member.signature,
					pinSignature: input.pinSignature,
					createdAt: now
				});
				await tx.insert(keyGrants).values([
					{ companyId: input.id, userId: ctx.user.id, kind: 'epoch', epoch: 1, ciphertext: epochCiphertext, signature: input.epochGrant.signature, grantedBy: ctx.user.id, createdAt: now },
					{ companyId: input.id, userId: ctx.user.id, kind: 'root', epoch: null, ciphertext: rootCiphertext, signature: input.rootGrant.signature, grantedBy: ctx.user.id, createdAt: now }
				]);
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.id, action: 'company_create', targetType: 'company', targetId: input.id, detail: { epoch: 1, role: 'responsible' } }),
					now
				);
			});
			return { ok: true as const };
		}),

	/**
	 * A 責任者 confirms that a recovery kit holding the keys up to `epoch` is stored (issue 3 item
	 * 5). The kit itself never reaches the server; this only unlocks invitations and records who
	 * vouched for it. Confirming an older epoch than already confirmed is refused.
	 */
	confirmRecoveryKit: handlerProcedure
		.input(z.object({ companyId: uuid, epoch: z.number().int().min(1).max(1_000_000) }))
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId, ['responsible']);
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				const [company] = await tx
					.select({ currentEpoch: companies.currentEpoch, kitEpoch: companies.recoveryKitEpoch })
					.from(companies)
					.where(eq(companies.id, input.companyId))
					.for('update');
				if (!company) fail('NOT_FOUND', 'not_found');
				if (input.epoch > company.currentEpoch || (company.kitEpoch !== null && input.epoch < company.kitEpoch)) {
					fail('CONFLICT', 'recovery_kit_outdated');
				}
				await tx
					.update(companies)
					.set({ recoveryKitEpoch: input.epoch, recoveryKitConfirmedAt: now, recoveryKitConfirmedBy: ctx.user.id })
					.where(eq(companies.id, input.companyId));
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.companyId, action: 'recovery_kit_confirm', targetType: 'company', targetId: input.companyId, detail: { epoch: input.epoch } }),
					now
				);
			});
			return { ok: true as const };
		}),

	/**
	 * The company's notified 利用目的 (責任者 only). They apply to what employees submit from now on;
	 * each submission seals the set its employee acknowledged (DOMAIN.md §5: a new purpose needs a new notice).
	 */
	setPurposes: handlerProcedure
		.input(z.object({ companyId: uuid, purposes: z.array(z.enum(PURPOSES)).min(1).max(PURPOSES.length) }))
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId, ['responsible']);
			const purposes = PURPOSES.filter((p) => input.purposes.includes(p));
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				await tx.update(companies).set({ purposes }).where(eq(companies.id, input.companyId));
				await appendAuditInTx(tx, handlerEvent(ctx, { companyId: input.companyId, action: 'purposes_update', targetType: 'company', targetId: input.companyId, detail: { purposes: purposes.join(',') } }), now);
			});
			return { purposes };
		}),

	/**
	 * The company's address and its departments (責任者 only). Both are business information like the
	 * 法人番号, not personal data, so they are stored in plaintext. Departments are names the roster
	 * and the status board group by: trimmed, unique, at most 100 of at most 50 characters.
	 */
	updateDetails: handlerProcedure
		.input(z.object({ companyId: uuid, address: plainText(300).nullable(), departments: z.array(plainText(50)).max(100) }))
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId, ['responsible']);
			// Compared as NFKC so that ＩＴ部 and IT部 do not become two departments.
			const seen = new Set<string>();
			for (const name of input.departments) {
				const key = name.normalize('NFKC');
				if (seen.has(key)) fail('BAD_REQUEST', 'department_duplicate', { name });
				seen.add(key);
			}
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				await tx.update(companies).set({ address: input.address, departments: input.departments }).where(eq(companies.id, input.companyId));
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.companyId, action: 'company_details_update', targetType: 'company', targetId: input.companyId, detail: { address: input.address !== null, departments: input.departments.length } }),
					now
				);
			});
			return { address: input.address, departments: input.departments };
		}),

	/**
	 * Data minimisation (issue 5 item 6, 責任者 only): delete the document photos this many days after
	 * a submission was accepted (`server/sweep.ts`), or keep them until disposal (`null`). The record stays.
	 */
	setImageRetention: handlerProcedure
		.input(
			z.object({
				companyId: uuid,
				// One custom check, so 0, 3651, 1.5 and 'x' all get the same message that names the range.
				days: z.custom<number | null>((v) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 3650), { message: 'image_retention_days_invalid' })
			})
		)
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId, ['responsible']);
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				await tx.update(companies).set({ imageRetentionDays: input.days }).where(eq(companies.id, input.companyId));
				await appendAuditInTx(tx, handlerEvent(ctx, { companyId: input.companyId, action: 'image_retention_update', targetType: 'company', targetId: input.companyId, detail: { days: input.days } }), now);
			});
			return { imageRetentionDays: input.days };
		}),

	/**
	 * Handlers who have keys and no active role in this company yet (責任者 only): those of the
	 * organisation that owns the company and of its partner offices, each with the office's name.
	 */
	candidates: handlerProcedure.input(z.object({ companyId: uuid })).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId, ['responsible']);
		const [company] = await ctx.db.select({ orgId: companies.orgId }).from(companies).where(eq(companies.id, input.companyId));
		if (!company) fail('NOT_FOUND', 'not_found');
		const orgIds = await grantableOrgIds(ctx.db, company.orgId, ctx.user.orgId);
		const active = await ctx.db
			.select({ userId: companyRoles.userId })
			.from(companyRoles)
			.where(and(eq(companyRoles.companyId, input.companyId), isNull(companyRoles.revokedAt)));
		const rows = await ctx.db
			.select({
				userId: users.id,
				loginId: users.loginId,
				displayName: users.displayName,
				orgName: organisations.name,
				recipient: handlerKeys.recipient,
				signingPublicKey: handlerKeys.signingPublicKey,
				fingerprint: handlerKeys.fingerprint,
				orgId: users.orgId
			})
			.from(users)
			.innerJoin(handlerKeys, eq(handlerKeys.userId, users.id))
			.innerJoin(organisations, eq(organisations.id, users.orgId))
			.where(inArray(users.orgId, orgIds))
			.orderBy(asc(organisations.name), asc(users.loginId));
		const taken = new Set(active.map((a) => a.userId));
		return rows.filter((r) => !taken.has(r.userId)).map(({ orgId, ...r }) => ({ ...r, partner: orgId !== company.orgId }));
	}),

	/**
	 * A 責任者 grants the company's keys to another handler of the office or of a partner office, after both compared the
	 * new handler's fingerprint: a root-signed member statement and every epoch's keys sealed to
	 * the new handler (and the root key for a 責任者), each signed by the granter.
	 */
	grant: handlerProcedure
		.input(
			z.object({
				companyId: uuid,
				userId: uuid,
				role: z.enum(['responsible', 'staff']),
				member: memberInput,
				epochGrants: epochGrantsInput,
				rootGrant: sealedGrant.nullable()
			})
		)
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId, ['responsible']);
			const [company] = await ctx.db.select().from(companies).where(eq(companies.id, input.companyId));
			if (!company) fail('NOT_FOUND', 'not_found');
			const [grantee] = await ctx.db.select({ orgId: users.orgId }).from(users).where(eq(users.id, input.userId));
			// The owning organisation's handlers, or a partner office's (seed patterns 1–3); checked again under lock below.
			if (!grantee || !(await grantableOrgIds(ctx.db, company.orgId, ctx.user.orgId)).includes(grantee.orgId)) fail('NOT_FOUND', 'not_found');
			const member = await checkMember(ctx.db, { companyId: input.companyId, rootPublicKey: company.rootPublicKey, userId: input.userId, role: input.role, member: input.member });
			// The statement names the epoch it joins: browsers count it as active only during that epoch.
			if (member.epoch !== company.currentEpoch) fail('BAD_REQUEST', 'member_invalid');
			const epochs = input.epochGrants.map((g) => g.epoch).sort((a, b) => a - b);
			if (epochs.length !== company.currentEpoch || epochs.some((e, i) => e !== i + 1)) fail('BAD_REQUEST', 'grant_incomplete');
			if ((input.role === 'responsible') !== (input.rootGrant !== null)) fail('BAD_REQUEST', 'grant_incomplete');
			const sealed = [...input.epochGrants, ...(input.rootGrant ? [input.rootGrant] : [])].map((g) => toBytes(g.ciphertext));
			if (!sealed.every(isAgeFile)) fail('BAD_REQUEST', 'sealed_data_invalid');
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				const [existing] = await tx
					.select({ revokedAt: companyRoles.revokedAt })
					.from(companyRoles)
					.where(and(eq(companyRoles.companyId, input.companyId), eq(companyRoles.userId, input.userId)))
					.for('update');
				if (existing && existing.revokedAt === null) fail('CONFLICT', 'member_exists');
				// Holds the partnership FOR SHARE, so ending it waits for this grant and then sees its role.
				if (!(await grantableOrgIds(tx, company.orgId, ctx.user.orgId, true)).includes(grantee.orgId)) fail('NOT_FOUND', 'not_found');
				const role = {
					role: input.role,
					grantedBy: ctx.user.id,
					memberStatement: input.member.statement,
					memberSignature: input.member.signature,
					pinSignature: null,
					createdAt: now,
					revokedAt: null,
					revokedBy: null
				};
				if (existing) {
					await tx.update(companyRoles).set(role).where(and(eq(companyRoles.companyId, input.companyId), eq(companyRoles.userId, input.userId)));
					// Grants from before the revocation are replaced by this one.
					await tx.delete(keyGrants).where(and(eq(keyGrants.companyId, input.companyId), eq(keyGrants.userId, input.userId)));
				} else {
					await tx.insert(companyRoles).values({ companyId: input.companyId, userId: input.userId, ...role });
				}
				await tx.insert(keyGrants).values([
					...input.epochGrants.map((g) => ({
						companyId: input.companyId,
						userId: input.userId,
						kind: 'epoch' as const,
						epoch: g.epoch,
						ciphertext: toBytes(g.ciphertext),
						signature: g.signature,
						grantedBy: ctx.user.id,
						createdAt: now
					})),
					...(input.rootGrant
						? [{ companyId: input.companyId, userId: input.userId, kind: 'root' as const, epoch: null, ciphertext: toBytes(input.rootGrant.ciphertext), signature: input.rootGrant.signature, grantedBy: ctx.user.id, createdAt: now }]
						: [])
				]);
				await appendAuditInTx(tx, handlerEvent(ctx, { companyId: input.companyId, action: 'key_grant', targetType: 'user', targetId: input.userId, detail: { role: input.role, epochs: epochs.length } }), now);
			});
			return { ok: true as const };
		}),

	/** A member pins the company root key after comparing its fingerprint (their own signature). */
	pin: handlerProcedure.input(z.object({ companyId: uuid, pinSignature: b64(128) })).mutation(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const [company] = await ctx.db.select({ rootPublicKey: companies.rootPublicKey }).from(companies).where(eq(companies.id, input.companyId));
		const [key] = await ctx.db.select({ signingPublicKey: handlerKeys.signingPublicKey }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
		if (!company || !key) fail('NOT_FOUND', 'not_found');
		if (!verifyCompanyPin(key.signingPublicKey, input.companyId, company.rootPublicKey, input.pinSignature)) fail('BAD_REQUEST', 'member_invalid');
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			await tx
				.update(companyRoles)
				.set({ pinSignature: input.pinSignature })
				.where(and(eq(companyRoles.companyId, input.companyId), eq(companyRoles.userId, ctx.user.id)));
			await appendAuditInTx(tx, handlerEvent(ctx, { companyId: input.companyId, action: 'key_pin', targetType: 'company', targetId: input.companyId }), now);
		});
		return { ok: true as const };
	}),

	/**
	 * Removes a handler from the company and starts a new key epoch: a root-signed manifest that
	 * extends the chain, and the new epoch's keys sealed to every remaining member. New
	 * submissions go to the new epoch; what the removed handler already saw cannot be taken back.
	 */
	revoke: handlerProcedure
		.input(
			z.object({
				companyId: uuid,
				userId: uuid,
				manifest: signedManifest,
				grants: z.array(sealedGrant.extend({ userId: uuid })).min(1).max(1000)
			})
		)
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId, ['responsible']);
			if (input.userId === ctx.user.id) fail('BAD_REQUEST', 'revoke_self');
			const now = ctx.services.now();
			const epoch = await ctx.db.transaction(async (tx) => {
				const [company] = await tx.select().from(companies).where(eq(companies.id, input.companyId)).for('update');
				if (!company) fail('NOT_FOUND', 'not_found');
				const members = await tx
					.select({ userId: companyRoles.userId })
					.from(companyRoles)
					.where(and(eq(companyRoles.companyId, input.companyId), isNull(companyRoles.revokedAt)));
				if (!members.some((m) => m.userId === input.userId)) fail('NOT_FOUND', 'not_found');
				const remaining = members.map((m) => m.userId).filter((id) => id !== input.userId).sort();
				// The owning office always keeps a 責任者 of its own: a partner's 責任者 cannot lock it out of its company.
				const ownResponsible = await tx
					.select({ userId: companyRoles.userId })
					.from(companyRoles)
					.innerJoin(users, eq(users.id, companyRoles.userId))
					.where(and(eq(companyRoles.companyId, input.companyId), isNull(companyRoles.revokedAt), eq(companyRoles.role, 'responsible'), eq(users.orgId, company.orgId)));
				if (!ownResponsible.some((r) => r.userId !== input.userId)) fail('CONFLICT', 'revoke_last_owner_responsible');
				const granted = input.grants.map((g) => g.userId).sort();
				if (remaining.join() !== granted.join()) fail('BAD_REQUEST', 'grant_incomplete');
				if (!input.grants.every((g) => isAgeFile(toBytes(g.ciphertext)))) fail('BAD_REQUEST', 'sealed_data_invalid');
				const chain = await tx
					.select({ body: companyManifests.body, signature: companyManifests.signature })
					.from(companyManifests)
					.where(eq(companyManifests.companyId, input.companyId))
					.orderBy(asc(companyManifests.epoch));
				let next;
				try {
					next = verifyManifestChain(company.rootPublicKey, [...chain, input.manifest], { companyId: input.companyId });
				} catch {
					fail('BAD_REQUEST', 'manifest_invalid');
				}
				if (next.epoch !== company.currentEpoch + 1) fail('CONFLICT', 'manifest_invalid');
				// The root-signed member list of the new epoch must be exactly who gets its keys.
				if (!next.members || [...next.members].sort().join() !== remaining.join()) fail('BAD_REQUEST', 'grant_incomplete');
				await tx.insert(companyManifests).values({ companyId: input.companyId, epoch: next.epoch, ...input.manifest, createdAt: now });
				await tx.update(companies).set({ currentEpoch: next.epoch }).where(eq(companies.id, input.companyId));
				await tx
					.update(companyRoles)
					.set({ revokedAt: now, revokedBy: ctx.user.id })
					.where(and(eq(companyRoles.companyId, input.companyId), eq(companyRoles.userId, input.userId)));
				// The removed handler saw the links, initial passwords and device secrets of invitations they
				// issued: unused ones stop working (they show as not invited, for a new invitation).
				await tx
					.update(invitations)
					.set({ revokedAt: now })
					.where(
						and(
							eq(invitations.createdBy, input.userId),
							isNull(invitations.usedAt),
							isNull(invitations.revokedAt),
							inArray(invitations.employeeId, tx.select({ id: employees.id }).from(employees).where(eq(employees.companyId, input.companyId)))
						)
					);
				await tx.insert(keyGrants).values(
					input.grants.map((g) => ({
						companyId: input.companyId,
						userId: g.userId,
						kind: 'epoch' as const,
						epoch: next.epoch,
						ciphertext: toBytes(g.ciphertext),
						signature: g.signature,
						grantedBy: ctx.user.id,
						createdAt: now
					}))
				);
				await appendAuditInTx(tx, handlerEvent(ctx, { companyId: input.companyId, action: 'key_revoke', targetType: 'user', targetId: input.userId, detail: { epoch: next.epoch } }), now);
				return next.epoch;
			});
			return { epoch };
		}),

	/** A company with its manifest chain and the caller's own key grants. */
	get: handlerProcedure.input(z.object({ companyId: uuid })).query(async ({ ctx, input }) => {
		const role = await requireRole(ctx, input.companyId);
		const [company] = await ctx.db.select().from(companies).where(eq(companies.id, input.companyId));
		if (!company) fail('NOT_FOUND', 'not_found');
		const manifests = await ctx.db
			.select({ body: companyManifests.body, signature: companyManifests.signature })
			.from(companyManifests)
			.where(eq(companyManifests.companyId, input.companyId))
			.orderBy(asc(companyManifests.epoch));
		const grants = await ctx.db
			.select({
				kind: keyGrants.kind,
				epoch: keyGrants.epoch,
				ciphertext: keyGrants.ciphertext,
				signature: keyGrants.signature,
				grantedBy: keyGrants.grantedBy,
				granterSigningPublicKey: handlerKeys.signingPublicKey
			})
			.from(keyGrants)
			.innerJoin(handlerKeys, eq(handlerKeys.userId, keyGrants.grantedBy))
			.where(and(eq(keyGrants.companyId, input.companyId), eq(keyGrants.userId, ctx.user.id)))
			.orderBy(asc(keyGrants.createdAt));
		const memberRows = await ctx.db
			.select({
				userId: companyRoles.userId,
				role: companyRoles.role,
				statement: companyRoles.memberStatement,
				signature: companyRoles.memberSignature,
				pinSignature: companyRoles.pinSignature,
				revokedAt: companyRoles.revokedAt,
				loginId: users.loginId,
				displayName: users.displayName,
				orgName: organisations.name,
				orgId: users.orgId,
				fingerprint: handlerKeys.fingerprint
			})
			.from(companyRoles)
			.innerJoin(users, eq(users.id, companyRoles.userId))
			.innerJoin(organisations, eq(organisations.id, users.orgId))
			.leftJoin(handlerKeys, eq(handlerKeys.userId, companyRoles.userId))
			.where(eq(companyRoles.companyId, input.companyId))
			.orderBy(asc(users.loginId));
		const [confirmer] = company.recoveryKitConfirmedBy
			? await ctx.db.select({ loginId: users.loginId }).from(users).where(eq(users.id, company.recoveryKitConfirmedBy))
			: [];
		return {
			id: company.id,
			name: company.name,
			purposes: company.purposes.filter(isPurpose),
			/** Days after acceptance the document photos are kept; null: until disposal. */
			imageRetentionDays: company.imageRetentionDays,
			corporateNumber: company.corporateNumber,
			address: company.address,
			departments: company.departments,
			rootPublicKey: company.rootPublicKey,
			rootFingerprint: company.rootFingerprint,
			currentEpoch: company.currentEpoch,
			recoveryKit: company.recoveryKitEpoch === null ? null : {
				epoch: company.recoveryKitEpoch,
				confirmedAt: company.recoveryKitConfirmedAt?.toISOString() ?? null,
				confirmedBy: confirmer?.loginId ?? null
			},
			role,
			/** Members with their root-signed statements; the browser verifies them before trusting any. */
			members: memberRows.map(({ pinSignature, revokedAt, orgId, ...m }) => ({ ...m, partner: orgId !== company.orgId, active: revokedAt === null, pinned: pinSignature !== null })),
			/** The caller's own pin of the root key, if made. */
			pinSignature: memberRows.find((m) => m.userId === ctx.user.id)?.pinSignature ?? null,
			manifests,
			grants: grants.map((g) => ({ ...g, ciphertext: toB64(g.ciphertext) }))
		};
	})
});
