import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit, appendAuditInTx } from '../../audit';
import { hashPassword, verifyPassword } from '../../auth/password';
import { createSession, deleteEmployeeSessions, hashToken, sessionCookie } from '../../auth/session';
import { ACCOUNT_POLICY, clearFailures, IP_POLICY } from '../../auth/throttle';
import { companies, employeePasskeys, employees, invitations } from '../../db/schema';
import { b64, toBytes } from '../inputs';
import { createTRPCRouter, fail, publicProcedure, type Context } from '../trpc';
import { countFailure, enforceThrottle } from './auth';

const token = z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/);

/**
 * The employee's password as `src/lib/crypto/employee.ts` derives it: the sign-in key (the server
 * keeps its hash) and the device key sealed under a key the server never sees.
 */
export const employeeCredential = z.object({ authKey: b64(32), wrappedDevice: b64(512) });

async function findInvitation(ctx: Context, rawToken: string) {
	const [row] = await ctx.db
		.select({
			id: invitations.id,
			employeeId: invitations.employeeId,
			passwordHash: invitations.passwordHash,
			usedAt: invitations.usedAt,
			revokedAt: invitations.revokedAt,
			expiresAt: invitations.expiresAt,
			employeeCode: employees.code,
			kind: employees.kind,
			companyId: companies.id,
			companyName: companies.name,
			orgId: companies.orgId
		})
		.from(invitations)
		.innerJoin(employees, eq(employees.id, invitations.employeeId))
		.innerJoin(companies, eq(companies.id, employees.companyId))
		.where(eq(invitations.tokenHash, hashToken(rawToken)));
	return row;
}

type Invitation = NonNullable<Awaited<ReturnType<typeof findInvitation>>>;

function stateOf(inv: Invitation, now: Date): 'pending' | 'used' | 'expired' {
	if (inv.usedAt) return 'used';
	if (inv.revokedAt || inv.expiresAt.getTime() <= now.getTime()) return 'expired';
	return 'pending';
}

export const joinRouter = createTRPCRouter({
	/** What the join page shows before the employee signs in: company, employee code, and the kind (a payee's page says 支払先コード). */
	peek: publicProcedure.input(z.object({ token })).mutation(async ({ ctx, input }) => {
		const ipKey = [{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }];
		await enforceThrottle(ctx, ipKey);
		const inv = await findInvitation(ctx, input.token);
		if (!inv) {
			await countFailure(ctx, ipKey);
			fail('NOT_FOUND', 'join_link_invalid');
		}
		// The ids let the employee's browser bind its device registration to this company and employee.
		return { companyName: inv.companyName, employeeCode: inv.employeeCode, companyId: inv.companyId, employeeId: inv.employeeId, state: stateOf(inv, ctx.services.now()), kind: inv.kind };
	}),

	/** Signs the employee in with the initial password and uses up the link. */
	redeem: publicProcedure
		.input(
			z.object({
				token,
				password: z.string().min(1).max(256),
				/** The device signing key made in the employee's browser, with its HMAC under the letter's one-time secret. */
				device: z.object({ publicKey: b64(32), mac: b64(32) }),
				/** The employee's own password, as the browser derived it: never the password itself. */
				credential: employeeCredential
			})
		)
		.mutation(async ({ ctx, input }) => {
			const now = ctx.services.now();
			const ipKey = { key: `ip:${ctx.req.ip}`, policy: IP_POLICY };
			await enforceThrottle(ctx, [ipKey]);
			const inv = await findInvitation(ctx, input.token);
			if (!inv) {
				await countFailure(ctx, [ipKey]);
				fail('NOT_FOUND', 'join_link_invalid');
			}
			const audit = {
				orgId: inv.orgId,
				companyId: inv.companyId,
				actorType: 'employee' as const,
				actorId: inv.employeeId,
				actorLabel: inv.employeeCode,
				action: 'employee_join' as const,
				targetType: 'invitation',
				targetId: inv.id,
				ip: ctx.req.ip,
				userAgent: ctx.req.userAgent
			};
			const state = stateOf(inv, now);
			if (state !== 'pending') {
				await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { state } }, now);
				fail('CONFLICT', state === 'used' ? 'join_link_used' : 'join_link_expired');
			}
			const keys = [{ key: `join:${inv.id}`, policy: ACCOUNT_POLICY }, ipKey];
			await enforceThrottle(ctx, keys);
			if (!(await verifyPassword(input.password, inv.passwordHash))) {
				const locked = await countFailure(ctx, keys);
				await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { locked } }, now);
				fail('UNAUTHORIZED', 'wrong_initial_password');
			}
			const authKeyHash = await hashPassword(input.credential.authKey, ctx.services.config.passwordLogN);
			const used = await ctx.db.transaction(async (tx) => {
				// The conditional update makes the link single-use even under a race.
				const updated = await tx
					.update(invitations)
					.set({ usedAt: now, devicePublicKey: input.device.publicKey, deviceMac: input.device.mac })
					.where(and(eq(invitations.id, inv.id), isNull(invitations.usedAt), isNull(invitations.revokedAt)))
					.returning({ id: invitations.id });
				if (!updated.length) return false;
				// The employee's own password replaces any earlier one: a new letter is also how a forgotten password is reset.
				await tx
					.update(employees)
					.set({ passwordHash: authKeyHash, deviceKeyWrapped: toBytes(input.credential.wrappedDevice), deviceInvitationId: inv.id, joinedAt: now })
					.where(eq(employees.id, inv.employeeId));
				// Passkeys hold the previous device key, which this invitation replaces: they go with it, and so
				// do sessions started under the previous letter (a lost phone stays signed out).
				await tx.delete(employeePasskeys).where(eq(employeePasskeys.employeeId, inv.employeeId));
				await deleteEmployeeSessions(tx, inv.employeeId);
				await appendAuditInTx(tx, { ...audit, result: 'ok' }, now);
				return true;
			});
			if (!used) fail('CONFLICT', 'join_link_used');
			await clearFailures(ctx.db, keys[0]!.key);
			const { token: sessionToken } = await createSession(ctx.db, { kind: 'employee', employeeId: inv.employeeId, invitationId: inv.id }, now, ctx.services.config.employeeMaxSeconds);
			ctx.req.setCookie(sessionCookie(sessionToken, ctx.services.config.employeeMaxSeconds, ctx.req.secure));
			return { ok: true as const };
		})
});
