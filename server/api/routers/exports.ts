import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { exportFormatSchema } from '../../../src/lib/exports/index';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { exportFormats } from '../../db/schema';
import { plainText, uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure, requireRole } from '../trpc';

/** A company keeps at most this many saved formats. */
const MAX_FORMATS = 50;

/**
 * Saved CSV download formats of a company (issue 6 item 2): column choices and options only, never
 * data. Anyone with a role in the company uses and keeps them (the payroll export is 担当者 work).
 */
export const exportFormatRouter = createTRPCRouter({
	list: handlerProcedure.input(z.object({ companyId: uuid })).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const rows = await ctx.db
			.select({ id: exportFormats.id, name: exportFormats.name, definition: exportFormats.definition, updatedAt: exportFormats.updatedAt })
			.from(exportFormats)
			.where(eq(exportFormats.companyId, input.companyId))
			.orderBy(asc(exportFormats.name));
		// Stored through the same schema; parsed again so the page can trust the shape.
		// A format stored under older, looser rules is left out rather than failing the whole list.
		return rows.flatMap((r) => {
			const definition = exportFormatSchema.safeParse(r.definition);
			return definition.success ? [{ id: r.id, name: r.name, definition: definition.data, updatedAt: r.updatedAt.toISOString() }] : [];
		});
	}),

	/** Creates a format, or replaces the one with the same name. */
	save: handlerProcedure
		.input(z.object({ companyId: uuid, name: plainText(50), definition: exportFormatSchema }))
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId);
			const now = ctx.services.now();
			const id = await ctx.db.transaction(async (tx) => {
				const existing = await tx.select({ id: exportFormats.id }).from(exportFormats).where(eq(exportFormats.companyId, input.companyId));
				const same = await tx
					.select({ id: exportFormats.id })
					.from(exportFormats)
					.where(and(eq(exportFormats.companyId, input.companyId), eq(exportFormats.name, input.name)));
				if (!same.length && existing.length >= MAX_FORMATS) fail('CONFLICT', 'export_formats_full', { max: String(MAX_FORMATS) });
				const [row] = await tx
					.insert(exportFormats)
					.values({ companyId: input.companyId, name: input.name, definition: input.definition, createdBy: ctx.user.id, createdAt: now, updatedAt: now })
					.onConflictDoUpdate({ target: [exportFormats.companyId, exportFormats.name], set: { definition: input.definition, updatedAt: now } })
					.returning({ id: exportFormats.id });
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { companyId: input.companyId, action: 'export_format_save', targetType: 'company', targetId: input.companyId, detail: { format: row!.id, columns: input.definition.columns.join(',') } }),
					now
				);
				return row!.id;
			});
			return { id };
		}),

	/** Deletes a format; idempotent (a second click, or two handlers at once, is not an error). */
	remove: handlerProcedure.input(z.object({ companyId: uuid, id: uuid })).mutation(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const now = ctx.services.now();
		return ctx.db.transaction(async (tx) => {
			const gone = await tx
				.delete(exportFormats)
				.where(and(eq(exportFormats.companyId, input.companyId), eq(exportFormats.id, input.id)))
				.returning({ id: exportFormats.id });
			if (gone.length) await appendAuditInTx(tx, handlerEvent(ctx, { companyId: input.companyId, action: 'export_format_remove', targetType: 'company', targetId: input.companyId, detail: { format: input.id } }), now);
			return { removed: gone.length > 0 };
		});
	})
});
