/**
 * The append-only, hash-chained handling history (CRYPTO.md "Audit trail", DOMAIN.md §7).
 *
 * hash = SHA-256(prevHash ‖ canonical(event)), canonical = sorted keys, so the chain
 * survives jsonb's key reordering. Appends are serialised by a transaction-scoped advisory
 * lock; `unique(prev_hash)` is the backstop against a forked chain.
 */
import { asc, desc, eq, gt, sql } from 'drizzle-orm';
import { createHash, createPublicKey, verify as verifySignatureNode, type KeyObject } from 'node:crypto';
import { canonicalJson, checkpointMessage, fromBase64Url, type CheckpointStatement } from '../src/lib/crypto/index';
import type { Db } from './db';
import { auditCheckpoints, auditEvents, handlerKeys, users } from './db/schema';

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK_KEY = 0x6d6e7602; // 'mnv' 2

export type AuditAction =
	| 'setup'
	| 'org_settings_update'
	| 'org_details_update'
	| 'partner_invite'
	| 'partner_invite_cancel'
	| 'partner_join'
	| 'partner_end'
	| 'login'
	| 'logout'
	| 'password_change'
	| 'handler_key_create'
	| 'passkey_register'
	| 'passkey_rename'
	| 'passkey_remove'
	| 'passkey_login'
	| 'second_factor'
	| 'company_create'
	| 'recovery_kit_confirm'
	| 'purposes_update'
	| 'company_details_update'
	| 'user_create'
	| 'key_grant'
	| 'key_pin'
	| 'key_revoke'
	| 'employee_create'
	| 'employee_import'
	| 'employee_invite'
	| 'reminders_issue'
	| 'employee_join'
	| 'employee_login'
	| 'photos_swept'
	| 'photos_minimised'
	| 'image_retention_update'
	| 'submit'
	| 'decline'
	| 'enter_on_behalf'
	/** A 責任者 disposed of people's data (issue 6 item 3); detail holds counts and the batch id only. */
	| 'dispose'
	| 'export_format_save'
	| 'export_format_remove'
	| 'accept'
	| 'return'
	| 'reveal'
	| 'reveal_image'
	| 'verify'
	| 'export'
	/** A 責任者 downloaded the handling history report (issue 6 item 4); detail holds the filter. */
	| 'history_export'
	/** A handler's browser found the chain no longer extends the checkpoint it signed last. */
	| 'audit_alarm'
	/** A sign-in lock lifted before it expired: a handler's by an administrator, an employee's by a 責任者. */
	| 'account_unlock';

export interface AuditInput {
	orgId?: string | null;
	companyId?: string | null;
	actorType: 'anonymous' | 'handler' | 'employee' | 'system';
	actorId?: string | null;
	actorLabel?: string | null;
	action: AuditAction;
	targetType?: string | null;
	targetId?: string | null;
	purpose?: string | null;
	reason?: string | null;
	result: 'ok' | 'denied' | 'error';
	ip?: string | null;
	userAgent?: string | null;
	detail?: Record<string, string | number | boolean | null> | null;
}

/**
 * An event by the signed-in handler: who (organisation, user, login id) and from where (IP, user
 * agent) come from the request context, so a procedure names only what happened.
 */
export function handlerEvent(
	ctx: { user: { id: string; orgId: string; loginId: string }; req: { ip: string | null; userAgent: string | null } },
	event: Omit<AuditInput, 'orgId' | 'actorType' | 'actorId' | 'actorLabel' | 'ip' | 'userAgent' | 'result'> & { result?: AuditInput['result'] }
): AuditInput {
	return {
		orgId: ctx.user.orgId,
		actorType: 'handler',
		actorId: ctx.user.id,
		actorLabel: ctx.user.loginId,
		ip: ctx.req.ip,
		userAgent: ctx.req.userAgent,
		result: 'ok',
		...event
	};
}

type AuditRow = typeof auditEvents.$inferSelect;

/** The hashed part of an event: every column but the hash itself. */
function canonicalEvent(row: Omit<AuditRow, 'hash'>): string {
	return canonicalJson({
		seq: row.seq,
		at: row.at.toISOString(),
		orgId: row.orgId,
		companyId: row.companyId,
		actorType: row.actorType,
		actorId: row.actorId,
		actorLabel: row.actorLabel,
		action: row.action,
		targetType: row.targetType,
		targetId: row.targetId,
		purpose: row.purpose,
		reason: row.reason,
		result: row.result,
		ip: row.ip,
		userAgent: row.userAgent,
		detail: row.detail ?? null,
		prevHash: row.prevHash
	});
}

export function eventHash(row: Omit<AuditRow, 'hash'>): string {
	// node:crypto, not the browser's pure-JavaScript SHA-256: the same digest, several times faster for the verifier.
	return createHash('sha256').update(row.prevHash + canonicalEvent(row), 'utf8').digest('hex');
}

/** Anything that can run drizzle queries: the database or an open transaction. */
type Executor = Pick<Db, 'select' | 'insert' | 'execute'>;

/**
 * Appends events in order inside the caller's transaction, so they and the change they record
 * commit together (or none does): one lock, one read of the chain's end, one insert.
 */
export async function appendManyInTx(tx: Executor, events: readonly { event: AuditInput; at: Date }[]): Promise<{ seq: number; hash: string }[]> {
	if (events.length === 0) return [];
	await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
	const [last] = await tx
		.select({ seq: auditEvents.seq, hash: auditEvents.hash })
		.from(auditEvents)
		.orderBy(desc(auditEvents.seq))
		.limit(1);
	let seq = last?.seq ?? 0;
	let prevHash = last?.hash ?? GENESIS_HASH;
	const rows: AuditRow[] = [];
	for (const { event, at } of events) {
		const row: Omit<AuditRow, 'hash'> = {
			seq: ++seq,
			at,
			orgId: event.orgId ?? null,
			companyId: event.companyId ?? null,
			actorType: event.actorType,
			actorId: event.actorId ?? null,
			actorLabel: event.actorLabel ?? null,
			action: event.action,
			targetType: event.targetType ?? null,
			targetId: event.targetId ?? null,
			purpose: event.purpose ?? null,
			reason: event.reason ?? null,
			result: event.result,
			ip: event.ip ?? null,
			userAgent: event.userAgent ? event.userAgent.slice(0, 400) : null,
			detail: event.detail ?? null,
			prevHash
		};
		prevHash = eventHash(row);
		rows.push({ ...row, hash: prevHash });
	}
	await tx.insert(auditEvents).values(rows);
	return rows.map((r) => ({ seq: r.seq, hash: r.hash }));
}

/**
 * Appends one event inside the caller's transaction, so the event and the change it records
 * commit together (or neither does). Use `appendAudit` outside a transaction.
 */
export async function appendAuditInTx(tx: Executor, event: AuditInput, at: Date): Promise<{ seq: number; hash: string }> {
	const [result] = await appendManyInTx(tx, [{ event, at }]);
	return result!;
}

interface Waiting {
	event: AuditInput;
	at: Date;
	resolve: (r: { seq: number; hash: string }) => void;
	reject: (error: unknown) => void;
}

/** Events waiting for their group commit, per database handle. */
const waitingFor = new WeakMap<Db, { queue: Waiting[]; flushing: boolean }>();

/** Largest group written in one transaction. */
const GROUP_MAX = 500;

/**
 * Appends one event in its own transaction; resolves once it is committed. Events that arrive
 * while an earlier group is being committed go together in the next one (group commit): the chain
 * lock and the disk flush are paid once per group, not once per event, so many concurrent sign-ins
 * or views do not queue behind each other. An idle server commits at once (no timer).
 */
export function appendAudit(db: Db, event: AuditInput, at: Date): Promise<{ seq: number; hash: string }> {
	let state = waitingFor.get(db);
	if (!state) waitingFor.set(db, (state = { queue: [], flushing: false }));
	const promise = new Promise<{ seq: number; hash: string }>((resolve, reject) => state.queue.push({ event, at, resolve, reject }));
	if (!state.flushing) void flushGroups(db, state);
	return promise;
}

async function flushGroups(db: Db, state: { queue: Waiting[]; flushing: boolean }): Promise<void> {
	state.flushing = true;
	try {
		while (state.queue.length) {
			const group = state.queue.splice(0, GROUP_MAX);
			try {
				const results = await db.transaction((tx) => appendManyInTx(tx, group));
				group.forEach((w, i) => w.resolve(results[i]!));
			} catch (error) {
				if (group.length === 1) {
					group[0]!.reject(error);
					continue;
				}
				// One bad event must not fail its neighbours: each goes again on its own.
				for (const w of group) await db.transaction((tx) => appendManyInTx(tx, [w])).then(([r]) => w.resolve(r!), w.reject);
			}
		}
	} finally {
		state.flushing = false;
	}
}

export interface BrokenCheckpoint {
	id: string;
	seq: number;
	userId: string;
	orgId: string;
	signedAt: string;
	/** `head`: the chain's hash at `seq` differs; `missing`: the chain is shorter than `seq`; `signature`: not the signer's signature. */
	problem: 'head' | 'missing' | 'signature';
}

export interface CheckpointVerdict {
	count: number;
	/** The newest checkpoint that verified, if any. */
	latest: { seq: number; userId: string; orgId: string; signedAt: string } | null;
	/** The broken checkpoint with the lowest `seq` (where the rewritten part can be no later than). */
	firstBroken: BrokenCheckpoint | null;
}

export interface ChainVerdict {
	/** The hash chain links and every signed checkpoint fits it. */
	ok: boolean;
	count: number;
	head: string;
	/** The first event whose link or hash does not verify. */
	firstBrokenSeq: number | null;
	checkpoints: CheckpointVerdict;
}

/**
 * Re-computes the whole chain in pages and names the first broken link, then checks every signed
 * checkpoint against it: the chain's hash at the checkpoint's `seq` must be the signed head, and
 * the signature the signer's. A table rewritten with freshly computed hashes passes the first
 * test and fails the second.
 */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainVerdict> {
	const checkpoints = await db
		.select({
			id: auditCheckpoints.id,
			seq: auditCheckpoints.seq,
			head: auditCheckpoints.head,
			userId: auditCheckpoints.userId,
			orgId: users.orgId,
			signedAt: auditCheckpoints.signedAt,
			signature: auditCheckpoints.signature,
			signingPublicKey: handlerKeys.signingPublicKey
		})
		.from(auditCheckpoints)
		.innerJoin(users, eq(users.id, auditCheckpoints.userId))
		.leftJoin(handlerKeys, eq(handlerKeys.userId, auditCheckpoints.userId))
		.orderBy(asc(auditCheckpoints.seq));
	const hashAt = new Map<number, string>(checkpoints.map((c) => [c.seq, '']));

	let prev = GENESIS_HASH;
	let expectedSeq = 1;
	let count = 0;
	let firstBrokenSeq: number | null = null;
	walk: for (;;) {
		const page = await db
			.select()
			.from(auditEvents)
			.where(gt(auditEvents.seq, expectedSeq - 1))
			.orderBy(asc(auditEvents.seq))
			.limit(pageSize);
		for (const row of page) {
			const { hash, ...rest } = row;
			if (row.seq !== expectedSeq || row.prevHash !== prev || eventHash(rest) !== hash) {
				firstBrokenSeq = expectedSeq;
				break walk;
			}
			if (hashAt.has(row.seq)) hashAt.set(row.seq, hash);
			prev = hash;
			expectedSeq++;
			count++;
		}
		if (page.length < pageSize) break;
	}

	let firstBroken: BrokenCheckpoint | null = null;
	let latest: CheckpointVerdict['latest'] = null;
	for (const c of checkpoints) {
		const signedAt = c.signedAt.toISOString();
		// Past a broken link the chain's own hashes mean nothing: only checkpoints before it are judged.
		if (firstBrokenSeq !== null && c.seq >= firstBrokenSeq) break;
		const problem: BrokenCheckpoint['problem'] | null =
			c.seq > count
				? 'missing'
				: hashAt.get(c.seq) !== c.head
					? 'head'
					: !c.signingPublicKey || !checkpointSignatureValid(c.signingPublicKey, { seq: c.seq, head: c.head, userId: c.userId, signedAt }, c.signature)
						? 'signature'
						: null;
		if (problem) {
			firstBroken = { id: c.id, seq: c.seq, userId: c.userId, orgId: c.orgId, signedAt, problem };
			break;
		}
		latest = { seq: c.seq, userId: c.userId, orgId: c.orgId, signedAt };
	}
	return {
		ok: firstBrokenSeq === null && firstBroken === null,
		count,
		head: prev,
		firstBrokenSeq,
		checkpoints: { count: checkpoints.length, latest, firstBroken }
	};
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const publicKeys = new Map<string, KeyObject | null>();
/** Statements whose signature already verified in this process: a checkpoint row never changes, and one that did would not match its key here. */
const verifiedCheckpoints = new Set<string>();

/**
 * Ed25519 through node:crypto (OpenSSL), some fifty times faster than the browser's library: the
 * verifier checks every checkpoint ever signed, one per unlock, and must not hold the event loop.
 */
export function checkpointSignatureValid(publicKey: string, statement: CheckpointStatement, signature: string): boolean {
	const memo = `${publicKey}|${signature}|${statement.seq}|${statement.head}|${statement.userId}|${statement.signedAt}`;
	if (verifiedCheckpoints.has(memo)) return true;
	let key = publicKeys.get(publicKey);
	if (key === undefined) {
		try {
			const raw = fromBase64Url(publicKey);
			key = raw.length === 32 ? createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }) : null;
		} catch {
			key = null;
		}
		publicKeys.set(publicKey, key);
	}
	if (!key) return false;
	let ok = false;
	try {
		ok = verifySignatureNode(null, checkpointMessage(statement), key, fromBase64Url(signature));
	} catch {
		ok = false;
	}
	if (ok) verifiedCheckpoints.add(memo);
	return ok;
}

/** The chain's length and newest hash, and the hash at `seq` when asked (null past the end). */
export async function chainHead(db: Db, seq?: number): Promise<{ seq: number; head: string; hashAt: string | null }> {
	const [last] = await db.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
	let hashAt: string | null = null;
	if (seq !== undefined) {
		const [row] = await db.select({ hash: auditEvents.hash }).from(auditEvents).where(eq(auditEvents.seq, seq));
		hashAt = row?.hash ?? null;
	}
	return { seq: last?.seq ?? 0, head: last?.hash ?? GENESIS_HASH, hashAt };
}
