/**
 * Issue 7 item 6, "Two servers, one PostgreSQL": two real server processes (`server/main.ts`, as
 * `npm start` runs it) on different ports share one PostgreSQL database, and a client alternates
 * between them as a load balancer without sticky sessions would. Sessions, the sign-in throttle,
 * the upload idempotency and the audit chain live in the database, so either server must see what
 * the other did.
 *
 * Needs PostgreSQL (the embedded database is one process only): skipped when neither
 * TEST_DATABASE_URL nor DATABASE_URL is set. CI sets DATABASE_URL.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/audit';
import { ACCOUNT_POLICY } from '../../server/auth/throttle';
import { openDb, type DbHandle } from '../../server/db';
import { auditEvents, loginThrottle, submissionImages, submissions } from '../../server/db/schema';
import { sealSubmission, verifyManifestChain, type SigningKeyPair } from '../../src/lib/crypto/index';
import { failure, testClient, type TestClient } from '../support/client';
import { adminDatabaseUrl, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, join, setUpHandler, type HandlerSide } from '../support/journey';
import { spawnServer, type ServerProcess } from '../support/spawn';

if (!adminDatabaseUrl) console.log('tests/server/two-servers.test.ts skipped: set DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server to run two servers on one database');

/** The same session (cookie jar copied) on another server: the load balancer sent the next request elsewhere. */
function on(server: ServerProcess, from: TestClient): TestClient {
	const client = testClient(server.url);
	for (const [name, value] of from.cookies) client.cookies.set(name, value);
	return client;
}

type Sealed = Awaited<ReturnType<typeof sealSubmission>>;

/** Upload metadata for one sealed item, as the outbox builds it (src/lib/outbox/index.ts). */
function metaOf(item: Sealed[number], items: Sealed, submissionId: string, epoch: number, device: SigningKeyPair) {
	const publicKey = Buffer.from(device.publicKey).toString('base64url');
	return item.kind === 'image'
		? { kind: 'image', submissionId, epoch, itemIndex: item.itemIndex, device: publicKey }
		: { kind: 'record', submissionId, epoch, device: publicKey, images: items.filter((i) => i.kind === 'image').map((i) => i.sha256) };
}

describe.skipIf(!adminDatabaseUrl)('two server processes on one PostgreSQL database', () => {
	let scratch: ScratchDb;
	let handle: DbHandle;
	const servers: ServerProcess[] = [];
	let handler: HandlerSide;

	beforeAll(async () => {
		scratch = await scratchDb('postgres');
		const env = { DATABASE_URL: scratch.options.databaseUrl!, STATIC_DIR: '/nonexistent' };
		// Started together: both migrate the empty database at once (serialised by an advisory lock).
		const started = await Promise.allSettled([spawnServer(env), spawnServer(env)]);
		for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
		const failed = started.find((s) => s.status === 'rejected');
		if (failed) throw failed.reason;
		handle = await openDb({ databaseUrl: scratch.options.databaseUrl!, maxConnections: 2 });
		// Both print a one-time setup link while no organisation exists; set up through the first.
		expect(servers[0]!.setupUrl).toBeTruthy();
		expect(servers[1]!.setupUrl).toBeTruthy();
		handler = await setUpHandler(servers[0]!.url, servers[0]!.setupUrl!.split('#')[1]!);
	});

	afterAll(async () => {
		await Promise.all(servers.map((s) => s.stop()));
		await handle?.close();
		await scratch?.drop();
	});

	it('runs two processes on different ports, and the second refuses its own setup link once the first was used', async () => {
		const [one, two] = servers;
		expect(one!.url).not.toBe(two!.url);
		expect(one!.child.pid).not.toBe(two!.child.pid);
		for (const s of servers) expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ ok: true, backend: 'postgres' });
		const late = await failure(
			testClient(two!.url).trpc.setup.create.mutate({
				token: two!.setupUrl!.split('#')[1]!,
				organisation: { name: '別の事務所', address: '東京都千代田区千代田1-1', contact: '03-0000-0000' },
				admin: { loginId: 'intruder', displayName: '別人', password: 'another long password' }
			})
		);
		expect(late.data.appCode).toBe('setup_done');
	});

	it('accepts a session started on one server on the other, and a sign-out on either ends it on both', async () => {
		const [one, two] = servers;
		const first = testClient(one!.url);
		await first.trpc.auth.login.mutate({ loginId: 'admin', password: 'correct horse battery' });
		expect(await first.trpc.auth.me.query()).toMatchObject({ kind: 'handler', user: { loginId: 'admin' } });

		const second = on(two!, first);
		expect(await second.trpc.auth.me.query()).toMatchObject({ kind: 'handler', user: { loginId: 'admin' } });
		expect((await second.trpc.company.list.query()).map((c) => c.id)).toContain(handler.company.companyId);

		await second.trpc.auth.logout.mutate();
		// Server 1 keeps nothing of its own: the cookie this client still sends it is no longer in the database.
		expect(first.cookies.size).toBeGreaterThan(0);
		expect(await first.trpc.auth.me.query()).toBeNull();
		expect((await failure(first.trpc.company.list.query())).data.httpStatus).toBe(401);
		// Other sessions of the same user are untouched.
		expect(await on(two!, handler.client).trpc.auth.me.query()).toMatchObject({ kind: 'handler' });
	});

	it('counts failed sign-ins on both servers together: the throttle starts at the same attempt as on one server', async () => {
		await handler.client.trpc.users.create.mutate({ loginId: 'throttled', displayName: '担当 throttled', password: 'initial password 123' });
		// Alternate: server 1, server 2, server 1… Each of these failures is free (no delay yet).
		for (let i = 0; i < ACCOUNT_POLICY.freeFailures; i++) {
			const wrong = await failure(testClient(servers[i % 2]!.url).trpc.auth.login.mutate({ loginId: 'throttled', password: `wrong password ${i}` }));
			expect(wrong.data.appCode).toBe('bad_credentials');
		}
		const [row] = await handle.db.select().from(loginThrottle).where(eq(loginThrottle.key, 'login:throttled'));
		expect(row?.failures).toBe(ACCOUNT_POLICY.freeFailures);
		// The next attempt must wait (1 s after the last failure), even with the right password, on
		// either server: with a count per process neither would have reached the threshold.
		const next = await Promise.all(servers.map((s) => failure(testClient(s.url).trpc.auth.login.mutate({ loginId: 'throttled', password: 'initial password 123' }))));
		for (const refused of next) {
			expect(refused.data.appCode).toBe('rate_limited');
			expect(Number(refused.data.retryAfterSeconds)).toBeGreaterThan(0);
		}
		const denied = await handle.db
			.select({ n: sql<number>`count(*)::int` })
			.from(auditEvents)
			.where(and(eq(auditEvents.action, 'login'), eq(auditEvents.actorLabel, 'throttled'), eq(auditEvents.result, 'denied')));
		expect(denied[0]!.n).toBe(ACCOUNT_POLICY.freeFailures);
	});

	it('stores a submission once when its upload is resent to the other server, one after the other or at the same time', async () => {
		const [one, two] = servers;
		const { employee: onOne, device } = await join(one!.url, await addEmployee(handler, 'TWO-1'));
		const onTwo = on(two!, onOne);
		const keys = await onTwo.trpc.employee.companyKeys.query();
		const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
		const seal = async (submissionId: string) =>
			sealSubmission({
				recipient: manifest.recipient,
				companyId: keys.companyId,
				epoch: manifest.epoch,
				employeeId: keys.employeeId,
				submissionId,
				record: { myNumber: '123456789018' },
				images: [crypto.getRandomValues(new Uint8Array(2048)), crypto.getRandomValues(new Uint8Array(3072))],
				device
			});

		// 1. Sent item by item to alternating servers (photo 1 → 1, photo 2 → 2, record → 1); the
		//    acknowledgements were lost, so the outbox sends everything again, this time to server 2.
		const firstId = crypto.randomUUID();
		const first = await seal(firstId);
		const clients = [onOne, onTwo];
		const receipts = [];
		for (const [i, item] of first.entries()) receipts.push(await clients[i % 2]!.upload(metaOf(item, first, firstId, manifest.epoch, device), item.sealed));
		for (const [i, item] of first.entries()) {
			expect(receipts[i]).toMatchObject({ id: firstId, itemIndex: item.itemIndex, sha256: item.sha256 });
			// The same receipt: this item, these exact bytes (what the outbox checks before deleting its copy).
			expect(await onTwo.upload(metaOf(item, first, firstId, manifest.epoch, device), item.sealed)).toMatchObject({ id: firstId, itemIndex: item.itemIndex, sha256: item.sha256 });
		}

		// 2. Every item sent to both servers at the same time (a page and its service worker each
		//    flushing, behind different servers): both answers are the receipt of exactly these bytes
		//    (a record locks its person's row, so the second finds the first), and one submission results.
		const secondId = crypto.randomUUID();
		const second = await seal(secondId);
		for (const item of second) {
			const meta = metaOf(item, second, secondId, manifest.epoch, device);
			const answers = await Promise.allSettled(clients.map((c) => c.upload(meta, item.sealed)));
			for (const answer of answers) {
				expect(answer.status === 'fulfilled' ? answer.value : String(answer.reason)).toMatchObject({ id: secondId, itemIndex: item.itemIndex, sha256: item.sha256 });
			}
		}

		for (const id of [firstId, secondId]) {
			const rows = await handle.db.select({ imageHashes: submissions.imageHashes }).from(submissions).where(eq(submissions.id, id));
			expect(rows).toHaveLength(1);
			expect(rows[0]!.imageHashes).toHaveLength(2);
			const images = await handle.db.select({ itemIndex: submissionImages.itemIndex }).from(submissionImages).where(eq(submissionImages.submissionId, id));
			expect(images.map((i) => i.itemIndex).sort()).toEqual([1, 2]);
			const submits = await handle.db
				.select({ n: sql<number>`count(*)::int` })
				.from(auditEvents)
				.where(and(eq(auditEvents.action, 'submit'), eq(auditEvents.targetId, id)));
			expect(submits[0]!.n).toBe(1);
		}
		const mine = (await onOne.trpc.submission.mine.query()).submissions.map((s) => s.id);
		expect(mine.sort()).toEqual([firstId, secondId].sort());
	});

	it('keeps one unbroken audit chain when both servers append at the same time', async () => {
		const [one, two] = servers;
		const { employee, device } = await join(two!.url, await addEmployee(handler, 'TWO-2'));
		const keys = await employee.trpc.employee.companyKeys.query();
		const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
		const sealRecord = async () => {
			const submissionId = crypto.randomUUID();
			const items = await sealSubmission({ recipient: manifest.recipient, companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId, record: { myNumber: '123456789018' }, images: [], device });
			return { submissionId, item: items[0]! };
		};
		const target = await sealRecord();
		await employee.upload(metaOf(target.item, [target.item], target.submissionId, manifest.epoch, device), target.item.sealed);
		const records = await Promise.all(Array.from({ length: 10 }, sealRecord));
		const before = await verifyAuditChain(handle.db);
		expect(before.ok).toBe(true);

		// 50 requests at once, alternating servers: 40 reasons recorded before a reveal (an append in
		// its own transaction) and 10 uploads (an append inside the upload's transaction).
		const handlers = [on(one!, handler.client), on(two!, handler.client)];
		const employees = [on(one!, employee), on(two!, employee)];
		const work = [
			...Array.from({ length: 40 }, (_, i) => () => handlers[i % 2]!.trpc.submission.reveal.mutate({ submissionId: target.submissionId, reason: `源泉徴収票作成事務 ${i}` })),
			...records.map((r, i) => () => employees[i % 2]!.upload(metaOf(r.item, [r.item], r.submissionId, manifest.epoch, device), r.item.sealed))
		];
		const results = await Promise.allSettled(work.map((w) => w()));
		expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

		const after = await verifyAuditChain(handle.db);
		expect(after).toMatchObject({ ok: true, firstBrokenSeq: null, count: before.count + 50 });
		const [shape] = await handle.rows(sql`select count(*)::int as n, count(distinct prev_hash)::int as links, min(seq)::int as first, max(seq)::int as last from audit_events`);
		// No gap (seq 1…n) and no fork (every event links to a different predecessor).
		expect(shape).toEqual({ n: after.count, links: after.count, first: 1, last: after.count });
		const reveals = await handle.db
			.select({ n: sql<number>`count(*)::int` })
			.from(auditEvents)
			.where(and(eq(auditEvents.action, 'reveal'), eq(auditEvents.targetId, target.submissionId)));
		expect(reveals[0]!.n).toBe(40);
		const submitted = await handle.db
			.select({ n: sql<number>`count(*)::int` })
			.from(submissions)
			.where(eq(submissions.employeeId, keys.employeeId));
		expect(submitted[0]!.n).toBe(11);
	});
});
