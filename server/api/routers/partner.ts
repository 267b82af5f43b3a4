/**
 * Partner offices (seed patterns 1–3): a company that handles its own staff works with a 社労士
 * office, or an office with another office, on the same instance. An administrator issues a
 * one-time link; the other office either registers on this instance through it or, if it already
 * has an organisation here, its administrator accepts it. Only partners' handlers can be granted
 * a company's keys, and only after the usual fingerprint comparison: the partnership decides who
 * may be offered, never what the keys are sealed to.
 */
import type { Tx } from '../../db';
import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit, appendAuditInTx, handlerEvent } from '../../audit';
import { hashPassword } from '../../auth/password';
import { createSession, hashToken, sessionCookie } from '../../auth/session';
import { IP_POLICY } from '../../auth/throttle';
import { companies, companyRoles, organisations, partnerInvitations, partnerships, users } from '../../db/schema';
import { uuid } from '../inputs';
import { insertOrganisation, newOrganisationInput } from '../organisation';
import { createTRPCRouter, fail, handlerProcedure, publicProcedure, type Context } from '../trpc';
import { countFailure, enforceThrottle } from './auth';

const token = z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/);
/** How long a partner invitation link stays valid. */
const PARTNER_INVITATION_DAYS = 7;

type Executor = Pick<Context['db'], 'select'>;

/** The organisations `orgId` currently works with. */
export async function partnerOrgIds(db: Executor, orgId: string): Promise<string[]> {
	const rows = await db
		.select({ id: partnerships.partnerOrgId })
		.from(partnerships)
		.where(and(eq(partnerships.orgId, orgId), isNull(partnerships.endedAt)));
	return rows.map((r) => r.id);
}

/**
 * The organisations whose handlers a 責任者 from `callerOrgId` may offer a company of `companyOrgId`:
 * the owner and its partners when the caller belongs to the owner; the owner and the caller's own
 * office when the caller is a partner's handler (a partner does not see, or hand keys to, the
 * owner's other partners). With `lock`, the partnership rows are locked against `end` (FOR SHARE).
 */
export async function grantableOrgIds(db: Executor, companyOrgId: string, callerOrgId: string, lock = false): Promise<string[]> {
	const query = db
		.select({ id: partnerships.partnerOrgId })
		.from(partnerships)
		.where(and(eq(partnerships.orgId, companyOrgId), isNull(partnerships.endedAt), callerOrgId === companyOrgId ? undefined : eq(partnerships.partnerOrgId, callerOrgId)));
	const rows = lock ? await query.for('share') : await query;
	return [companyOrgId, ...rows.map((r) => r.id)];
}

/** An invitation looked up by its token, with a throttle on guessing (per IP, like join links). */
async function findInvitation(ctx: Context, rawToken: string) {
	const ipKey = [{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }];
	await enforceThrottle(ctx, ipKey);
	const [row] = await ctx.db
		.select({
			id: partnerInvitations.id,
			orgId: partnerInvitations.orgId,
			orgName: organisations.name,
			expiresAt: partnerInvitations.expiresAt,
			usedAt: partnerInvitations.usedAt,
			revokedAt: partnerInvitations.revokedAt
		})
		.from(partnerInvitations)
		.innerJoin(organisations, eq(organisations.id, partnerInvitations.orgId))
		.where(eq(partnerInvitations.tokenHash, hashToken(rawToken)));
	if (!row) {
		await countFailure(ctx, ipKey);
		fail('NOT_FOUND', 'partner_link_invalid');
	}
	const now = ctx.services.now();
	const state: 'pending' | 'used' | 'expired' = row.usedAt ? 'used' : row.revokedAt || row.expiresAt <= now ? 'expired' : 'pending';
	return { ...row, state };
}

/**
 * Uses up the invitation and records the partnership in both directions. The conditional update
 * makes the link single-use even when two offices race for it.
 */
async function consume(tx: Tx, invitation: { id: string; orgId: string }, partnerOrgId: string, now: Date): Promise<void> {
	const used = await tx
		.update(partnerInvitations)
		.set({ usedAt: now, usedByOrgId: partnerOrgId })
		.where(and(eq(partnerInvitations.id, invitation.id), isNull(partnerInvitations.usedAt), isNull(partnerInvitations.revokedAt)))
		.returning({ id: partnerInvitations.id });
	if (!used.length) fail('CONFLICT', 'partner_link_used');
	for (const [a, b] of [
		[invitation.orgId, partnerOrgId],
		[partnerOrgId, invitation.orgId]
	] as const) {
		await tx
			.insert(partnerships)
			.values({ orgId: a, partnerOrgId: b, createdAt: now })
			.onConflictDoUpdate({ target: [partnerships.orgId, partnerships.partnerOrgId], set: { createdAt: now, endedAt: null } });
	}
}

/** The same partnership event in the other organisation's history, so both sides see who joined or ended it. */
function otherSide(ctx: Pick<Context, 'req'>, historyOrgId: string, actorOrgId: string, actorLabel: string, actorId: string) {
	return {
		orgId: historyOrgId,
		actorType: 'handler' as const,
		actorId,
		actorLabel,
		targetType: 'organisation',
		targetId: actorOrgId,
		result: 'ok' as const,
		ip: ctx.req.ip,
		userAgent: ctx.req.userAgent
	};
}

function refuseUnusable(state: 'pending' | 'used' | 'expired'): void {
	if (state === 'used') fail('CONFLICT', 'partner_link_used');
	if (state === 'expired') fail('CONFLICT', 'partner_link_expired');
}

export const partnerRouter = createTRPCRouter({
	/** The organisation's partner offices, and (for administrators) its open invitation links. */
	list: handlerProcedure.query(async ({ ctx }) => {
		const partners = await ctx.db
			.select({ orgId: organisations.id, name: organisations.name, contact: organisations.contact, since: partnerships.createdAt })
			.from(partnerships)
			.innerJoin(organisations, eq(organisations.id, partnerships.partnerOrgId))
			.where(and(eq(partnerships.orgId, ctx.user.orgId), isNull(partnerships.endedAt)))
			.orderBy(asc(organisations.name));
		const open = ctx.user.isAdmin
			? await ctx.db
					.select({ id: partnerInvitations.id, createdAt: partnerInvitations.createdAt, expiresAt: partnerInvitations.expiresAt })
					.from(partnerInvitations)
					.where(
						and(
							eq(partnerInvitations.orgId, ctx.user.orgId),
							isNull(partnerInvitations.usedAt),
							isNull(partnerInvitations.revokedAt),
							gt(partnerInvitations.expiresAt, ctx.services.now())
						)
					)
					.orderBy(asc(partnerInvitations.createdAt))
			: [];
		return {
			canManage: ctx.user.isAdmin,
			partners: partners.map((p) => ({ ...p, since: p.since.toISOString() })),
			invitations: open.map((i) => ({ id: i.id, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() }))
		};
	}),

	/** Issues a one-time link for another office (administrators). Only the token's hash is stored. */
	invite: handlerProcedure.mutation(async ({ ctx }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		const raw = randomBytes(32).toString('base64url');
		const now = ctx.services.now();
		const expiresAt = new Date(now.getTime() + PARTNER_INVITATION_DAYS * 24 * 60 * 60 * 1000);
		const id = await ctx.db.transaction(async (tx) => {
			const [row] = await tx
				.insert(partnerInvitations)
				.values({ orgId: ctx.user.orgId, tokenHash: hashToken(raw), createdBy: ctx.user.id, createdAt: now, expiresAt })
				.returning({ id: partnerInvitations.id });
			await appendAuditInTx(tx, handlerEvent(ctx, { action: 'partner_invite', targetType: 'partner_invitation', targetId: row!.id }), now);
			return row!.id;
		});
		return { id, token: raw, expiresAt: expiresAt.toISOString() };
	}),

	/** Withdraws an unused link (administrators of the issuing organisation). */
	cancelInvite: handlerProcedure.input(z.object({ invitationId: uuid })).mutation(async ({ ctx, input }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			const done = await tx
				.update(partnerInvitations)
				.set({ revokedAt: now })
				.where(and(eq(partnerInvitations.id, input.invitationId), eq(partnerInvitations.orgId, ctx.user.orgId), isNull(partnerInvitations.usedAt), isNull(partnerInvitations.revokedAt)))
				.returning({ id: partnerInvitations.id });
			if (!done.length) fail('NOT_FOUND', 'not_found');
			await appendAuditInTx(tx, handlerEvent(ctx, { action: 'partner_invite_cancel', targetType: 'partner_invitation', targetId: input.invitationId }), now);
		});
		return { ok: true as const };
	}),

	/** What the partner page shows before anyone signs in: who invites, and whether the link still works. */
	peek: publicProcedure.input(z.object({ token })).mutation(async ({ ctx, input }) => {
		const inv = await findInvitation(ctx, input.token);
		return { orgName: inv.orgName, state: inv.state };
	}),

	/** Registers a new office on this instance through the link, as its partner, and signs its administrator in. */
	register: publicProcedure.input(z.object({ token, ...newOrganisationInput })).mutation(async ({ ctx, input }) => {
		const inv = await findInvitation(ctx, input.token);
		refuseUnusable(inv.state);
		// User IDs are unique on the instance: a taken one counts as a failure, so a link cannot be used to probe them freely.
		if ((await ctx.db.select({ id: users.id }).from(users).where(eq(users.loginId, input.admin.loginId))).length) {
			await countFailure(ctx, [{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }]);
			fail('CONFLICT', 'login_id_taken');
		}
		const now = ctx.services.now();
		const passwordHash = await hashPassword(input.admin.password, ctx.services.config.passwordLogN);
		const { userId } = await ctx.db.transaction(async (tx) => {
			const created = await insertOrganisation(tx, ctx, { ...input, passwordHash, action: 'partner_join', detail: { partnerOrgId: inv.orgId }, now });
			await consume(tx, inv, created.orgId, now);
			await appendAuditInTx(tx, { ...otherSide(ctx, inv.orgId, created.orgId, input.admin.loginId, created.userId), action: 'partner_join' }, now);
			return created;
		});
		const { token: sessionToken } = await createSession(ctx.db, { kind: 'handler', userId }, now, ctx.services.config.handlerMaxSeconds);
		ctx.req.setCookie(sessionCookie(sessionToken, ctx.services.config.handlerMaxSeconds, ctx.req.secure));
		return { ok: true as const };
	}),

	/** An administrator of an organisation already on this instance accepts the link. */
	accept: handlerProcedure.input(z.object({ token })).mutation(async ({ ctx, input }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'partner_admin_only');
		const inv = await findInvitation(ctx, input.token);
		refuseUnusable(inv.state);
		if (inv.orgId === ctx.user.orgId) fail('BAD_REQUEST', 'partner_self');
		if ((await partnerOrgIds(ctx.db, ctx.user.orgId)).includes(inv.orgId)) fail('CONFLICT', 'partner_exists');
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			await consume(tx, inv, ctx.user.orgId, now);
			await appendAuditInTx(tx, handlerEvent(ctx, { action: 'partner_join', targetType: 'organisation', targetId: inv.orgId }), now);
			await appendAuditInTx(tx, { ...otherSide(ctx, inv.orgId, ctx.user.orgId, ctx.user.loginId, ctx.user.id), action: 'partner_join' }, now);
		});
		return { ok: true as const, orgName: inv.orgName };
	}),

	/**
	 * Ends a partnership (administrators of either side). Refused while a handler of one side
	 * still holds a role in a company of the other: removing them first starts a new key epoch,
	 * which ending a partnership alone could not do.
	 */
	end: handlerProcedure.input(z.object({ orgId: uuid })).mutation(async ({ ctx, input }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		const sides = [ctx.user.orgId, input.orgId];
		const now = ctx.services.now();
		const bothWays = or(
			and(eq(partnerships.orgId, ctx.user.orgId), eq(partnerships.partnerOrgId, input.orgId)),
			and(eq(partnerships.orgId, input.orgId), eq(partnerships.partnerOrgId, ctx.user.orgId))
		);
		const inUse = await ctx.db.transaction(async (tx) => {
			// FOR UPDATE waits for grants that hold the partnership FOR SHARE, so none slips in meanwhile.
			const rows = await tx.select({ orgId: partnerships.orgId }).from(partnerships).where(and(bothWays, isNull(partnerships.endedAt))).for('update');
			if (!rows.length) fail('NOT_FOUND', 'not_found');
			// Roles that cross the boundary: a user of one side in a company of the other.
			const roles = await tx
				.select({ companyOrg: companies.orgId, userOrg: users.orgId })
				.from(companyRoles)
				.innerJoin(companies, eq(companies.id, companyRoles.companyId))
				.innerJoin(users, eq(users.id, companyRoles.userId))
				.where(and(isNull(companyRoles.revokedAt), inArray(companies.orgId, sides), inArray(users.orgId, sides)));
			const crossing = roles.filter((r) => r.companyOrg !== r.userOrg).length;
			if (crossing) return crossing;
			await tx.update(partnerships).set({ endedAt: now }).where(and(bothWays, isNull(partnerships.endedAt)));
			await appendAuditInTx(tx, handlerEvent(ctx, { action: 'partner_end', targetType: 'organisation', targetId: input.orgId }), now);
			await appendAuditInTx(tx, { ...otherSide(ctx, input.orgId, ctx.user.orgId, ctx.user.loginId, ctx.user.id), action: 'partner_end' }, now);
			return 0;
		});
		if (inUse) {
			await appendAudit(ctx.db, handlerEvent(ctx, { action: 'partner_end', targetType: 'organisation', targetId: input.orgId, result: 'denied', detail: { roles: inUse } }), now);
			fail('CONFLICT', 'partner_in_use', { count: inUse });
		}
		return { ok: true as const };
	})
});
