import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit, appendAuditInTx, handlerEvent } from '../../audit';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../auth/password';
import { clearSessionCookie, createSession, deleteSession, sessionCookie } from '../../auth/session';
import { ipAllowed } from '../../auth/ip';
import { ACCOUNT_POLICY, clearFailures, IP_POLICY, recordFailure, retryAfterSeconds } from '../../auth/throttle';
import { companies, employees, handlerKeys, organisations, sessions, users } from '../../db/schema';
import { b64, CONTROL_OR_BIDI, password, toB64, uuid } from '../inputs';
import { createTRPCRouter, fail, passwordChangeProcedure, publicProcedure, type Context } from '../trpc';
import { startSecondFactor } from '../webauthn';

/** Refuses the attempt while the account or the IP must wait; logs the refusal. */
export async function enforceThrottle(ctx: Context, keys: { key: string; policy: typeof ACCOUNT_POLICY }[]): Promise<void> {
	const now = ctx.services.now();
	let wait = 0;
	for (const { key, policy } of keys) wait = Math.max(wait, await retryAfterSeconds(ctx.db, key, policy, now));
	if (wait > 0) fail('TOO_MANY_REQUESTS', 'rate_limited', { seconds: wait }, { retryAfterSeconds: wait });
}

/** Counts a failure on every key and logs a lock when one happens. */
export async function countFailure(ctx: Context, keys: { key: string; policy: typeof ACCOUNT_POLICY }[]): Promise<boolean> {
	const now = ctx.services.now();
	let locked = false;
	for (const { key, policy } of keys) {
		if (await recordFailure(ctx.db, key, policy, now)) {
			locked = true;
			// The key names a user ID or an IP, never a secret.
			ctx.services.log.warn('sign-in locked', { key: key.replace(/^(\w+):.*/, '$1:…'), ip: ctx.req.ip });
		}
	}
	return locked;
}

/** Signs an employee in: a new session for the letter whose device key they hold, replacing the caller's own. */
export async function startEmployeeSession(ctx: Context, employeeId: string, invitationId: string, now: Date): Promise<void> {
	if (ctx.session) await deleteSession(ctx.db, ctx.session.id);
	const { token } = await createSession(ctx.db, { kind: 'employee', employeeId, invitationId }, now, ctx.services.config.employeeMaxSeconds);
	ctx.req.setCookie(sessionCookie(token, ctx.services.config.employeeMaxSeconds, ctx.req.secure));
}

export const authRouter = createTRPCRouter({
	login: publicProcedure
		// The typed ID is recorded as a failed sign-in's actor label: one visible line, nothing that reorders text.
		.input(z.object({ loginId: z.string().min(1).max(64).refine((s) => !CONTROL_OR_BIDI.test(s)), password: z.string().min(1).max(256) }))
		.mutation(async ({ ctx, input }) => {
			const now = ctx.services.now();
			const keys = [
				{ key: `login:${input.loginId.toLowerCase()}`, policy: ACCOUNT_POLICY },
				{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }
			];
			await enforceThrottle(ctx, keys);
			const [user] = await ctx.db.select().from(users).where(eq(users.loginId, input.loginId));
			const ok = user
				? await verifyPassword(input.password, user.passwordHash)
				: (await burnPasswordCheck(input.password, ctx.services.config.passwordLogN), false);
			const audit = {
				orgId: user?.orgId ?? null,
				actorType: user ? ('handler' as const) : ('anonymous' as const),
				actorId: user?.id ?? null,
				actorLabel: input.loginId.slice(0, 64),
				action: 'login' as const,
				ip: ctx.req.ip,
				userAgent: ctx.req.userAgent
			};
			if (!user || !ok) {
				const locked = await countFailure(ctx, keys);
				await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { locked } }, now);
				fail('UNAUTHORIZED', 'bad_credentials');
			}
			await clearFailures(ctx.db, keys[0]!.key);
			// The organisation may require a passkey as well: no session until passkey.secondFactor answers.
			const [org] = await ctx.db
				.select({ required: organisations.requireSecondFactor, ipAllowlist: organisations.handlerIpAllowlist })
				.from(organisations)
				.where(eq(organisations.id, user.orgId));
			// Checked after the password, so the answer says nothing about an ID to someone who does not know its password.
			if (!ipAllowed(ctx.req.ip, org?.ipAllowlist)) {
				await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { ipNotAllowed: true } }, now);
				fail('FORBIDDEN', 'ip_not_allowed');
			}
			if (org?.required) {
				const pending = await startSecondFactor(ctx, user.id, now).catch(async (error: unknown) => {
					await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { secondFactor: 'no_passkey' } }, now);
					throw error;
				});
				await appendAudit(ctx.db, { ...audit, result: 'ok', detail: { secondFactor: 'pending' } }, now);
				return { ok: false as const, secondFactor: pending };
			}
			const { token } = await createSession(ctx.db, { kind: 'handler', userId: user.id }, now, ctx.services.config.handlerMaxSeconds);
			ctx.req.setCookie(sessionCookie(token, ctx.services.config.handlerMaxSeconds, ctx.req.secure));
			await ctx.db.update(users).set({ previousLoginAt: user.lastLoginAt, lastLoginAt: now }).where(eq(users.id, user.id));
			await appendAudit(ctx.db, { ...audit, result: 'ok' }, now);
			return { ok: true as const };
		}),

	/**
	 * An employee signs in again (a reload, a new phone) with the key their browser derived from
	 * their own password, and gets back the sealed device key that only that password opens.
	 */
	employeeLogin: publicProcedure.input(z.object({ employeeId: uuid, authKey: b64(32) })).mutation(async ({ ctx, input }) => {
		const now = ctx.services.now();
		const keys = [
			{ key: `employee:${input.employeeId}`, policy: ACCOUNT_POLICY },
			{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }
		];
		await enforceThrottle(ctx, keys);
		const [row] = await ctx.db
			.select({
				code: employees.code,
				companyId: employees.companyId,
				orgId: companies.orgId,
				passwordHash: employees.passwordHash,
				wrapped: employees.deviceKeyWrapped,
				invitationId: employees.deviceInvitationId
			})
			.from(employees)
			.innerJoin(companies, eq(companies.id, employees.companyId))
			.where(eq(employees.id, input.employeeId));
		// Employees who joined before they had their own password have no wrapped key: a new letter sets one.
		const usable = row?.passwordHash && row.wrapped && row.invitationId ? row : null;
		const ok = usable ? await verifyPassword(input.authKey, usable.passwordHash!) : (await burnPasswordCheck(input.authKey, ctx.services.config.passwordLogN), false);
		const audit = {
			orgId: row?.orgId ?? null,
			companyId: row?.companyId ?? null,
			actorType: row ? ('employee' as const) : ('anonymous' as const),
			actorId: row ? input.employeeId : null,
			actorLabel: row?.code ?? null,
			action: 'employee_login' as const,
			ip: ctx.req.ip,
			userAgent: ctx.req.userAgent
		};
		if (!usable || !ok) {
			const locked = await countFailure(ctx, keys);
			await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { locked } }, now);
			fail('UNAUTHORIZED', 'bad_credentials');
		}
		await clearFailures(ctx.db, keys[0]!.key);
		await startEmployeeSession(ctx, input.employeeId, usable.invitationId!, now);
		await appendAudit(ctx.db, { ...audit, result: 'ok' }, now);
		return { wrappedDevice: toB64(usable.wrapped!) };
	}),

	logout: publicProcedure.mutation(async ({ ctx }) => {
		const session = ctx.session;
		ctx.req.setCookie(clearSessionCookie(ctx.req.secure));
		if (!session) return { ok: true as const };
		const now = ctx.services.now();
		await deleteSession(ctx.db, session.id);
		if (session.kind === 'handler') {
			const [user] = await ctx.db
				.update(users)
				.set({ lastLogoutAt: now })
				.where(eq(users.id, session.userId))
				.returning({ orgId: users.orgId, loginId: users.loginId });
			await appendAudit(
				ctx.db,
				{ orgId: user?.orgId, actorType: 'handler', actorId: session.userId, actorLabel: user?.loginId, action: 'logout', result: 'ok', ip: ctx.req.ip, userAgent: ctx.req.userAgent },
				now
			);
		} else {
			await appendAudit(
				ctx.db,
				{ companyId: session.companyId, actorType: 'employee', actorId: session.employeeId, action: 'logout', result: 'ok', ip: ctx.req.ip, userAgent: ctx.req.userAgent },
				now
			);
		}
		return { ok: true as const };
	}),

	/**
	 * A handler replaces their sign-in password (not their key passphrase, which only their browser
	 * knows). Required before anything else while an administrator-chosen password is in use. The
	 * caller's session stays; every other session of theirs ends, since it may belong to whoever
	 * knew the old password.
	 */
	changePassword: passwordChangeProcedure
		.input(z.object({ currentPassword: z.string().min(1).max(256), newPassword: password }))
		.mutation(async ({ ctx, input }) => {
			const now = ctx.services.now();
			// Its own throttle key: guessing through a stolen session must not lock the owner out of signing in.
			const keys = [
				{ key: `password:${ctx.user.id}`, policy: ACCOUNT_POLICY },
				{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }
			];
			await enforceThrottle(ctx, keys);
			const [row] = await ctx.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, ctx.user.id));
			if (!row || !(await verifyPassword(input.currentPassword, row.passwordHash))) {
				const locked = await countFailure(ctx, keys);
				await appendAudit(ctx.db, handlerEvent(ctx, { action: 'password_change', targetType: 'user', targetId: ctx.user.id, result: 'denied', detail: { locked } }), now);
				fail('BAD_REQUEST', 'current_password_wrong');
			}
			await clearFailures(ctx.db, keys[0]!.key);
			// Passwords are hashed after NFKC, so compare as the hash would see them.
			if (input.newPassword.normalize('NFKC') === input.currentPassword.normalize('NFKC')) fail('BAD_REQUEST', 'password_unchanged');
			const passwordHash = await hashPassword(input.newPassword, ctx.services.config.passwordLogN);
			const forced = ctx.user.mustChangePassword;
			await ctx.db.transaction(async (tx) => {
				await tx.update(users).set({ passwordHash, mustChangePassword: false }).where(eq(users.id, ctx.user.id));
				const ended = await tx
					.delete(sessions)
					.where(and(eq(sessions.userId, ctx.user.id), ne(sessions.id, ctx.session.id)))
					.returning({ id: sessions.id });
				// Rotation: this browser goes on under a new token, so a token seen before the change is worth nothing.
				await tx.delete(sessions).where(eq(sessions.id, ctx.session.id));
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { action: 'password_change', targetType: 'user', targetId: ctx.user.id, detail: { forced, otherSessionsEnded: ended.length } }),
					now
				);
			});
			const { token } = await createSession(ctx.db, { kind: 'handler', userId: ctx.user.id }, now, ctx.services.config.handlerMaxSeconds);
			ctx.req.setCookie(sessionCookie(token, ctx.services.config.handlerMaxSeconds, ctx.req.secure));
			return { ok: true as const };
		}),

	/**
	 * Who is signed in, for the UI. Null when nobody is. `session` tells the UI when the session
	 * ends (absolute limit, and for handlers the idle limit this very call just pushed back), with the
	 * server's clock so the browser can correct its own; the UI warns before the end and calls this
	 * again to stay signed in.
	 */
	me: publicProcedure.query(async ({ ctx }) => {
		const session = ctx.session;
		if (!session) return null;
		const now = ctx.services.now();
		const idleSeconds = session.kind === 'handler' ? ctx.services.config.handlerIdleSeconds : null;
		const clock = {
			expiresAt: session.expiresAt.toISOString(),
			idleSeconds,
			idleExpiresAt: idleSeconds === null ? null : new Date((session.lastSeenAt ?? now).getTime() + idleSeconds * 1000).toISOString(),
			now: now.toISOString()
		};
		if (session.kind === 'employee') {
			// `employee.kind` is the person's kind (employee or payee), for the phone's wording; `kind` above is the session's.
			const [row] = await ctx.db
				.select({ id: employees.id, code: employees.code, companyId: companies.id, companyName: companies.name, kind: employees.kind })
				.from(employees)
				.innerJoin(companies, eq(companies.id, employees.companyId))
				.where(eq(employees.id, session.employeeId));
			if (!row) return null;
			return { kind: 'employee' as const, employee: row, session: clock };
		}
		const [row] = await ctx.db
			.select({
				id: users.id,
				loginId: users.loginId,
				displayName: users.displayName,
				isAdmin: users.isAdmin,
				orgId: users.orgId,
				orgName: organisations.name,
				idleLockMinutes: organisations.idleLockMinutes,
				lastLoginAt: users.previousLoginAt,
				lastLogoutAt: users.lastLogoutAt,
				mustChangePassword: users.mustChangePassword,
				recipient: handlerKeys.recipient,
				signingPublicKey: handlerKeys.signingPublicKey,
				fingerprint: handlerKeys.fingerprint
			})
			.from(users)
			.innerJoin(organisations, eq(organisations.id, users.orgId))
			.leftJoin(handlerKeys, eq(handlerKeys.userId, users.id))
			.where(eq(users.id, session.userId));
		if (!row) return null;
		const { recipient, signingPublicKey, fingerprint, lastLoginAt, lastLogoutAt, ...user } = row;
		return {
			kind: 'handler' as const,
			user: { ...user, lastLoginAt: lastLoginAt?.toISOString() ?? null, lastLogoutAt: lastLogoutAt?.toISOString() ?? null },
			handlerKey: recipient && signingPublicKey && fingerprint ? { recipient, signingPublicKey, fingerprint } : null,
			session: clock
		};
	})
});
