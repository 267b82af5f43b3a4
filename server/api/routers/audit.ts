import { and, desc, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { verifyAuditChain } from '../../audit';
import { auditEvents, companies, companyRoles } from '../../db/schema';
import { uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure, requireRole } from '../trpc';

export const auditRouter = createTRPCRouter({
	/**
	 * Recent handling history. With a company: its events (any role in it). Without: the
	 * administrator sees the whole organisation (partners' handlers in its companies included), others the companies they hold a role in.
	 */
	list: handlerProcedure
		.input(z.object({ companyId: uuid.optional(), limit: z.number().int().min(1).max(500).default(100) }))
		.query(async ({ ctx, input }) => {
			let scope: SQL | undefined;
			if (input.companyId) {
				await requireRole(ctx, input.companyId);
				scope = eq(auditEvents.companyId, input.companyId);
			} else if (ctx.user.isAdmin) {
				// The organisation's own events, and what partner offices' handlers did in its companies.
				scope = or(
					eq(auditEvents.orgId, ctx.user.orgId),
					inArray(auditEvents.companyId, ctx.db.select({ id: companies.id }).from(companies).where(eq(companies.orgId, ctx.user.orgId)))
				);
			} else {
				const mine = await ctx.db
					.select({ companyId: companyRoles.companyId })
					.from(companyRoles)
					.where(and(eq(companyRoles.userId, ctx.user.id), isNull(companyRoles.revokedAt)));
				const ids = mine.map((m) => m.companyId);
				scope = ids.length ? or(inArray(auditEvents.companyId, ids), eq(auditEvents.actorId, ctx.user.id)) : eq(auditEvents.actorId, ctx.user.id);
			}
			const rows = await ctx.db
				.select({
					seq: auditEvents.seq,
					at: auditEvents.at,
					actorLabel: auditEvents.actorLabel,
					actorType: auditEvents.actorType,
					action: auditEvents.action,
					targetType: auditEvents.targetType,
					targetId: auditEvents.targetId,
					reason: auditEvents.reason,
					result: auditEvents.result,
					ip: auditEvents.ip,
					userAgent: auditEvents.userAgent
				})
				.from(auditEvents)
				.where(scope)
				.orderBy(desc(auditEvents.seq))
				.limit(input.limit);
			return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
		}),

	/** Re-checks the whole hash chain (administrators). */
	verify: handlerProcedure.query(async ({ ctx }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		const verdict = await verifyAuditChain(ctx.db);
		return { ok: verdict.ok, count: verdict.count, firstBrokenSeq: verdict.firstBrokenSeq };
	})
});
