import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { hashPassword } from '../../auth/password';
import { createSession, sessionCookie } from '../../auth/session';
import { organisations } from '../../db/schema';
import { insertOrganisation, newOrganisationInput } from '../organisation';
import { createTRPCRouter, fail, publicProcedure } from '../trpc';

const SETUP_LOCK_KEY = 0x6d6e7603;

export const setupRouter = createTRPCRouter({
	status: publicProcedure.query(async ({ ctx }) => {
		const rows = await ctx.db.select({ id: organisations.id }).from(organisations).limit(1);
		return { needsSetup: rows.length === 0 };
	}),

	/** Creates the organisation and its first administrator, then signs the administrator in. */
	create: publicProcedure
		.input(
			z.object({
				token: z.string().min(1).max(200),
				...newOrganisationInput
			})
		)
		.mutation(async ({ ctx, input }) => {
			const expected = ctx.services.setup.token;
			if (!expected) fail('CONFLICT', 'setup_done');
			const a = Buffer.from(input.token);
			const b = Buffer.from(expected);
			if (a.length !== b.length || !timingSafeEqual(a, b)) fail('FORBIDDEN', 'setup_token_invalid');
			const now = ctx.services.now();
			const passwordHash = await hashPassword(input.admin.password, ctx.services.config.passwordLogN);
			const userId = await ctx.db.transaction(async (tx) => {
				await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK_KEY})`);
				const existing = await tx.select({ id: organisations.id }).from(organisations).limit(1);
				if (existing.length) fail('CONFLICT', 'setup_done');
				const { userId } = await insertOrganisation(tx, ctx, { ...input, passwordHash, action: 'setup', now });
				return userId;
			});
			ctx.services.setup.token = null;
			const { token } = await createSession(ctx.db, { kind: 'handler', userId }, now, ctx.services.config.handlerMaxSeconds);
			ctx.req.setCookie(sessionCookie(token, ctx.services.config.handlerMaxSeconds, ctx.req.secure));
			return { ok: true as const };
		})
});
