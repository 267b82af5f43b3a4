/**
 * Signed audit checkpoints (CRYPTO.md "Audit trail", issue 6 item 4) through the real API on each
 * backend: a handler's browser signs the chain's head; the server stores only a checkpoint that
 * fits the chain and the signer's key; and someone who rewrites the audit table with freshly
 * recomputed hashes (so the hash chain itself verifies) or cuts it short is still named by the
 * verifier, the history screen's verdict and the command-line verifier.
 */
import { asc, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditCheckpoints, auditEvents } from '../../server/db/schema';
import { generateSigningKeyPair, signCheckpoint } from '../../src/lib/crypto/index';
import { failure } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addHandler, setUpHandler, type HandlerSide, type OtherHandler } from '../support/journey';
import { rewriteAuditFrom } from '../support/tamper';

describe.each(backends)('signed audit checkpoints on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let owner: HandlerSide;
	let staff: OtherHandler;
	let ownerId: string;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		owner = await setUpHandler(app.url, app.services.setup.token!);
		staff = await addHandler(app.url, owner.client, 'tanto-cp');
		const me = await owner.client.trpc.auth.me.query();
		ownerId = me && me.kind === 'handler' ? me.user.id : '';
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	/** What a handler's browser does after unlocking: sign the current head with its own key. */
	async function signHead(who: { client: HandlerSide['client']; secretKey: Uint8Array; userId: string }) {
		const head = await who.client.trpc.audit.head.query({});
		const signedAt = new Date().toISOString();
		const signature = signCheckpoint(who.secretKey, { seq: head.seq, head: head.head, userId: who.userId, signedAt });
		return { head, input: { seq: head.seq, head: head.head, signedAt, signature } };
	}

	it('stores a checkpoint that fits the chain and the signer, once per new head', async () => {
		const { head, input } = await signHead({ client: owner.client, secretKey: owner.keys.signing.secretKey, userId: ownerId });
		expect(head.seq).toBeGreaterThan(3);
		expect(await owner.client.trpc.audit.checkpoint.mutate(input)).toEqual({ stored: true });
		// The same or an older head again: nothing new.
		expect(await owner.client.trpc.audit.checkpoint.mutate(input)).toEqual({ stored: false });
		const again = await owner.client.trpc.audit.head.query({ since: input.seq });
		expect(again.hashAtSince).toBe(input.head);
		expect(again.lastSignedSeq).toBe(input.seq);
		const verdict = await owner.client.trpc.audit.verify.query();
		expect(verdict).toMatchObject({ ok: true, firstBrokenSeq: null, checkpoints: { count: 1, firstBroken: null, latest: { seq: input.seq, signer: 'admin' } } });
	});

	it('refuses a checkpoint signed with another key, for another head, or as someone else', async () => {
		const { input } = await signHead({ client: owner.client, secretKey: generateSigningKeyPair().secretKey, userId: ownerId });
		expect(await failure(owner.client.trpc.audit.checkpoint.mutate(input))).toMatchObject({ data: { httpStatus: 400, appCode: 'checkpoint_signature_invalid' } });
		// The staff member's browser cannot sign in the owner's name: the statement names the caller.
		const forged = await signHead({ client: staff.client, secretKey: owner.keys.signing.secretKey, userId: ownerId });
		expect((await failure(staff.client.trpc.audit.checkpoint.mutate(forged.input))).data.httpStatus).toBe(400);
		const good = await signHead({ client: owner.client, secretKey: owner.keys.signing.secretKey, userId: ownerId });
		const otherHead = { ...good.input, head: 'f'.repeat(64) };
		otherHead.signature = signCheckpoint(owner.keys.signing.secretKey, { seq: otherHead.seq, head: otherHead.head, userId: ownerId, signedAt: otherHead.signedAt });
		expect(await failure(owner.client.trpc.audit.checkpoint.mutate(otherHead))).toMatchObject({ data: { httpStatus: 409, appCode: 'checkpoint_head_mismatch' } });
		const stale = { ...good.input, signedAt: new Date(Date.now() - 60 * 60 * 1000).toISOString() };
		expect((await failure(owner.client.trpc.audit.checkpoint.mutate(stale))).data.httpStatus).toBe(400);
		// The staff member signs with their own key: stored (a second checkpoint for the verifier).
		const theirs = await signHead({ client: staff.client, secretKey: staff.keys.signing.secretKey, userId: staff.userId });
		expect(await staff.client.trpc.audit.checkpoint.mutate(theirs.input)).toEqual({ stored: true });
		// Checkpoints are evidence: the database refuses to change or delete them.
		await expect(app.handle.rows(sql`delete from audit_checkpoints`)).rejects.toThrow();
		await expect(app.handle.rows(sql`update audit_checkpoints set head = ${'0'.repeat(64)}`)).rejects.toThrow();
	});

	it('names a checkpoint that no longer fits when the table is rewritten with recomputed hashes', async () => {
		const [first] = await app.handle.db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.seq)).limit(1);
		const target = first!.seq - 2;
		// What an attacker holding the database does: switch the triggers off, change an old event, re-link everything after it.
		await rewriteAuditFrom(app.handle.db, target);
		const verdict = await verifyAuditChain(app.handle.db);
		// The hash chain alone cannot tell: every link was recomputed.
		expect(verdict.firstBrokenSeq).toBeNull();
		expect(verdict.ok).toBe(false);
		expect(verdict.checkpoints.firstBroken).toMatchObject({ seq: first!.seq, problem: 'head' });
		expect(await owner.client.trpc.audit.verify.query()).toMatchObject({ ok: false, firstBrokenSeq: null, checkpoints: { firstBroken: { seq: first!.seq, problem: 'head', signer: 'admin' } } });
		// The browser that signed it finds the same: its remembered head is gone.
		expect((await owner.client.trpc.audit.head.query({ since: first!.seq })).hashAtSince).not.toBe(first!.head);
	});

	it('names a checkpoint beyond the end when events were deleted from the tail', async () => {
		// New events (three history downloads), a checkpoint of them, then the newest events go.
		for (let i = 0; i < 3; i++) await owner.client.trpc.audit.report.mutate({});
		const { input } = await signHead({ client: staff.client, secretKey: staff.keys.signing.secretKey, userId: staff.userId });
		expect(await staff.client.trpc.audit.checkpoint.mutate(input)).toEqual({ stored: true });
		await app.handle.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(sql`delete from audit_events where seq >= ${input.seq - 1}`);
		});
		const verdict = await verifyAuditChain(app.handle.db);
		expect(verdict.firstBrokenSeq).toBeNull();
		expect(verdict.checkpoints.firstBroken).toMatchObject({ problem: 'head' });
		// Without the older, rewritten checkpoint in the way, the cut is named as such.
		await app.handle.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(sql`delete from audit_checkpoints where seq < ${input.seq}`);
		});
		expect((await verifyAuditChain(app.handle.db)).checkpoints.firstBroken).toMatchObject({ seq: input.seq, problem: 'missing' });
		expect((await staff.client.trpc.audit.head.query({ since: input.seq })).hashAtSince).toBeNull();
	});

	it('records an alarm a browser raises, once per checkpoint', async () => {
		expect(await staff.client.trpc.audit.alarm.mutate({ seq: 3, expected: 'a'.repeat(64) })).toEqual({ recorded: true });
		expect(await staff.client.trpc.audit.alarm.mutate({ seq: 3, expected: 'a'.repeat(64) })).toEqual({ recorded: false });
		const [event] = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'audit_alarm'`);
		expect(event).toMatchObject({ actorLabel: 'tanto-cp', result: 'error', targetId: '3' });
		expect(event!.detail).toMatchObject({ seq: 3, expected: 'a'.repeat(64) });
	});
});
