/**
 * Sign-in throttling in the database (so it holds across server processes): after a few
 * failures each new attempt must wait longer, and after many the key is locked for a while.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { loginThrottle } from '../db/schema';

export interface ThrottlePolicy {
	/** Failures allowed before delays start. */
	freeFailures: number;
	/** Longest delay between attempts once delays have started, in seconds. */
	maxDelaySeconds: number;
	/** Failures after which the key is locked. */
	lockAfter: number;
	lockSeconds: number;
	/** A quiet period after which the failure count starts again. */
	resetAfterSeconds: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = {
	freeFailures: 3,
	maxDelaySeconds: 60,
	lockAfter: 10,
	lockSeconds: 15 * 60,
	resetAfterSeconds: 60 * 60
};

export const IP_POLICY: ThrottlePolicy = {
	freeFailures: 20,
	maxDelaySeconds: 60,
	lockAfter: 100,
	lockSeconds: 15 * 60,
	resetAfterSeconds: 60 * 60
};

/** Seconds until `key` may try again; 0 when an attempt is allowed now. */
export async function retryAfterSeconds(db: Db, key: string, policy: ThrottlePolicy, now: Date): Promise<number> {
	const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
	if (!row) return 0;
	const nowMs = now.getTime();
	if (row.lockedUntil && row.lockedUntil.getTime() > nowMs) return Math.ceil((row.lockedUntil.getTime() - nowMs) / 1000);
	if (nowMs - row.lastFailureAt.getTime() > policy.resetAfterSeconds * 1000) return 0;
	const delay = delaySeconds(row.failures, policy);
	const waitMs = row.lastFailureAt.getTime() + delay * 1000 - nowMs;
	return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}

function delaySeconds(failures: number, policy: ThrottlePolicy): number {
	if (failures < policy.freeFailures) return 0;
	return Math.min(2 ** (failures - policy.freeFailures), policy.maxDelaySeconds);
}

/** Counts one failure; returns true when this failure locked the key. */
export async function recordFailure(db: Db, key: string, policy: ThrottlePolicy, now: Date): Promise<boolean> {
	const [existing] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
	const stale = existing && now.getTime() - existing.lastFailureAt.getTime() > policy.resetAfterSeconds * 1000;
	const failures = !existing || stale ? 1 : existing.failures + 1;
	const lockedUntil = failures >= policy.lockAfter ? new Date(now.getTime() + policy.lockSeconds * 1000) : null;
	await db
		.insert(loginThrottle)
		.values({ key, failures, lastFailureAt: now, lockedUntil })
		.onConflictDoUpdate({
			target: loginThrottle.key,
			set: { failures: stale ? sql`1` : sql`${loginThrottle.failures} + 1`, lastFailureAt: now, lockedUntil }
		});
	return lockedUntil !== null && (existing?.lockedUntil == null || existing.lockedUntil.getTime() <= now.getTime());
}

export async function clearFailures(db: Db, key: string): Promise<void> {
	await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
