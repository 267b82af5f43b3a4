import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAuditInTx, handlerEvent } from '../../audit';
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
				requireSecondFactor: organisations.requireSecondFactor
			})
			.from(organisations)
			.where(eq(organisations.id, ctx.user.orgId));
		if (!org) fail('NOT_FOUND', 'not_found');
		return {
			...org,
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
		.input(z.object({ idleLockMinutes: z.number().int().min(1).max(120), requireSecondFactor: z.boolean().optional() }))
		.mutation(async ({ ctx, input }) => {
			if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
			// Requiring a passkey at sign-in: only an administrator who has one, so nobody locks everyone out.
			if (input.requireSecondFactor && !(await hasPasskey(ctx.db, ctx.user.id))) fail('CONFLICT', 'second_factor_needs_passkey');
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				await tx
					.update(organisations)
					.set({ idleLockMinutes: input.idleLockMinutes, ...(input.requireSecondFactor === undefined ? {} : { requireSecondFactor: input.requireSecondFactor }) })
					.where(eq(organisations.id, ctx.user.orgId));
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { action: 'org_settings_update', targetType: 'organisation', targetId: ctx.user.orgId, detail: { idleLockMinutes: input.idleLockMinutes, ...(input.requireSecondFactor === undefined ? {} : { requireSecondFactor: input.requireSecondFactor }) } }),
					now
				);
			});
			return { ok: true as const };
		})
});
