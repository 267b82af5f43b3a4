/**
 * Backup and restore (issue 7 item 8), on each backend, done the way docs/operations.md
 * ("Backup and restore") tells an operator to:
 *
 * - PGlite: stop the server, `tar czf` the data folder; restore = unpack it into a new folder.
 * - PostgreSQL: `pg_dump -Fc` of the live database; restore = `pg_restore` into a new, empty one.
 *
 * Data is made through the real API (office, company, an employee who joins and submits, a handler
 * who reveals with a reason and signs an audit checkpoint). After the backup the live installation
 * carries on (a second submission) and is then destroyed, so the restored server can only be
 * reading the backup. On the restore: the audit chain and its signed checkpoint verify, the
 * handler signs in, unwraps their keys from what the server hands back, opens the company's grants
 * and reveals the original My Number; the employee signs in with their own password and submits
 * again; nothing made after the backup is there, and the backup holds no plaintext. What a restore
 * undoes, as the docs warn: a sign-out after the backup (the session is valid again), and a
 * checkpoint a handler's browser signed after the backup (it no longer fits: the browser's alarm).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain, type ChainVerdict } from '../../server/audit';
import { auditEvents, submissions } from '../../server/db/schema';
import {
	deriveEmployeeKeys,
	fromBase64Url,
	handlerPublicInfo,
	openEmployeeName,
	openEpochGrant,
	openNumberMask,
	openRootKeyGrant,
	signCheckpoint,
	unwrapDeviceKey,
	unwrapHandlerKeys,
	verifyCompanyPin,
	verifyManifestChain,
	type CompanyKeys,
	type SigningKeyPair
} from '../../src/lib/crypto/index';
import { individualCheckDigit } from '../../src/lib/mynumber/index';
import { failure, testClient, type TestClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, EMPLOYEE_PASSWORD, joinAndSubmit, revealNumber, setUpHandler, submitNumber, type HandlerSide } from '../support/journey';

/** Synthetic numbers (valid check digits) that appear nowhere else in the tests. */
const NUMBER = `31415926535${individualCheckDigit('31415926535')}`;
const AFTER_BACKUP_NUMBER = `27182818284${individualCheckDigit('27182818284')}`;
const AFTER_RESTORE_NUMBER = `16180339887${individualCheckDigit('16180339887')}`;
const NAME = '復元　確子';
const ADMIN_PASSWORD = 'restore drill password';
const PASSPHRASE = 'a passphrase for tests'; // setUpHandler's
const REASON_BEFORE = '源泉徴収票作成事務（バックアップ前）';
const REASON_AFTER = '源泉徴収票作成事務（復元後の確認）';

const hasPgTools = (() => {
	try {
		execFileSync('pg_dump', ['--version'], { stdio: 'ignore' });
		execFileSync('pg_restore', ['--version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();
const PG_TOOLS_MISSING =
	'pg_dump and pg_restore are not on PATH, but the PostgreSQL backup-and-restore test needs them: ' +
	'install the PostgreSQL client (`apt-get install -y postgresql-client`; .ci/run installs it with PostgreSQL)';

function startOn(db: Parameters<typeof startServer>[0]['db']): Promise<RunningServer> {
	return startServer({ db, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
}

/** Every file under `dir`, for a byte search of the backup. */
function filesUnder(dir: string): string[] {
	return readdirSync(dir, { recursive: true, encoding: 'utf8' })
		.map((f) => join(dir, f))
		.filter((f) => statSync(f).isFile());
}

describe.each(backends)('backup and restore on %s', (backend) => {
	// Locally, a PostgreSQL run without the client tools says why it skips; in CI it fails (beforeAll).
	if (backend === 'postgres' && !hasPgTools && !process.env.CI) {
		it.skip(`needs pg_dump and pg_restore (${PG_TOOLS_MISSING})`, () => {});
		return;
	}

	const dir = mkdtempSync(join(tmpdir(), 'mnv-backup-test-'));
	const liveDir = join(dir, 'live');
	const restoredDir = join(dir, 'restored');
	let live: ScratchDb | undefined;
	let restoredDb: ScratchDb | undefined;
	let app: RunningServer | undefined;
	let restored: RunningServer;
	let handler: HandlerSide;
	let employee: TestClient;
	let device: SigningKeyPair;
	let ids: { companyId: string; employeeId: string };
	let submissionId: string;
	let afterBackupId: string;
	let atBackup: ChainVerdict;
	let liveChainLength: number;
	/** The checkpoint the handler's browser signed on the live server after the backup (it remembers it). */
	let signedAfterBackup: { seq: number; head: string };
	/** The handler's session cookie, signed out on the live server after the backup. */
	let handlerCookies: Map<string, string>;
	/** Where the backup's bytes can be searched as the database stores them (PGlite files; pg_dump as SQL). */
	let backupBytes: Buffer[];

	beforeAll(async () => {
		if (backend === 'postgres' && !hasPgTools) throw new Error(PG_TOOLS_MISSING);
		live = backend === 'postgres' ? await scratchDb('postgres') : undefined;
		const liveDb = live ? live.options : { dataDir: liveDir };
		app = await startOn(liveDb);

		// Office, company (kit confirmed), an employee who joins and submits, a handler who reveals with a reason.
		handler = await setUpHandler(app.url, app.services.setup.token!, { password: ADMIN_PASSWORD });
		const invitation = await addEmployee(handler, 'BK-001', NAME);
		({ employee, device, submissionId } = await joinAndSubmit(app.url, invitation, NUMBER));
		ids = { companyId: handler.company.companyId, employeeId: invitation.employeeId };
		expect(await revealNumber(handler, submissionId, REASON_BEFORE)).toBe(NUMBER);
		// What the handler's browser does after unlocking: sign the chain's head.
		const me = await handler.client.trpc.auth.me.query();
		const userId = me?.kind === 'handler' ? me.user.id : '';
		const head = await handler.client.trpc.audit.head.query({});
		const signedAt = new Date().toISOString();
		const signature = signCheckpoint(handler.keys.signing.secretKey, { seq: head.seq, head: head.head, userId, signedAt });
		expect(await handler.client.trpc.audit.checkpoint.mutate({ seq: head.seq, head: head.head, signedAt, signature })).toEqual({ stored: true });
		atBackup = await verifyAuditChain(app.handle.db);
		expect(atBackup).toMatchObject({ ok: true, checkpoints: { count: 1, firstBroken: null } });

		// The backup, as docs/operations.md says.
		if (backend === 'pglite') {
			await app.close(); // stop the server
			app = undefined;
			execFileSync('tar', ['czf', join(dir, 'mnv-backup.tgz'), '-C', liveDir, '.']);
			app = await startOn(liveDb); // the installation carries on (on another port: the phone's session comes along)
			const phone = testClient(app.url);
			for (const [k, v] of employee.cookies) phone.cookies.set(k, v);
			employee = phone;
		} else {
			execFileSync('pg_dump', ['-Fc', '-f', join(dir, 'mnv.dump'), live!.options.databaseUrl!]); // while it runs
		}

		// Work done after the backup: it must not be in the restore. The handler's browser signs a newer
		// checkpoint, then the handler signs out.
		afterBackupId = await submitNumber(employee, AFTER_BACKUP_NUMBER, device);
		const live2 = testClient(app.url);
		for (const [k, v] of handler.client.cookies) live2.cookies.set(k, v);
		const later = await live2.trpc.audit.head.query({});
		const laterAt = new Date().toISOString();
		const laterSignature = signCheckpoint(handler.keys.signing.secretKey, { seq: later.seq, head: later.head, userId, signedAt: laterAt });
		expect(await live2.trpc.audit.checkpoint.mutate({ seq: later.seq, head: later.head, signedAt: laterAt, signature: laterSignature })).toEqual({ stored: true });
		signedAfterBackup = { seq: later.seq, head: later.head };
		handlerCookies = new Map(live2.cookies);
		await live2.trpc.auth.logout.mutate();
		expect(await live2.trpc.auth.me.query()).toBeNull();
		liveChainLength = (await verifyAuditChain(app.handle.db)).count;
		expect(liveChainLength).toBeGreaterThan(atBackup.count);

		// The disaster: the live installation is gone.
		await app.close();
		app = undefined;
		await live?.drop();
		live = undefined;
		rmSync(liveDir, { recursive: true, force: true });

		// The restore, into a fresh database.
		if (backend === 'pglite') {
			mkdirSync(restoredDir);
			execFileSync('tar', ['xzf', join(dir, 'mnv-backup.tgz'), '-C', restoredDir]);
			backupBytes = filesUnder(restoredDir).map((f) => readFileSync(f));
			restored = await startOn({ dataDir: restoredDir });
		} else {
			restoredDb = await scratchDb('postgres'); // createdb: a new, empty database
			execFileSync('pg_restore', ['--no-owner', '--single-transaction', '-d', restoredDb.options.databaseUrl!, join(dir, 'mnv.dump')]);
			backupBytes = [execFileSync('pg_restore', ['-f', '-', join(dir, 'mnv.dump')], { maxBuffer: 256 * 1024 * 1024 })];
			restored = await startOn(restoredDb.options);
		}
	});

	afterAll(async () => {
		await app?.close();
		await restored?.close();
		await live?.drop();
		await restoredDb?.drop();
		rmSync(dir, { recursive: true, force: true });
	});

	it('restores exactly the backed-up state: same audit chain with its signed checkpoint, nothing from after the backup', async () => {
		// The organisation exists, so no setup link is offered to whoever reads the console.
		expect(restored.setupUrl).toBeNull();
		const verdict = await verifyAuditChain(restored.handle.db);
		expect(verdict).toMatchObject({ ok: true, firstBrokenSeq: null, count: atBackup.count, head: atBackup.head, checkpoints: { count: 1, firstBroken: null } });
		expect(verdict.checkpoints.latest).toEqual(atBackup.checkpoints.latest);
		expect(verdict.count).toBeLessThan(liveChainLength);
		// The reason was recorded before the ciphertext was released, and it came along.
		const reveals = await restored.handle.db
			.select({ reason: auditEvents.reason, targetId: auditEvents.targetId })
			.from(auditEvents)
			.where(eq(auditEvents.action, 'reveal'));
		expect(reveals).toEqual([{ reason: REASON_BEFORE, targetId: submissionId }]);
		// The append-only triggers came back with the data and guard the restored copy.
		await expect(restored.handle.rows(sql`update audit_events set reason = 'rewritten'`)).rejects.toThrow();
		await expect(restored.handle.rows(sql`delete from audit_checkpoints`)).rejects.toThrow();
		const rows = await restored.handle.db.select({ id: submissions.id }).from(submissions).where(and(eq(submissions.companyId, ids.companyId), eq(submissions.employeeId, ids.employeeId)));
		expect(rows.map((r) => r.id)).toEqual([submissionId]);
	});

	it('holds ciphertext only: no My Number, name, password or passphrase in the backup', () => {
		expect(backupBytes.length).toBeGreaterThan(0);
		// The search must be able to find what it looks for: the backup does hold readable metadata.
		expect(backupBytes.some((b) => b.includes('BK-001'))).toBe(true);
		for (const secret of [NUMBER, NAME, ADMIN_PASSWORD, PASSPHRASE, EMPLOYEE_PASSWORD]) {
			expect(backupBytes.some((b) => b.includes(Buffer.from(secret, 'utf8'))), secret).toBe(false);
		}
	});

	it('brings back what was undone after the backup: the signed-out session, and a checkpoint the browser remembers no longer fits', async () => {
		// docs/operations.md tells operators both: sessions of the backup's time are valid again until they
		// expire, and a handler's browser that signed a later checkpoint raises the audit alarm.
		const old = testClient(restored.url);
		for (const [k, v] of handlerCookies) old.cookies.set(k, v);
		expect(await old.trpc.auth.me.query()).toMatchObject({ kind: 'handler', user: { loginId: 'admin' } });
		const head = await old.trpc.audit.head.query({ since: signedAfterBackup.seq });
		expect(head.seq).toBeLessThan(signedAfterBackup.seq);
		expect(head.hashAtSince).not.toBe(signedAfterBackup.head); // what the browser's confirmAndSign treats as an alarm
		await old.trpc.auth.logout.mutate();
		expect(await old.trpc.auth.me.query()).toBeNull();
	});

	it("lets the handler sign in, unlock their keys from the restored server and open the submission", async () => {
		const client = testClient(restored.url);
		await client.trpc.auth.login.mutate({ loginId: 'admin', password: ADMIN_PASSWORD });
		const me = await client.trpc.auth.me.query();
		expect(me?.kind).toBe('handler');
		const userId = me?.kind === 'handler' ? me.user.id : '';

		// As the browser unlocks: the wrapped keys come from the restored server, the passphrase from the handler.
		const stored = await client.trpc.keys.wrapped.query();
		const keys = await unwrapHandlerKeys(fromBase64Url(stored.wrapped), PASSPHRASE);
		const info = handlerPublicInfo(keys);
		expect(info.fingerprint).toBe(stored.fingerprint);

		// The company's keys: the handler's own pin vouches for the root, the root for the manifests; grants opened with the keys.
		expect((await client.trpc.company.list.query()).map((c) => c.id)).toEqual([ids.companyId]);
		const company = await client.trpc.company.get.query({ companyId: ids.companyId });
		expect(verifyCompanyPin(info.signingPublicKey, ids.companyId, company.rootPublicKey, company.pinSignature!)).toBe(true);
		const manifest = verifyManifestChain(company.rootPublicKey, company.manifests, { companyId: ids.companyId });
		const epochGrant = company.grants.find((g) => g.kind === 'epoch' && g.epoch === manifest.epoch)!;
		const rootGrant = company.grants.find((g) => g.kind === 'root')!;
		const common = { companyId: ids.companyId, granterPublicKey: info.signingPublicKey, handler: keys };
		const epoch = await openEpochGrant({ ...common, epoch: manifest.epoch, ciphertext: fromBase64Url(epochGrant.ciphertext), signature: epochGrant.signature });
		expect(epoch.recipient).toBe(manifest.recipient);
		const root = await openRootKeyGrant({ ...common, ciphertext: fromBase64Url(rootGrant.ciphertext), signature: rootGrant.signature });
		const restoredKeys: CompanyKeys = { companyId: ids.companyId, root, epochs: [epoch] };
		const side: HandlerSide = { client, keys, company: restoredKeys };

		// The roster as the desk shows it: the current submission is the backed-up one (on the live server it
		// was the later one); its sealed name and sealed last four digits open with the restored data key.
		const [person] = await client.trpc.employee.list.query({ companyId: ids.companyId });
		expect(person!.code).toBe('BK-001');
		expect(openEmployeeName({ dataKey: epoch.dataKey, sealed: fromBase64Url(person!.sealedName!), ...ids })).toBe(NAME);
		expect(person!.latestSubmission!.id).toBe(submissionId);
		expect(openNumberMask({ dataKey: epoch.dataKey, sealed: fromBase64Url(person!.latestSubmission!.sealedMask!), ...ids, submissionId })).toBe(NUMBER.slice(-4));

		expect(await revealNumber(side, submissionId, REASON_AFTER)).toBe(NUMBER);
		expect((await failure(client.trpc.submission.reveal.mutate({ submissionId: afterBackupId, reason: REASON_AFTER }))).data.httpStatus).toBe(404);

		// The restored chain grows on: the new reveal is recorded with its reason and still verifies.
		const reveals = await restored.handle.db.select({ reason: auditEvents.reason }).from(auditEvents).where(eq(auditEvents.action, 'reveal'));
		expect(reveals.map((r) => r.reason)).toEqual([REASON_BEFORE, REASON_AFTER]);
		expect(await verifyAuditChain(restored.handle.db)).toMatchObject({ ok: true, checkpoints: { firstBroken: null } });

		// Sign-out ends the session on the restored server too.
		await client.trpc.auth.logout.mutate();
		expect(await client.trpc.auth.me.query()).toBeNull();
		expect((await failure(client.trpc.company.list.query())).data.httpStatus).toBe(401);
	});

	it('lets the employee sign in with their own password and submit again, and the handler open it', async () => {
		const phone = testClient(restored.url);
		const { authKey, wrapKey } = await deriveEmployeeKeys(EMPLOYEE_PASSWORD, ids);
		const { wrappedDevice } = await phone.trpc.auth.employeeLogin.mutate({ employeeId: ids.employeeId, authKey });
		const unlocked = unwrapDeviceKey({ ...ids, wrapKey, wrapped: fromBase64Url(wrappedDevice) });
		expect(unlocked.device.publicKey).toEqual(device.publicKey);
		const newId = await submitNumber(phone, AFTER_RESTORE_NUMBER, unlocked.device);

		const client = testClient(restored.url);
		await client.trpc.auth.login.mutate({ loginId: 'admin', password: ADMIN_PASSWORD });
		// The handler's keys as they were before the disaster (the test kept them): they still open the restored data.
		expect(await revealNumber({ ...handler, client }, newId, REASON_AFTER)).toBe(AFTER_RESTORE_NUMBER);
		expect(await verifyAuditChain(restored.handle.db)).toMatchObject({ ok: true, checkpoints: { firstBroken: null } });
	});
});
