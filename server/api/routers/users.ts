import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { hashPassword } from '../../auth/password';
import { handlerKeys, loginThrottle, users } from '../../db/schema';
import { loginId, password, plainText, uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure } from '../trpc';

/** The throttle key of a handler's sign-in (as `auth.login` counts it). */
const accountKey = (id: string) => `login:${id.toLowerCase()}`;

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
		// Which accounts are locked after too many failed sign-ins (administrators unlock them below).
		const now = ctx.services.now();
		const locks = rows.length
			? await ctx.db
					.select({ key: loginThrottle.key, lockedUntil: loginThrottle.lockedUntil })
					.from(loginThrottle)
					.where(and(inArray(loginThrottle.key, rows.map((r) => accountKey(r.loginId))), gt(loginThrottle.lockedUntil, now)))
			: [];
		const lockedUntil = new Map(locks.map((l) => [l.key, l.lockedUntil!.toISOString()]));
		return rows.map((r) => ({ ...r, lockedUntil: lockedUntil.get(accountKey(r.loginId)) ?? null }));
	}),

	/**
	 * Lifts the sign-in lock of a handler of the organisation (after too many wrong passwords)
	 * before it expires by itself. Administrators only; recorded in the history.
	 */
	unlock: handlerProcedure.input(z.object({ userId: uuid }).strict()).mutation(async ({ ctx, input }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		const [target] = await ctx.db.select({ loginId: users.loginId, orgId: users.orgId }).from(users).where(eq(users.id, input.userId));
		if (!target || target.orgId !== ctx.user.orgId) fail('NOT_FOUND', 'not_found');
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			const cleared = await tx.delete(loginThrottle).where(eq(loginThrottle.key, accountKey(target.loginId))).returning({ lockedUntil: loginThrottle.lockedUntil });
			if (!cleared.some((c) => c.lockedUntil && c.lockedUntil > now)) fail('CONFLICT', 'account_not_locked');
			await appendAuditInTx(tx, handlerEvent(ctx, { action: 'account_unlock', targetType: 'user', targetId: input.userId, detail: { loginId: target.loginId } }), now);
		});
		return { ok: true as const };
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
