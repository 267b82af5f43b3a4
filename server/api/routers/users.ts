import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { hashPassword } from '../../auth/password';
import { handlerKeys, users } from '../../db/schema';
import { loginId, password, plainText } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure } from '../trpc';

/** The organisation's handlers (seed M-2). Only administrators add users. */
export const usersRouter = createTRPCRouter({
	/** Handlers of the caller's organisation, with their key fingerprints for out-of-band comparison. */
	list: handlerProcedure.query(async ({ ctx }) => {
		const rows = await ctx.db
			.select({ id: users.id, loginId: users.loginId, displayName: users.displayName, isAdmin: users.isAdmin, fingerprint: handlerKeys.fingerprint })
			.from(users)
			.leftJoin(handlerKeys, eq(handlerKeys.userId, users.id))
			.where(eq(users.orgId, ctx.user.orgId))
			.orderBy(asc(users.loginId));
		return rows;
	}),

	/**
	 * Adds a handler with an initial password the administrator hands over. The administrator knows
	 * it, so the handler must replace it at first sign-in (`auth.changePassword`) before anything
	 * else, and then makes their own keys.
	 */
	create: handlerProcedure
		.input(z.object({ loginId, displayName: plainText(100), password, isAdmin: z.boolean().default(false) }))
		.mutation(async ({ ctx, input }) => {
			if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
			const passwordHash = await hashPassword(input.password, ctx.services.config.passwordLogN);
			const now = ctx.services.now();
			const id = await ctx.db.transaction(async (tx) => {
				const taken = await tx.select({ id: users.id }).from(users).where(eq(users.loginId, input.loginId));
				if (taken.length) fail('CONFLICT', 'login_id_taken');
				const [row] = await tx
					.insert(users)
					.values({ orgId: ctx.user.orgId, loginId: input.loginId, displayName: input.displayName, passwordHash, isAdmin: input.isAdmin, mustChangePassword: true, createdAt: now })
					.returning({ id: users.id });
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { action: 'user_create', targetType: 'user', targetId: row!.id, detail: { loginId: input.loginId, isAdmin: input.isAdmin } }),
					now
				);
				return row!.id;
			});
			return { id };
		})
});
