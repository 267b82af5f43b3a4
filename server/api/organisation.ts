/**
 * Creating an organisation with its first administrator: the instance's first office at setup,
 * and every further office that joins through a partner invitation.
 */
import type { Tx } from '../db';
import { organisations, users } from '../db/schema';
import { appendAuditInTx, type AuditAction } from '../audit';
import { loginId, password, plainText } from './inputs';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { fail, type Context } from './trpc';

/** What a new office enters: its details (seed M-1) and its first administrator. */
export const newOrganisationInput = {
	organisation: z.object({ name: plainText(200), address: plainText(300), contact: plainText(200) }),
	admin: z.object({ loginId, displayName: plainText(100), password })
};

/**
 * Inserts the organisation and its administrator inside `tx` and records `action` in the
 * handling history. The administrator is signed in by the caller once the transaction commits.
 */
export async function insertOrganisation(
	tx: Tx,
	ctx: Pick<Context, 'req'>,
	p: {
		organisation: { name: string; address: string; contact: string };
		admin: { loginId: string; displayName: string };
		passwordHash: string;
		action: Extract<AuditAction, 'setup' | 'partner_join'>;
		detail?: Record<string, string>;
		now: Date;
	}
): Promise<{ orgId: string; userId: string }> {
	const taken = await tx.select({ id: users.id }).from(users).where(eq(users.loginId, p.admin.loginId));
	if (taken.length) fail('CONFLICT', 'login_id_taken');
	const [org] = await tx
		.insert(organisations)
		.values({ ...p.organisation, createdAt: p.now })
		.returning({ id: organisations.id });
	const [user] = await tx
		.insert(users)
		.values({ orgId: org!.id, loginId: p.admin.loginId, displayName: p.admin.displayName, passwordHash: p.passwordHash, isAdmin: true, createdAt: p.now, lastLoginAt: p.now })
		.returning({ id: users.id });
	await appendAuditInTx(
		tx,
		{
			orgId: org!.id,
			actorType: 'handler',
			actorId: user!.id,
			actorLabel: p.admin.loginId,
			action: p.action,
			targetType: 'organisation',
			targetId: org!.id,
			result: 'ok',
			ip: ctx.req.ip,
			userAgent: ctx.req.userAgent,
			detail: p.detail ?? null
		},
		p.now
	);
	return { orgId: org!.id, userId: user!.id };
}
