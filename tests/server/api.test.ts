import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents, submissions } from '../../server/db/schema';
import { failure, testClient } from '../support/client';
import { backends, dumpAllTables, scratchDb, type ScratchDb } from '../support/databases';
import { fromBase64Url, deriveEmployeeKeys, unwrapDeviceKey } from '../../src/lib/crypto/index';
import { addEmployee, createCompany, EMPLOYEE_NAME, EMPLOYEE_PASSWORD, employeeCredential, inviteEmployee, join, joinAndSubmit, revealNumber, setUpHandler, submitNumber, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

const UPLOAD_LIMIT = 256 * 1024;

function hex(s: string): string {
	return Buffer.from(s, 'utf8').toString('hex');
}

describe.each(backends)('API on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;
	const clock = { offsetMs: 0 };

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({
			db: scratch.options,
			port: 0,
			host: '127.0.0.1',
			staticDir: '/nonexistent',
			quiet: true,
			config: { passwordLogN: 10, uploadLimitBytes: UPLOAD_LIMIT },
			now: () => new Date(Date.now() + clock.offsetMs)
		});
		expect(app.setupUrl).toMatch(/\/setup#[A-Za-z0-9_-]{20,}$/);
		handler = await setUpHandler(app.url, app.services.setup.token!);
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	it('carries a sealed number from an employee to a handler, and the server never sees it', async () => {
		const invitation = await addEmployee(handler, 'E001');
		const { submissionId } = await joinAndSubmit(app.url, invitation);
		expect(await revealNumber(handler, submissionId)).toBe(SYNTHETIC_NUMBER);

		const dump = await dumpAllTables((q) => app.handle.rows(q));
		expect(dump).toContain('E001'); // the dump is real: metadata the server may know is there
		for (const secret of [SYNTHETIC_NUMBER, EMPLOYEE_NAME, '試験', '花子']) {
			expect(dump).not.toContain(secret);
			expect(dump).not.toContain(hex(secret));
		}
	});

	it('records every step in a verifiable, append-only chain', async () => {
		const actions = (await app.handle.db.select({ action: auditEvents.action, result: auditEvents.result }).from(auditEvents)).map((r) => r.action);
		for (const action of ['setup', 'handler_key_create', 'company_create', 'employee_create', 'employee_invite', 'employee_join', 'submit', 'reveal']) {
			expect(actions).toContain(action);
		}
		const [reveal] = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'reveal'`);
		expect(reveal).toMatchObject({ reason: '源泉徴収票作成事務', result: 'ok', actorLabel: 'admin', userAgent: 'vitest' });
		expect(reveal!.ip).toBeTruthy();

		const verdict = await verifyAuditChain(app.handle.db);
		expect(verdict).toMatchObject({ ok: true, firstBrokenSeq: null });
		expect(verdict.count).toBe(actions.length);
		expect(await handler.client.trpc.audit.verify.query()).toMatchObject({ ok: true, count: actions.length });

		for (const statement of [sql`update audit_events set reason = 'changed'`, sql`delete from audit_events`, sql`truncate audit_events`]) {
			const error = await app.handle.rows(statement).then(
				() => null,
				(e: unknown) => e as Error & { cause?: Error }
			);
			expect(error?.cause?.message ?? error?.message).toMatch(/audit_events is append-only/);
		}
		expect((await verifyAuditChain(app.handle.db)).count).toBe(actions.length);
	});

	it('refuses a second key, and a fingerprint that is not the recipient\'s', async () => {
		const { generateHandlerKeys, handlerPublicInfo, wrapHandlerKeys, toBase64Url } = await import('../../src/lib/crypto/index');
		const keys = await generateHandlerKeys();
		const info = handlerPublicInfo(keys);
		const wrapped = toBase64Url(await wrapHandlerKeys(keys, 'another passphrase', { logN: 10 }));
		const forged = await failure(handler.client.trpc.keys.create.mutate({ ...info, fingerprint: handlerPublicInfo(handler.keys).fingerprint, wrapped }));
		expect(forged.data.appCode).toBe('invalid_input');
		const second = await failure(handler.client.trpc.keys.create.mutate({ ...info, wrapped }));
		expect(second.data.appCode).toBe('handler_key_exists');
		expect((await handler.client.trpc.keys.wrapped.query()).recipient).toBe(handler.keys.recipient);
	});

	it('issues no invitation until a 責任者 confirms the recovery kit, and records the confirmation', async () => {
		const company = await createCompany(handler.client, handler.keys, '株式会社キット未保管', null, { confirmKit: false });
		expect((await handler.client.trpc.company.get.query({ companyId: company.companyId })).recoveryKit).toBeNull();
		const other: HandlerSide = { ...handler, company };
		const refused = await failure(addEmployee(other, 'KIT-1'));
		expect(refused.data.appCode).toBe('recovery_kit_required');
		expect(refused.message).toContain('復旧キット');

		// An epoch the company does not have yet cannot be vouched for.
		const ahead = await failure(handler.client.trpc.company.confirmRecoveryKit.mutate({ companyId: company.companyId, epoch: 2 }));
		expect(ahead.data.appCode).toBe('recovery_kit_outdated');
		const bad = await failure(handler.client.trpc.company.confirmRecoveryKit.mutate({ companyId: company.companyId, epoch: 0 }));
		expect(bad.data.appCode).toBe('invalid_input');

		await handler.client.trpc.company.confirmRecoveryKit.mutate({ companyId: company.companyId, epoch: 1 });
		const detail = await handler.client.trpc.company.get.query({ companyId: company.companyId });
		expect(detail.recoveryKit).toMatchObject({ epoch: 1, confirmedBy: 'admin' });
		// The employee added before the confirmation can be invited now.
		const [employee] = await handler.client.trpc.employee.list.query({ companyId: company.companyId });
		expect((await inviteEmployee(other, employee!.id)).token).toBeTruthy();
		const events = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'recovery_kit_confirm' and ${auditEvents.companyId} = ${company.companyId}`);
		expect(events).toHaveLength(1);
		expect(events[0]!.detail).toEqual({ epoch: 1 });
	});

	it('refuses a second setup and a wrong setup token', async () => {
		expect(await handler.client.trpc.setup.status.query()).toEqual({ needsSetup: false });
		const other = testClient(app.url);
		const again = await failure(
			other.trpc.setup.create.mutate({
				token: 'x'.repeat(32),
				organisation: { name: 'x', address: 'x', contact: 'x' },
				admin: { loginId: 'intruder', displayName: 'x', password: 'x'.repeat(12) }
			})
		);
		expect(again.data.appCode).toBe('setup_done');
		expect(again.message).toContain('初期設定は完了');
	});

	it('explains invalid input field by field, without a stack trace', async () => {
		const bad = await failure(
			handler.client.trpc.employee.create.mutate({ id: 'not-a-uuid', companyId: handler.company.companyId, code: 'E 1', sealedName: '!!' })
		);
		expect(bad.data.httpStatus).toBe(400);
		expect(bad.data.appCode).toBe('invalid_input');
		expect(Object.keys(bad.data.fieldErrors as object).sort()).toEqual(['code', 'id', 'sealedName']);
		expect(JSON.stringify(bad)).not.toMatch(/stack|at \w+ \(/);
	});

	it('rejects an invalid 法人番号 with a clear message, in Japanese or English', async () => {
		const ja = await failure(handler.client.trpc.company.create.mutate({ ...(await companyInput()), corporateNumber: '1123456789012' }));
		expect(ja.message).toContain('法人番号');
		const en = testClient(app.url, { lang: 'en' });
		en.cookies.set('mnv_session', handler.client.cookies.get('mnv_session')!);
		const english = await failure(en.trpc.company.create.mutate({ ...(await companyInput()), corporateNumber: '1123456789012' }));
		expect(english.message).toContain('corporate number');
	});

	it('refuses an employee code that already exists, keeping the first employee', async () => {
		await addEmployee(handler, 'DUP-1', '重複　一郎');
		const dup = await failure(addEmployee(handler, 'DUP-1', '重複　二郎'));
		expect(dup.data.appCode).toBe('employee_code_exists');
		expect(dup.message).toContain('DUP-1');
		const list = await handler.client.trpc.employee.list.query({ companyId: handler.company.companyId });
		expect(list.filter((e) => e.code === 'DUP-1')).toHaveLength(1);
	});

	it('lets a join link be used once, and rejects a wrong initial password', async () => {
		const invitation = await addEmployee(handler, 'J-1');
		const peek = await testClient(app.url).trpc.join.peek.mutate({ token: invitation.token });
		expect(peek).toEqual({ companyName: '株式会社テスト', employeeCode: 'J-1', companyId: handler.company.companyId, employeeId: invitation.employeeId, state: 'pending', kind: 'employee' });
		const device = { publicKey: 'A'.repeat(43), mac: 'A'.repeat(43) };
		const credential = { authKey: 'A'.repeat(43), wrappedDevice: 'A'.repeat(80) };
		const wrong = await failure(testClient(app.url).trpc.join.redeem.mutate({ token: invitation.token, password: 'WRONG-PASS-WORD', device, credential }));
		expect(wrong.data.appCode).toBe('wrong_initial_password');
		await joinAndSubmit(app.url, invitation);
		const second = await failure(testClient(app.url).trpc.join.redeem.mutate({ token: invitation.token, password: invitation.initialPassword, device, credential }));
		expect(second.data.appCode).toBe('join_link_used');
		expect(second.message).toContain('既に使用');
		const unknown = await failure(testClient(app.url).trpc.join.peek.mutate({ token: 'A'.repeat(43) }));
		expect(unknown.data.appCode).toBe('join_link_invalid');
	});

	it("signs an employee in again with their own password, on a new phone, and hands back only their sealed device key", async () => {
		const invitation = await addEmployee(handler, 'PW-1');
		const { device } = await join(app.url, invitation);
		const ids = { companyId: handler.company.companyId, employeeId: invitation.employeeId };
		const right = await employeeCredential(ids, device);
		const wrongKeys = await deriveEmployeeKeys('まちがったパスワード', ids);

		const phone = testClient(app.url);
		const wrong = await failure(phone.trpc.auth.employeeLogin.mutate({ employeeId: ids.employeeId, authKey: wrongKeys.authKey }));
		expect(wrong.data.appCode).toBe('bad_credentials');
		// Someone who is not an employee gets the same answer.
		const nobody = await failure(phone.trpc.auth.employeeLogin.mutate({ employeeId: crypto.randomUUID(), authKey: right.authKey }));
		expect(nobody.data.appCode).toBe('bad_credentials');
		expect(await phone.trpc.auth.me.query()).toBeNull();

		const { wrappedDevice } = await phone.trpc.auth.employeeLogin.mutate({ employeeId: ids.employeeId, authKey: right.authKey });
		const { wrapKey } = await deriveEmployeeKeys(EMPLOYEE_PASSWORD, ids);
		const unlocked = unwrapDeviceKey({ ...ids, wrapKey, wrapped: fromBase64Url(wrappedDevice) });
		expect(unlocked.device.publicKey).toEqual(device.publicKey);
		expect(await phone.trpc.auth.me.query()).toMatchObject({ kind: 'employee', employee: { id: ids.employeeId, code: 'PW-1' } });
		// The new phone signs with the same registered device key: the handler's checks pass.
		const submissionId = await submitNumber(phone, SYNTHETIC_NUMBER, unlocked.device);
		expect(await revealNumber(handler, submissionId)).toBe(SYNTHETIC_NUMBER);

		// The server keeps a hash of the sign-in key, never the key itself.
		const dump = await dumpAllTables((q) => app.handle.rows(q));
		expect(dump).not.toContain(right.authKey);
		const audit = await app.handle.db.select({ result: auditEvents.result }).from(auditEvents).where(sql`${auditEvents.action} = 'employee_login'`);
		expect(audit.map((a) => a.result).sort()).toEqual(['denied', 'denied', 'ok']);

		// A new letter (forgotten password): the new password replaces the old one, with the new phone's device key.
		const again = await inviteEmployee(handler, ids.employeeId);
		const second = await join(app.url, again, 'あたらしいパスワード');
		const stale = await failure(testClient(app.url).trpc.auth.employeeLogin.mutate({ employeeId: ids.employeeId, authKey: right.authKey }));
		expect(stale.data.appCode).toBe('bad_credentials');
		const fresh = await deriveEmployeeKeys('あたらしいパスワード', ids);
		const relogin = await testClient(app.url).trpc.auth.employeeLogin.mutate({ employeeId: ids.employeeId, authKey: fresh.authKey });
		expect(unwrapDeviceKey({ ...ids, wrapKey: fresh.wrapKey, wrapped: fromBase64Url(relogin.wrappedDevice) }).device.publicKey).toEqual(second.device.publicKey);
	});

	it('accepts only ciphertext uploads within the size limit, and loses nothing stored', async () => {
		const invitation = await addEmployee(handler, 'UP-1');
		const { employee, submissionId } = await joinAndSubmit(app.url, invitation);
		const before = await app.handle.db.select({ id: submissions.id, size: submissions.size }).from(submissions);
		const keys = await employee.trpc.employee.companyKeys.query();

		const plain = await failure(employee.upload({ submissionId: crypto.randomUUID(), epoch: 1, kind: 'record' }, new TextEncoder().encode('123456789018')));
		expect(plain.data.appCode).toBe('upload_not_ciphertext');

		const tooBig = await failure(employee.upload({ submissionId: crypto.randomUUID(), epoch: 1, kind: 'record' }, new Uint8Array(UPLOAD_LIMIT + 1)));
		expect(tooBig.data.httpStatus).toBe(413);
		expect(tooBig.message).toContain('大きすぎます');

		const raw = await fetch(`${app.url}/trpc/submission.upload`, {
			method: 'POST',
			headers: { 'content-type': 'application/octet-stream', cookie: `mnv_session=${employee.cookies.get('mnv_session')}` },
			body: new Uint8Array(UPLOAD_LIMIT * 4)
		});
		expect(raw.status).toBe(413);

		const badMeta = await failure(employee.upload({ submissionId: 'nope' }, new Uint8Array(10)));
		expect(badMeta.data.appCode).toBe('upload_meta_invalid');

		const [stored] = await app.handle.db.select().from(submissions).where(sql`${submissions.id} = ${submissionId}`);
		const stale = await failure(employee.upload({ submissionId: crypto.randomUUID(), epoch: keys.manifests.length + 1, kind: 'record' }, stored!.ciphertext));
		expect(stale.data.appCode).toBe('epoch_outdated');

		const after = await app.handle.db.select({ id: submissions.id, size: submissions.size }).from(submissions);
		expect(after).toEqual(before);
		expect(await revealNumber(handler, submissionId)).toBe(SYNTHETIC_NUMBER);
	});

	it('treats a resent submission as the same one, and refuses different content under its id', async () => {
		const invitation = await addEmployee(handler, 'RS-1');
		const { employee, device } = await joinAndSubmit(app.url, invitation);
		const id = await submitNumber(employee, '123456789000', device);
		const count = async () => (await handler.client.trpc.submission.list.query({ companyId: handler.company.companyId, employeeId: invitation.employeeId })).length;
		expect(await count()).toBe(2);
		const [row] = await app.handle.db.select().from(submissions).where(sql`${submissions.id} = ${id}`);
		await employee.upload({ submissionId: id, epoch: 1, kind: 'record' }, row!.ciphertext);
		expect(await count()).toBe(2);
		const other = await failure(employee.upload({ submissionId: id, epoch: 1, kind: 'record' }, (await app.handle.db.select().from(submissions).limit(1))[0]!.ciphertext));
		expect(other.data.appCode).toBe('submission_conflict');
	});

	it('lets a handler trust only submissions signed by the device registered with the letter\'s secret', async () => {
		const invitation = await addEmployee(handler, 'DV-1');
		const { employee, device, submissionId } = await joinAndSubmit(app.url, invitation);
		expect(await revealNumber(handler, submissionId)).toBe(SYNTHETIC_NUMBER);
		// The server (or anyone with the company's public key) seals a record: unsigned, or signed by its own key.
		const unsigned = await submitNumber(employee, '123456789000', undefined);
		await expect(revealNumber(handler, unsigned)).rejects.toMatchObject({ code: 'bad_signature' });
		const { generateSigningKeyPair } = await import('../../src/lib/crypto/index');
		const forged = await submitNumber(employee, '123456789000', generateSigningKeyPair());
		await expect(revealNumber(handler, forged)).rejects.toMatchObject({ code: 'bad_signature' });
		// A server that swaps the registered key for its own cannot produce the HMAC without the letter's secret.
		const mine = generateSigningKeyPair();
		const { toBase64Url } = await import('../../src/lib/crypto/index');
		await app.handle.rows(sql`update invitations set device_public_key = ${toBase64Url(mine.publicKey)} where employee_id = ${invitation.employeeId}`);
		const swapped = await submitNumber(employee, '123456789000', mine);
		await expect(revealNumber(handler, swapped)).rejects.toThrow(/device registration does not verify/);
		void device;

		// A device registered with a wrong secret (someone who has the link but not the letter's secret) never verifies.
		const second = await addEmployee(handler, 'DV-2');
		const impostor = await join(app.url, { ...second, secret: new Uint8Array(32) });
		const fromImpostor = await submitNumber(impostor.employee, SYNTHETIC_NUMBER, impostor.device);
		await expect(revealNumber(handler, fromImpostor)).rejects.toThrow(/device registration does not verify/);
	});

	it('signs the old phone out when a new letter registers a new device, and keeps what each phone sent verifiable', async () => {
		const first = await addEmployee(handler, 'RI-1');
		const oldPhone = await joinAndSubmit(app.url, first);
		const second = await inviteEmployee(handler, first.employeeId);
		const newPhone = await join(app.url, second);
		// The new letter signs the old phone out (it may be the lost one): it can send nothing more …
		expect((await failure(submitNumber(oldPhone.employee, SYNTHETIC_NUMBER, oldPhone.device))).data.appCode).toBe('not_signed_in');
		// … while what each phone sent stays verifiable against its own device.
		const fromNew = await submitNumber(newPhone.employee, SYNTHETIC_NUMBER, newPhone.device);
		expect(await revealNumber(handler, fromNew)).toBe(SYNTHETIC_NUMBER);
		expect(await revealNumber(handler, oldPhone.submissionId)).toBe(SYNTHETIC_NUMBER);
	});

	it('keeps a data-key copy of verified records, exported with a recorded reason and opened without public-key operations', async () => {
		const { openVerifiedRecord, fromBase64Url, decodeRecord, sealVerifiedRecord, toBase64Url } = await import('../../src/lib/crypto/index');
		const invitation = await addEmployee(handler, 'VR-1');
		const { submissionId } = await joinAndSubmit(app.url, invitation);
		expect((await handler.client.trpc.submission.reveal.mutate({ submissionId, reason: '確認のため' })).verified).toBe(false);
		await revealNumber(handler, submissionId); // verifies and stores the copy
		expect((await handler.client.trpc.submission.reveal.mutate({ submissionId, reason: '確認のため' })).verified).toBe(true);
		const companyId = handler.company.companyId;
		const epoch = handler.company.epochs[0]!;
		// A second copy never replaces the first (e.g. a forged one for another record).
		const other = sealVerifiedRecord({ dataKey: epoch.dataKey, epoch: 1, companyId, employeeId: invitation.employeeId, submissionId, record: new TextEncoder().encode('{"myNumber":"000000000000"}') });
		await handler.client.trpc.submission.storeVerified.mutate({ submissionId, sealed: toBase64Url(other) });

		expect((await failure(handler.client.trpc.submission.exportVerified.mutate({ companyId, reason: ' ' }))).data.appCode).toBe('invalid_input');
		const rows = await handler.client.trpc.submission.exportVerified.mutate({ companyId, reason: '源泉徴収票作成事務' });
		const mine = rows.find((r) => r.submissionId === submissionId)!;
		const record = decodeRecord(openVerifiedRecord({ dataKey: epoch.dataKey, sealed: fromBase64Url(mine.sealed), companyId, employeeId: mine.employeeId, submissionId }));
		expect(record).toEqual({ myNumber: SYNTHETIC_NUMBER });
		// Moved to another submission, the copy does not open.
		expect(() => openVerifiedRecord({ dataKey: epoch.dataKey, sealed: fromBase64Url(mine.sealed), companyId, employeeId: mine.employeeId, submissionId: crypto.randomUUID() })).toThrow(/cannot open/);
		// One 'verify' event: the first copy, not the refused second one.
		const verifies = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'verify' and ${auditEvents.targetId} = ${submissionId}`);
		expect(verifies).toHaveLength(1);
		const [event] = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'export'`);
		expect(event).toMatchObject({ reason: '源泉徴収票作成事務', detail: { records: rows.length } });
		expect((await failure(handler.client.trpc.submission.storeVerified.mutate({ submissionId, sealed: 'AAAA' }))).data.appCode).toBe('sealed_data_invalid');
	});

	it('gives lists the sealed last four digits of a verified record, and never replaces them', async () => {
		const { openNumberMask, fromBase64Url, sealNumberMask, sealVerifiedRecord, toBase64Url } = await import('../../src/lib/crypto/index');
		const invitation = await addEmployee(handler, 'MASK-1');
		const { submissionId } = await joinAndSubmit(app.url, invitation);
		const companyId = handler.company.companyId;
		const listed = async () => (await handler.client.trpc.employee.list.query({ companyId })).find((e) => e.id === invitation.employeeId)!.latestSubmission!;
		// Before anyone verified it, lists have nothing to show.
		expect((await listed()).sealedMask).toBeNull();
		expect((await handler.client.trpc.submission.reveal.mutate({ submissionId, reason: '確認のため' })).masked).toBe(false);
		await revealNumber(handler, submissionId);
		expect((await handler.client.trpc.submission.reveal.mutate({ submissionId, reason: '確認のため' })).masked).toBe(true);
		const epoch = handler.company.epochs[0]!;
		const at = { dataKey: epoch.dataKey, companyId, employeeId: invitation.employeeId, submissionId };
		const first = (await listed()).sealedMask!;
		expect(openNumberMask({ ...at, sealed: fromBase64Url(first) })).toBe(SYNTHETIC_NUMBER.slice(-4));
		// A later, different mask (a forged one) does not replace it.
		const forged = toBase64Url(sealNumberMask({ ...at, epoch: 1, lastFour: '0000' }));
		const copy = toBase64Url(sealVerifiedRecord({ ...at, epoch: 1, record: new Uint8Array([1]) }));
		await handler.client.trpc.submission.storeVerified.mutate({ submissionId, sealed: copy, sealedMask: forged });
		expect((await listed()).sealedMask).toBe(first);
		expect((await failure(handler.client.trpc.submission.storeVerified.mutate({ submissionId, sealed: copy, sealedMask: 'AAAA' }))).data.appCode).toBe('sealed_data_invalid');
		// The server holds ciphertext only: the digits are nowhere in the row.
		const [row] = await app.handle.rows<{ mask: string }>(sql`select encode(sealed_mask, 'escape') as mask from submissions where id = ${submissionId}`);
		expect(row!.mask).not.toContain(SYNTHETIC_NUMBER.slice(-4));
	});

	it('requires a reason to view, and keeps My Numbers out of the reason', async () => {
		const invitation = await addEmployee(handler, 'RV-1');
		const { submissionId } = await joinAndSubmit(app.url, invitation);
		const empty = await failure(handler.client.trpc.submission.reveal.mutate({ submissionId, reason: ' ' }));
		expect(empty.data.appCode).toBe('invalid_input');
		const leaky = await failure(handler.client.trpc.submission.reveal.mutate({ submissionId, reason: '確認 １２３４-５６７８-９０１８' }));
		expect((leaky.data.fieldErrors as Record<string, string[]>).reason![0]).toContain('マイナンバー');
		const reveals = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'reveal' and ${auditEvents.targetId} = ${submissionId}`);
		expect(reveals).toHaveLength(0);
	});

	it('lets the administrator set the idle lock (default 10 minutes), validated and audited', async () => {
		const me = async () => {
			const r = await handler.client.trpc.auth.me.query();
			return r?.kind === 'handler' ? r.user.idleLockMinutes : null;
		};
		expect(await me()).toBe(10);
		expect((await failure(handler.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 0 }))).data.appCode).toBe('invalid_input');
		expect((await failure(handler.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 121 }))).data.appCode).toBe('invalid_input');
		expect((await failure(testClient(app.url).trpc.org.updateSettings.mutate({ idleLockMinutes: 5 }))).data.httpStatus).toBe(401);
		await handler.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 5 });
		expect(await me()).toBe(5);
		expect(await handler.client.trpc.org.settings.query()).toMatchObject({ idleLockMinutes: 5, canEdit: true });
		const [event] = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'org_settings_update'`);
		expect(event!.detail).toEqual({ idleLockMinutes: 5 });
		await handler.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 10 });
	});

	it('keeps employees and anonymous callers away from handler procedures', async () => {
		const invitation = await addEmployee(handler, 'AZ-1');
		const { employee, submissionId } = await joinAndSubmit(app.url, invitation);
		expect((await failure(employee.trpc.submission.reveal.mutate({ submissionId, reason: 'curious' }))).data.httpStatus).toBe(401);
		expect((await failure(employee.trpc.company.list.query())).data.httpStatus).toBe(401);
		const anonymous = testClient(app.url);
		expect((await failure(anonymous.trpc.employee.list.query({ companyId: handler.company.companyId }))).data.httpStatus).toBe(401);
		expect((await failure(anonymous.trpc.employee.companyKeys.query())).data.httpStatus).toBe(401);
		expect(await anonymous.trpc.auth.me.query()).toBeNull();
		const me = await employee.trpc.auth.me.query();
		expect(me).toMatchObject({ kind: 'employee', employee: { code: 'AZ-1', companyName: '株式会社テスト' } });
	});

	it('slows down and then locks repeated wrong passwords, and logs the failures', async () => {
		const client = testClient(app.url);
		for (let i = 0; i < 3; i++) {
			expect((await failure(client.trpc.auth.login.mutate({ loginId: 'admin', password: 'wrong password!' }))).data.appCode).toBe('bad_credentials');
		}
		// From the fourth attempt on, even the right password must wait.
		const slowed = await failure(client.trpc.auth.login.mutate({ loginId: 'admin', password: 'correct horse battery' }));
		expect(slowed.data.appCode).toBe('rate_limited');
		expect(slowed.data.retryAfterSeconds).toBeGreaterThan(0);
		for (let i = 0; i < 7; i++) {
			clock.offsetMs += 61_000;
			expect((await failure(client.trpc.auth.login.mutate({ loginId: 'admin', password: 'wrong password!' }))).data.appCode).toBe('bad_credentials');
		}
		clock.offsetMs += 61_000;
		const locked = await failure(client.trpc.auth.login.mutate({ loginId: 'admin', password: 'correct horse battery' }));
		expect(locked.data.appCode).toBe('rate_limited');
		expect(Number(locked.data.retryAfterSeconds)).toBeGreaterThan(600);
		clock.offsetMs += 16 * 60_000;
		await client.trpc.auth.login.mutate({ loginId: 'admin', password: 'correct horse battery' });
		expect(await client.trpc.auth.me.query()).toMatchObject({ kind: 'handler', user: { loginId: 'admin' } });
		const denied = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'login' and ${auditEvents.result} = 'denied'`);
		expect(denied.length).toBeGreaterThanOrEqual(10);
		expect(denied.some((d) => d.detail?.locked === true)).toBe(true);
	});

	async function companyInput() {
		const { prepareNewCompany } = await import('../../src/lib/crypto/index');
		const me = await handler.client.trpc.auth.me.query();
		const created = await prepareNewCompany({ ...handler.keys, userId: me?.kind === 'handler' ? me.user.id : '' });
		return { ...created.payload, name: '別会社', corporateNumber: null as string | null };
	}
});
