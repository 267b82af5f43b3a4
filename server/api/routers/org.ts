import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { ipAllowed, parseAllowEntry } from '../../auth/ip';
import { organisations } from '../../db/schema';
import { newOrganisationInput } from '../organisation';
import { createTRPCRouter, fail, handlerProcedure } from '../trpc';
import { handlersWithoutPasskey, hasPasskey } from './passkey';

/** Organisation-wide settings; only its administrators change them. */
export const orgRouter = createTRPCRouter({
	settings: handlerProcedure.query(async ({ ctx }) => {
		const [org] = await ctx.db
			.select({
				name: organisations.name,
				address: organisations.address,
				contact: organisations.contact,
				idleLockMinutes: organisations.idleLockMinutes,
				requireSecondFactor: organisations.requireSecondFactor,
				handlerIpAllowlist: organisations.handlerIpAllowlist
			})
			.from(organisations)
			.where(eq(organisations.id, ctx.user.orgId));
		if (!org) fail('NOT_FOUND', 'not_found');
		return {
			...org,
			handlerIpAllowlist: org.handlerIpAllowlist ?? [],
			/** The address this request came from, so an administrator sees what to allow (and does not lock themselves out). */
			currentIp: ctx.req.ip,
			canEdit: ctx.user.isAdmin,
			/** Handlers who could not sign in if a second factor were required (they have no passkey yet). */
			handlersWithoutPasskey: ctx.user.isAdmin ? await handlersWithoutPasskey(ctx.db, ctx.user.orgId) : null
		};
	}),

	/**
	 * The office's own details (seed M-1): name, address and contact (telephone or e-mail, free
	 * text), with the same rules as when the office registered. Administrators only.
	 */
	updateDetails: handlerProcedure.input(newOrganisationInput.organisation).mutation(async ({ ctx, input }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			const [before] = await tx
				.select({ name: organisations.name, address: organisations.address, contact: organisations.contact })
				.from(organisations)
				.where(eq(organisations.id, ctx.user.orgId));
			if (!before) fail('NOT_FOUND', 'not_found');
			await tx.update(organisations).set(input).where(eq(organisations.id, ctx.user.orgId));
			// Which fields changed is enough for the history; the texts themselves are on the office record.
			const changed = (['name', 'address', 'contact'] as const).filter((key) => before[key] !== input[key]);
			await appendAuditInTx(tx, handlerEvent(ctx, { action: 'org_details_update', targetType: 'organisation', targetId: ctx.user.orgId, detail: { changed: changed.join(',') } }), now);
		});
		return { ok: true as const };
	}),

	/** Sets how long unlocked keys survive inactivity in handlers' browsers (1–120 minutes, default 10). */
	updateSettings: handlerProcedure
		.input(
			z.object({
				idleLockMinutes: z.number().int().min(1).max(120),
				requireSecondFactor: z.boolean().optional(),
				/** Addresses or CIDR ranges for handler sign-in; an empty list allows any address. */
				handlerIpAllowlist: z
					.array(z.string().max(64).refine((entry) => parseAllowEntry(entry) !== null, 'ip_allowlist_invalid'))
					.max(50)
					.optional()
			})
		)
		.mutation(async ({ ctx, input }) => {
			if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
			// Requiring a passkey at sign-in: only an administrator who has one, so nobody locks everyone out.
			if (input.requireSecondFactor && !(await hasPasskey(ctx.db, ctx.user.id))) fail('CONFLICT', 'second_factor_needs_passkey');
			const allowlist = input.handlerIpAllowlist?.map((entry) => entry.trim());
			// Nor an allowlist that leaves out the administrator who is saving it.
			if (allowlist && !ipAllowed(ctx.req.ip, allowlist)) fail('CONFLICT', 'ip_allowlist_excludes_you', { ip: ctx.req.ip ?? '?' });
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				await tx
					.update(organisations)
					.set({
						idleLockMinutes: input.idleLockMinutes,
						...(input.requireSecondFactor === undefined ? {} : { requireSecondFactor: input.requireSecondFactor }),
						...(allowlist === undefined ? {} : { handlerIpAllowlist: allowlist.length ? allowlist : null })
					})
					.where(eq(organisations.id, ctx.user.orgId));
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, {
						action: 'org_settings_update',
						targetType: 'organisation',
						targetId: ctx.user.orgId,
						detail: {
							idleLockMinutes: input.idleLockMinutes,
							...(input.requireSecondFactor === undefined ? {} : { requireSecondFactor: input.requireSecondFactor }),
							...(allowlist === undefined ? {} : { handlerIpAllowlist: allowlist.join(' ') || null })
						}
					}),
					now
				);
			});
			return { ok: true as const };
		})
});
