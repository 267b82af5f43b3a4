/**
 * Disposal (廃棄, issue 6 item 3) through the real API on each backend: a 責任者 disposes of a person
 * who joined, submitted a record with photos, was asked by letter and added a passkey; afterwards
 * no table holds any of their ciphertext or credentials, their session is gone, only the code and
 * the disposal record (no name, no number) remain, and the audit chain still verifies. A second
 * disposal, a 担当者, a 責任者 of another company and a batch mixing companies change nothing.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents, disposals, employeePasskeys, employeeRequests, employees, invitations, sessions, submissionImages, submissions, webauthnChallenges } from '../../server/db/schema';
import { passkeyDeviceWrapKey, prepareGrant, sealEmployeeName, sealEmployeeProfile, toBase64Url, wrapDeviceKey } from '../../src/lib/crypto/index';
import { SoftAuthenticator } from '../support/authenticator';
import { failure, type TestClient } from '../support/client';
import { backends, dumpAllTables, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, candidateOf, createCompany, EMPLOYEE_NAME, join, joinAndSubmit, revealNumber, SYNTHETIC_NUMBER, type HandlerSide, type OtherHandler, setUpHandler } from '../support/journey';

const PHOTO_FRONT = new TextEncoder().encode('synthetic photo for disposal: front');
const PHOTO_BACK = new TextEncoder().encode('synthetic photo for disposal: back');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe.each(backends)('disposal on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let owner: HandlerSide;
	let companyB: HandlerSide;
	let staffA: OtherHandler;
	let responsibleB: OtherHandler;
	let ownerId: string;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		owner = await setUpHandler(app.url, app.services.setup.token!);
		companyB = { ...owner, company: await createCompany(owner.client, owner.keys, '株式会社B', null) };
		const me = await owner.client.trpc.auth.me.query();
		ownerId = me?.kind === 'handler' ? me.user.id : '';
		[staffA, responsibleB] = (await Promise.all(['tanto-a', 'sekinin-b'].map((loginId) => addHandler(app.url, owner.client, loginId)))) as [OtherHandler, OtherHandler];
		const grant = async (side: HandlerSide, who: OtherHandler, role: 'staff' | 'responsible') =>
			owner.client.trpc.company.grant.mutate(await prepareGrant({ companyId: side.company.companyId, root: side.company.root, epochs: side.company.epochs, granter: owner.keys, candidate: candidateOf(who), role }));
		await grant(owner, staffA, 'staff');
		await grant(companyB, responsibleB, 'responsible');
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	/** Everything sealed or secret of one person, as hex or text, read straight from the tables. */
	async function secretsOf(employeeId: string): Promise<string[]> {
		const db = app.handle.db;
		const out: string[] = [];
		for (const s of await db.select().from(submissions).where(eq(submissions.employeeId, employeeId))) {
			out.push(hex(s.ciphertext));
			if (s.verifiedRecord) out.push(hex(s.verifiedRecord));
		}
		for (const i of await db.select().from(submissionImages).where(eq(submissionImages.employeeId, employeeId))) out.push(hex(i.ciphertext), i.sha256);
		const [e] = await db.select().from(employees).where(eq(employees.id, employeeId));
		for (const b of [e!.sealedName, e!.sealedProfile, e!.deviceKeyWrapped]) if (b) out.push(hex(b));
		if (e!.passwordHash) out.push(e!.passwordHash);
		for (const i of await db.select().from(invitations).where(eq(invitations.employeeId, employeeId))) {
			out.push(i.tokenHash, i.passwordHash);
			if (i.sealedDeviceSecret) out.push(hex(i.sealedDeviceSecret));
			if (i.devicePublicKey) out.push(i.devicePublicKey);
			if (i.deviceMac) out.push(i.deviceMac);
		}
		// Not the credential id: an identifier the audit trail names, like the employee id.
		for (const p of await db.select().from(employeePasskeys).where(eq(employeePasskeys.employeeId, employeeId))) out.push(hex(p.wrappedDevice), hex(p.publicKey));
		// The tail: age files and sealed data share their headers, the last bytes are each file's own.
		return out.map((s) => s.slice(-48));
	}

	/** A person who joined, submitted with two photos, was revealed (verified copy), has a profile, a passkey and a pending challenge. */
	async function fullPerson(code: string): Promise<{ employeeId: string; employee: TestClient }> {
		const invitation = await addEmployee(owner, code);
		const { employeeId } = invitation;
		const { employee, device, submissionId } = await joinAndSubmit(app.url, invitation, SYNTHETIC_NUMBER, [PHOTO_FRONT, PHOTO_BACK]);
		expect(await revealNumber(owner, submissionId)).toBe(SYNTHETIC_NUMBER);
		const epoch = owner.company.epochs[0]!;
		const companyId = owner.company.companyId;
		// The roster profile (with the end of employment), as a re-import seals it.
		await owner.client.trpc.employee.importRoster.mutate({
			companyId,
			rows: [
				{
					id: employeeId,
					code,
					sealedName: toBase64Url(sealEmployeeName({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId, name: EMPLOYEE_NAME })),
					sealedProfile: toBase64Url(sealEmployeeProfile({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId, profile: { department: '総務部', leftOn: '2018-03-31' } })),
					status: 'left'
				}
			]
		});
		const phoneKey = new SoftAuthenticator();
		const { challengeId, options } = await employee.trpc.employeePasskey.registerOptions.mutate();
		const response = phoneKey.register(options, app.url);
		const wrappedDevice = toBase64Url(wrapDeviceKey({ companyId, employeeId, wrapKey: passkeyDeviceWrapKey(new Uint8Array(32).fill(9), response.id), device, pinnedFingerprint: null, minEpoch: 1 }));
		await employee.trpc.employeePasskey.registerFinish.mutate({ challengeId, response, wrappedDevice });
		// A registration started and never finished leaves a challenge naming the employee.
		await employee.trpc.employeePasskey.registerOptions.mutate();
		return { employeeId, employee };
	}

	it('deletes every sealed row of the person for good and keeps a record without name or number', async () => {
		const A = owner.company.companyId;
		const person = await fullPerson('D-001');
		// Another person of A, who must be left alone.
		const bystander = await fullPerson('D-002');
		const db = app.handle.db;
		const secrets = await secretsOf(person.employeeId);
		expect(secrets.length).toBeGreaterThan(10);
		const bystanderSecrets = await secretsOf(bystander.employeeId);
		expect(await db.select().from(webauthnChallenges).where(eq(webauthnChallenges.employeeId, person.employeeId))).toHaveLength(1);
		expect(await db.select().from(employeeRequests).where(eq(employeeRequests.employeeId, person.employeeId))).not.toHaveLength(0);
		const before = await dumpAllTables((q) => app.handle.rows(q));
		for (const s of secrets) expect(before).toContain(s);

		const result = await owner.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [person.employeeId], basis: 'retention_expired', note: '保存期間満了（年度末一括）', responsibleId: ownerId });
		expect(result.people).toEqual([
			{ employeeId: person.employeeId, code: 'D-001', kind: 'employee', submissions: 1, images: 2, documents: ['number_record', 'identity_images', 'roster_entry', 'sign_in'] }
		]);

		// No table holds anything of theirs: every table dumped as text.
		const after = await dumpAllTables((q) => app.handle.rows(q));
		for (const s of secrets) expect(after).not.toContain(s);
		for (const s of bystanderSecrets) expect(after).toContain(s);
		expect(after).not.toContain(EMPLOYEE_NAME);
		expect(after).not.toContain(SYNTHETIC_NUMBER);
		for (const table of [submissions, submissionImages, employeePasskeys, invitations, employeeRequests, webauthnChallenges, sessions] as const) {
			const rows = await app.handle.rows(sql`select count(*)::int as n from ${table} where employee_id = ${person.employeeId}`);
			expect(Number(rows[0]!.n), String(table)).toBe(0);
		}
		// The row stays, code only.
		const [row] = await db.select().from(employees).where(eq(employees.id, person.employeeId));
		expect(row).toMatchObject({ code: 'D-001', sealedName: null, sealedProfile: null, passwordHash: null, deviceKeyWrapped: null, deviceInvitationId: null, joinedAt: null });
		expect(row!.disposedAt).toBeInstanceOf(Date);

		// Their session no longer works.
		expect(await person.employee.trpc.auth.me.query()).toBeNull();
		expect((await failure(person.employee.trpc.submission.mine.query())).data.appCode).toBe('not_signed_in');
		expect(await bystander.employee.trpc.auth.me.query()).toMatchObject({ kind: 'employee' });

		// The record: who, when, whose (by code), which documents, the 責任者.
		const [record] = await db.select().from(disposals).where(eq(disposals.employeeId, person.employeeId));
		expect(record).toMatchObject({ batchId: result.batchId, companyId: A, employeeCode: 'D-001', employeeKind: 'employee', submissions: 1, images: 2, basis: 'retention_expired', responsibleId: ownerId, disposedBy: ownerId });
		const listed = await staffA.client.trpc.disposal.list.query({ companyId: A });
		expect(listed.company.name).toBe('株式会社テスト');
		expect(listed.batches).toHaveLength(1);
		expect(listed.batches[0]).toMatchObject({
			batchId: result.batchId,
			basis: 'retention_expired',
			note: '保存期間満了（年度末一括）',
			disposedBy: { loginId: 'admin', displayName: '管理者' },
			responsible: { loginId: 'admin' },
			issuer: { orgName: 'テスト社労士事務所', forClient: true },
			people: [{ employeeCode: 'D-001', employeeKind: 'employee', submissions: 1, images: 2 }]
		});
		expect(JSON.stringify(listed)).not.toContain(EMPLOYEE_NAME);
		expect((await owner.client.trpc.disposal.list.query({ companyId: A, batchId: crypto.randomUUID() })).batches).toEqual([]);

		// The board says 廃棄済; the name is gone.
		const board = await owner.client.trpc.employee.list.query({ companyId: A });
		expect(board.find((e) => e.id === person.employeeId)).toMatchObject({ status: 'disposed', sealedName: null, sealedProfile: null, latestSubmission: null, invitation: 'none' });
		expect(board.find((e) => e.id === bystander.employeeId)?.status).toBe('submitted');

		// One audit event, counts only; the chain verifies and is still append-only.
		const events = await db.select().from(auditEvents).where(eq(auditEvents.action, 'dispose'));
		expect(events).toHaveLength(1);
		expect(events[0]!.detail).toMatchObject({ count: 1, batchId: result.batchId, submissions: 1, images: 2 });
		expect(JSON.stringify(events[0])).not.toContain('D-001');
		expect((await verifyAuditChain(db)).ok).toBe(true);
		await expect(app.handle.rows(sql`delete from audit_events where action = 'dispose'`)).rejects.toThrow();
		expect((await verifyAuditChain(db)).ok).toBe(true);

		// Nothing can be brought back: a second disposal, a new letter or an entry on their behalf is refused.
		const again = await failure(owner.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [person.employeeId, bystander.employeeId], basis: 'retention_expired', responsibleId: ownerId }));
		expect(again.data.appCode).toBe('disposal_already_disposed');
		expect(again.message).toContain('D-001');
		expect((await failure(owner.client.trpc.employee.invite.mutate({ employeeId: person.employeeId, sealedDeviceSecret: toBase64Url(new Uint8Array(64).fill(1)) }))).data.appCode).toBe('employee_disposed');
		const epoch = owner.company.epochs[0]!;
		const resealed = { dataKey: epoch.dataKey, epoch: epoch.epoch, companyId: A, employeeId: person.employeeId };
		const reimport = await failure(
			owner.client.trpc.employee.importRoster.mutate({
				companyId: A,
				rows: [{ id: person.employeeId, code: 'D-001', sealedName: toBase64Url(sealEmployeeName({ ...resealed, name: EMPLOYEE_NAME })), sealedProfile: toBase64Url(sealEmployeeProfile({ ...resealed, profile: {} })), status: 'left' }]
			})
		);
		expect(reimport.data.appCode).toBe('roster_changed');
		expect((await db.select().from(employees).where(eq(employees.id, person.employeeId)))[0]!.sealedName).toBeNull();
		expect(await secretsOf(bystander.employeeId)).toEqual(bystanderSecrets);
	});

	it('lets only a 責任者 of the company dispose, and refuses a batch that reaches into another company as a whole', async () => {
		const A = owner.company.companyId;
		const inA = await addEmployee(owner, 'D-101');
		await join(app.url, inA);
		const inB = await addEmployee(companyB, 'D-201');
		const secretsA = await secretsOf(inA.employeeId);
		const count = async () => (await app.handle.db.select().from(disposals).where(inArray(disposals.employeeId, [inA.employeeId, inB.employeeId]))).length;

		// A 担当者 of A, even naming the 責任者 as approver.
		const staff = await failure(staffA.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [inA.employeeId], basis: 'no_longer_needed', responsibleId: ownerId }));
		expect(staff.data.appCode).toBe('forbidden');
		// The 責任者 of B, in A.
		expect((await failure(responsibleB.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [inA.employeeId], basis: 'no_longer_needed', responsibleId: responsibleB.userId }))).data.appCode).toBe('forbidden');
		// The 責任者 of B, in B, with A's person in the batch: NOT_FOUND, nothing changed in either company.
		const mixedB = await failure(responsibleB.client.trpc.disposal.dispose.mutate({ companyId: companyB.company.companyId, employeeIds: [inB.employeeId, inA.employeeId], basis: 'no_longer_needed', responsibleId: responsibleB.userId }));
		expect(mixedB.data.appCode).toBe('not_found');
		// A 責任者 of both companies cannot mix them either.
		const mixed = await failure(owner.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [inA.employeeId, inB.employeeId], basis: 'no_longer_needed', responsibleId: ownerId }));
		expect(mixed.data.appCode).toBe('not_found');
		// Someone else named as the 責任者; `other` without a note; a note carrying a number.
		expect((await failure(owner.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [inA.employeeId], basis: 'request', responsibleId: staffA.userId }))).data.appCode).toBe('disposal_responsible_self');
		expect((await failure(owner.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [inA.employeeId], basis: 'other', note: '  ', responsibleId: ownerId }))).data.appCode).toBe('disposal_note_required');
		const numbered = await failure(owner.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [inA.employeeId], basis: 'request', note: `番号 ${SYNTHETIC_NUMBER}`, responsibleId: ownerId }));
		expect(numbered.data.appCode).toBe('invalid_input');
		expect(numbered.message).not.toContain(SYNTHETIC_NUMBER);
		expect((await failure(owner.client.trpc.disposal.dispose.mutate({ companyId: A, employeeIds: [], basis: 'request', responsibleId: ownerId }))).data.appCode).toBe('invalid_input');

		expect(await count()).toBe(0);
		expect(await secretsOf(inA.employeeId)).toEqual(secretsA);
		const [b] = await app.handle.db.select().from(employees).where(eq(employees.id, inB.employeeId));
		expect(b!.disposedAt).toBeNull();
		expect(b!.sealedName).not.toBeNull();

		// The 責任者 of B disposes in B; B's record is not A's to read.
		const done = await responsibleB.client.trpc.disposal.dispose.mutate({ companyId: companyB.company.companyId, employeeIds: [inB.employeeId], basis: 'other', note: '退職者本人の求め', responsibleId: responsibleB.userId });
		expect(done.people[0]).toMatchObject({ code: 'D-201', submissions: 0, images: 0, documents: ['roster_entry', 'sign_in'] });
		expect((await failure(staffA.client.trpc.disposal.list.query({ companyId: companyB.company.companyId }))).data.appCode).toBe('forbidden');
		expect((await staffA.client.trpc.disposal.list.query({ companyId: A })).batches.every((batch) => batch.people.every((p) => p.employeeCode !== 'D-201'))).toBe(true);
		expect((await verifyAuditChain(app.handle.db)).ok).toBe(true);
	});
});
