import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAuditInTx } from '../../audit';
import { organisations } from '../../db/schema';
import { createTRPCRouter, fail, handlerProcedure } from '../trpc';

/** Organisation-wide settings; only its administrators change them. */
export const orgRouter = createTRPCRouter({
	settings: handlerProcedure.query(async ({ ctx }) => {
		const [org] = await ctx.db
			.select({ name: organisations.name, idleLockMinutes: organisations.idleLockMinutes })
			.from(organisations)
			.where(eq(organisations.id, ctx.user.orgId));
		if (!org) fail('NOT_FOUND', 'not_found');
		return { ...org, canEdit: ctx.user.isAdmin };
	}),

	/** Sets how long unlocked keys survive inactivity in handlers' browsers (1–120 minutes, default 10). */
	updateSettings: handlerProcedure
		.input(z.object({ idleLockMinutes: z.number().int().min(1).max(120) }))
		.mutation(async ({ ctx, input }) => {
			if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				await tx.update(organisations).set({ idleLockMinutes: input.idleLockMinutes }).where(eq(organisations.id, ctx.user.orgId));
				await appendAuditInTx(
					tx,
					{
						orgId: ctx.user.orgId,
						actorType: 'handler',
						actorId: ctx.user.id,
						actorLabel: ctx.user.loginId,
						action: 'org_settings_update',
						targetType: 'organisation',
						targetId: ctx.user.orgId,
						result: 'ok',
						ip: ctx.req.ip,
						userAgent: ctx.req.userAgent,
						detail: { idleLockMinutes: input.idleLockMinutes }
					},
					now
				);
			});
			return { ok: true as const };
		})
});
