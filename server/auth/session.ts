/**
 * Database-backed sessions. The cookie holds 32 random bytes; the table holds only their
 * SHA-256, so a stolen database dump contains no usable session.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { Db, Tx } from '../db';
import { employees, sessions } from '../db/schema';

export const SESSION_COOKIE = 'mnv_session';

/** `lastSeenAt`: the activity time the idle limit counts from, as stored after this request (for the UI's expiry warning). */
export type SessionInfo =
	| { id: string; kind: 'handler'; userId: string; expiresAt: Date; lastSeenAt?: Date }
	| { id: string; kind: 'employee'; employeeId: string; companyId: string; invitationId: string | null; expiresAt: Date; lastSeenAt?: Date };

export function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

/** Creates a session and returns the cookie token (to be sent once, never stored). */
export async function createSession(
	db: Db,
	who: { kind: 'handler'; userId: string } | { kind: 'employee'; employeeId: string; invitationId: string },
	now: Date,
	lifetimeSeconds: number
): Promise<{ token: string; expiresAt: Date }> {
	const token = randomBytes(32).toString('base64url');
	const expiresAt = new Date(now.getTime() + lifetimeSeconds * 1000);
	await db.insert(sessions).values({
		id: hashToken(token),
		kind: who.kind,
		userId: who.kind === 'handler' ? who.userId : null,
		employeeId: who.kind === 'employee' ? who.employeeId : null,
		invitationId: who.kind === 'employee' ? who.invitationId : null,
		createdAt: now,
		lastSeenAt: now,
		expiresAt
	});
	return { token, expiresAt };
}

/**
 * Resolves a cookie token to a live session, extending an idle handler session. Expired or
 * idle sessions resolve to null (and are removed).
 */
export async function resolveSession(
	db: Db,
	token: string | undefined,
	now: Date,
	handlerIdleSeconds: number
): Promise<SessionInfo | null> {
	if (!token || token.length > 100) return null;
	const id = hashToken(token);
	const [row] = await db
		.select({
			id: sessions.id,
			kind: sessions.kind,
			userId: sessions.userId,
			employeeId: sessions.employeeId,
			invitationId: sessions.invitationId,
			lastSeenAt: sessions.lastSeenAt,
			expiresAt: sessions.expiresAt,
			companyId: employees.companyId
		})
		.from(sessions)
		.leftJoin(employees, eq(employees.id, sessions.employeeId))
		.where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)));
	if (!row) return null;
	if (row.kind === 'handler' && now.getTime() - row.lastSeenAt.getTime() > handlerIdleSeconds * 1000) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	// Touch at most once a minute: keeps idle tracking without a write per request.
	let lastSeenAt = row.lastSeenAt;
	if (now.getTime() - row.lastSeenAt.getTime() > 60_000) {
		await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
		lastSeenAt = now;
	}
	if (row.kind === 'handler' && row.userId) return { id, kind: 'handler', userId: row.userId, expiresAt: row.expiresAt, lastSeenAt };
	if (row.kind === 'employee' && row.employeeId && row.companyId)
		return { id, kind: 'employee', employeeId: row.employeeId, companyId: row.companyId, invitationId: row.invitationId, expiresAt: row.expiresAt, lastSeenAt };
	return null;
}

export async function deleteSession(db: Db, id: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, id));
}

/** `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
	return [
		`${SESSION_COOKIE}=${token}`,
		'Path=/',
		'HttpOnly',
		'SameSite=Strict',
		`Max-Age=${maxAgeSeconds}`,
		...(secure ? ['Secure'] : [])
	].join('; ');
}

export function clearSessionCookie(secure: boolean): string {
	return sessionCookie('', 0, secure);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const eqAt = part.indexOf('=');
		if (eqAt > 0 && part.slice(0, eqAt).trim() === name) return part.slice(eqAt + 1).trim();
	}
	return undefined;
}

/** Ends every session of an employee (a new letter replaced their device key and password). */
export async function deleteEmployeeSessions(db: Db | Tx, employeeId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.employeeId, employeeId));
}
