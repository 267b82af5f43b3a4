import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { fingerprint, isAgeFile, verifyManifestChain } from '../../../src/lib/crypto/index';
import { isValidCorporateNumber, normalizeNumberInput } from '../../../src/lib/mynumber/index';
import { appendAuditInTx } from '../../audit';
import { companies, companyManifests, companyRoles, handlerKeys, keyGrants, users } from '../../db/schema';
import { b64, plainText, sealedGrant, signedManifest, toB64, toBytes, uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure, requireRole } from '../trpc';

export const companyRouter = createTRPCRouter({
	list: handlerProcedure.query(async ({ ctx }) => {
		const rows = await ctx.db
			.select({
				id: companies.id,
				name: companies.name,
				corporateNumber: companies.corporateNumber,
				role: companyRoles.role,
				currentEpoch: companies.currentEpoch,
				rootFingerprint: companies.rootFingerprint
			})
			.from(companyRoles)
			.innerJoin(companies, eq(companies.id, companyRoles.companyId))
			.where(and(eq(companyRoles.userId, ctx.user.id), isNull(companyRoles.revokedAt)))
			.orderBy(asc(companies.name));
		return rows;
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
				rootGrant: sealedGrant
			})
		)
		.mutation(async ({ ctx, input }) => {
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
			const epochCiphertext = toBytes(input.epochGrant.ciphertext);
			const rootCiphertext = toBytes(input.rootGrant.ciphertext);
			if (!isAgeFile(epochCiphertext) || !isAgeFile(rootCiphertext)) fail('BAD_REQUEST', 'sealed_data_invalid');
			const [key] = await ctx.db.select({ userId: handlerKeys.userId }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
			if (!key) fail('PRECONDITION_FAILED', 'handler_key_missing');
			if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');

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
				await tx.insert(companyRoles).values({ companyId: input.id, userId: ctx.user.id, role: 'responsible', grantedBy: ctx.user.id, createdAt: now });
				await tx.insert(keyGrants).values([
					{ companyId: input.id, userId: ctx.user.id, kind: 'epoch', epoch: 1, ciphertext: epochCiphertext, signature: input.epochGrant.signature, grantedBy: ctx.user.id, createdAt: now },
					{ companyId: input.id, userId: ctx.user.id, kind: 'root', epoch: null, ciphertext: rootCiphertext, signature: input.rootGrant.signature, grantedBy: ctx.user.id, createdAt: now }
				]);
				await appendAuditInTx(
					tx,
					{
						orgId: ctx.user.orgId,
						companyId: input.id,
						actorType: 'handler',
						actorId: ctx.user.id,
						actorLabel: ctx.user.loginId,
						action: 'company_create',
						targetType: 'company',
						targetId: input.id,
						result: 'ok',
						ip: ctx.req.ip,
						userAgent: ctx.req.userAgent,
						detail: { epoch: 1, role: 'responsible' }
					},
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
					{
						orgId: ctx.user.orgId,
						companyId: input.companyId,
						actorType: 'handler',
						actorId: ctx.user.id,
						actorLabel: ctx.user.loginId,
						action: 'recovery_kit_confirm',
						targetType: 'company',
						targetId: input.companyId,
						result: 'ok',
						ip: ctx.req.ip,
						userAgent: ctx.req.userAgent,
						detail: { epoch: input.epoch }
					},
					now
				);
			});
			return { ok: true as const };
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
				granterSigningPublicKey: handlerKeys.signingPublicKey
			})
			.from(keyGrants)
			.innerJoin(handlerKeys, eq(handlerKeys.userId, keyGrants.grantedBy))
			.where(and(eq(keyGrants.companyId, input.companyId), eq(keyGrants.userId, ctx.user.id)))
			.orderBy(asc(keyGrants.createdAt));
		const [confirmer] = company.recoveryKitConfirmedBy
			? await ctx.db.select({ loginId: users.loginId }).from(users).where(eq(users.id, company.recoveryKitConfirmedBy))
			: [];
		return {
			id: company.id,
			name: company.name,
			corporateNumber: company.corporateNumber,
			rootPublicKey: company.rootPublicKey,
			rootFingerprint: company.rootFingerprint,
			currentEpoch: company.currentEpoch,
			recoveryKit: company.recoveryKitEpoch === null ? null : {
				epoch: company.recoveryKitEpoch,
				confirmedAt: company.recoveryKitConfirmedAt?.toISOString() ?? null,
				confirmedBy: confirmer?.loginId ?? null
			},
			role,
			manifests,
			grants: grants.map((g) => ({ ...g, ciphertext: toB64(g.ciphertext) }))
		};
	})
});
