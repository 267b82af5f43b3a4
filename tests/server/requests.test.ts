/**
 * The request history (issue 5 item 5, second half) through the real API on each backend: every
 * notification letter is recorded with who made it, when, for which purposes and with which
 * invitation; reminders go only to employees who joined and have nothing current to show, keep
 * their credentials, and are reported per employee when skipped; a handler of another company can
 * neither remind nor read the history.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { auditEvents } from '../../server/db/schema';
import { prepareGrant, sealSubmission, verifyManifestChain, type SigningKeyPair } from '../../src/lib/crypto/index';
import { failure, testClient, type TestClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, candidateOf, createCompany, employeeCredential, inviteEmployee, join, joinAndSubmit, setUpHandler, type HandlerSide, type OtherHandler } from '../support/journey';

const DAY = 86_400_000;

describe.each(backends)('request history on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;
	/** The 責任者 of company B only (same office). */
	let handlerB: OtherHandler;
	let companyB: string;
	const clock = { offsetMs: 0 };
	const ids: Record<string, string> = {};
	const devices: Record<string, { employee: TestClient; device: SigningKeyPair }> = {};

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 }, now: () => new Date(Date.now() + clock.offsetMs) });
		handler = await setUpHandler(app.url, app.services.setup.token!);
		const b = await createCompany(handler.client, handler.keys, '株式会社B', null);
		companyB = b.companyId;
		handlerB = await addHandler(app.url, handler.client, 'sekinin-b');
		await handler.client.trpc.company.grant.mutate(await prepareGrant({ companyId: b.companyId, root: b.root, epochs: b.epochs, granter: handler.keys, candidate: candidateOf(handlerB), role: 'responsible' }));
	});
	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	const companyId = () => handler.company.companyId;
	const history = (employeeId: string, client = handler.client, company = companyId()) => client.trpc.employee.requests.query({ companyId: company, employeeId });

	/** Seals and uploads 「提供しない」 as the employee's browser does. */
	async function decline(employee: TestClient, device: SigningKeyPair) {
		const keys = await employee.trpc.employee.companyKeys.query();
		const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
		const submissionId = crypto.randomUUID();
		const [item] = await sealSubmission({ recipient: manifest.recipient, companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId, record: { decline: true, reason: '提出しません' }, images: [], device });
		await employee.upload({ kind: 'decline', submissionId, epoch: manifest.epoch }, item!.sealed);
	}

	it('records each notification letter with who, when and the purposes; a reissue revokes the earlier one', async () => {
		const first = await addEmployee(handler, 'RQ-1');
		ids.notJoined = first.employeeId;
		let list = await history(first.employeeId);
		expect(list).toEqual([
			{ id: expect.any(String), kind: 'letter', purposes: ['withholding', 'employment_insurance', 'social_insurance'], createdAt: expect.any(String), createdBy: { displayName: '管理者', loginId: 'admin' }, invitation: 'pending' }
		]);
		clock.offsetMs += 60_000;
		await inviteEmployee(handler, first.employeeId);
		list = await history(first.employeeId);
		expect(list.map((r) => [r.kind, r.invitation])).toEqual([
			['letter', 'revoked'],
			['letter', 'pending']
		]);
		expect(Date.parse(list[1]!.createdAt) - Date.parse(list[0]!.createdAt)).toBeGreaterThanOrEqual(60_000);
		// The roster carries the first and the latest request for the status board.
		const row = (await handler.client.trpc.employee.list.query({ companyId: companyId() })).find((e) => e.id === first.employeeId)!;
		expect(row).toMatchObject({ requestedAt: list[0]!.createdAt, lastRequestAt: list[1]!.createdAt });
	});

	it('reminds only those who joined and have nothing current, and says why the others were skipped', async () => {
		// Joined, nothing submitted.
		const joinedOnly = await addEmployee(handler, 'RQ-2');
		ids.joined = joinedOnly.employeeId;
		devices.joined = await join(app.url, joinedOnly);
		// Submitted.
		const submitted = await addEmployee(handler, 'RQ-3');
		ids.submitted = submitted.employeeId;
		await joinAndSubmit(app.url, submitted);
		// Declined.
		const declined = await addEmployee(handler, 'RQ-4');
		ids.declined = declined.employeeId;
		const d = await join(app.url, declined);
		await decline(d.employee, d.device);
		// Submitted, then returned by a handler: it is the employee's turn again.
		const returned = await addEmployee(handler, 'RQ-5');
		ids.returned = returned.employeeId;
		const r = await joinAndSubmit(app.url, returned);
		await handler.client.trpc.submission.setStatus.mutate({ submissionId: r.submissionId, status: 'returned', reason: '写真が読めません' });

		clock.offsetMs += 60_000;
		const before = await app.handle.db.select({ seq: auditEvents.seq }).from(auditEvents).where(eq(auditEvents.action, 'reminders_issue'));
		const result = await handler.client.trpc.employee.remind.mutate({ companyId: companyId(), employeeIds: [ids.notJoined!, ids.joined!, ids.submitted!, ids.declined!, ids.returned!, ids.joined!] });
		expect(result.reminded.map((x) => x.id)).toEqual([ids.joined, ids.returned]);
		expect(result.skipped).toEqual([
			{ id: ids.notJoined, reason: 'not_joined' },
			{ id: ids.submitted, reason: 'submitted' },
			{ id: ids.declined, reason: 'declined' }
		]);
		expect(result.purposes).toEqual(['withholding', 'employment_insurance', 'social_insurance']);

		// The history: the letter first, then the reminder, both by the administrator; the reminder issued no invitation.
		const joinedHistory = await history(ids.joined!);
		expect(joinedHistory.map((x) => [x.kind, x.invitation, x.createdBy.loginId])).toEqual([
			['letter', 'used', 'admin'],
			['reminder', null, 'admin']
		]);
		expect(joinedHistory[1]!.createdAt).toBe(result.remindedAt);
		expect(result.reminded[0]!.firstRequestedAt).toBe(joinedHistory[0]!.createdAt);
		expect(joinedHistory[1]!.purposes).toEqual(result.purposes);
		for (const skipped of [ids.notJoined!, ids.submitted!, ids.declined!]) expect((await history(skipped)).map((x) => x.kind)).not.toContain('reminder');

		const roster = await handler.client.trpc.employee.list.query({ companyId: companyId() });
		expect(roster.find((e) => e.id === ids.joined)).toMatchObject({ requestedAt: joinedHistory[0]!.createdAt, lastRequestAt: result.remindedAt });
		expect(roster.find((e) => e.id === ids.submitted)!.lastRequestAt).not.toBe(result.remindedAt);

		// One audit event for the batch, with counts and no names.
		const events = await app.handle.db.select().from(auditEvents).where(eq(auditEvents.action, 'reminders_issue'));
		expect(events.length - before.length).toBe(1);
		expect(events.at(-1)).toMatchObject({ companyId: companyId(), actorLabel: 'admin', targetType: 'company', targetId: companyId(), detail: { count: 2, skipped: 3 } });
		expect(Object.keys(events.at(-1)!.detail ?? {}).sort()).toEqual(['count', 'skipped']);

		// No new credentials: the employee still signs in with the password they set.
		const again = testClient(app.url);
		const { authKey } = await employeeCredential({ companyId: companyId(), employeeId: ids.joined! }, devices.joined!.device);
		await expect(again.trpc.auth.employeeLogin.mutate({ employeeId: ids.joined!, authKey })).resolves.toMatchObject({ wrappedDevice: expect.any(String) });
	});

	it('keeps another company\'s handler out, and refuses ids of another company as a whole', async () => {
		const A = companyId();
		expect((await failure(handlerB.client.trpc.employee.remind.mutate({ companyId: A, employeeIds: [ids.joined!] }))).data).toMatchObject({ httpStatus: 403, appCode: 'forbidden' });
		expect((await failure(handlerB.client.trpc.employee.requests.query({ companyId: A, employeeId: ids.joined! }))).data).toMatchObject({ httpStatus: 403, appCode: 'forbidden' });
		// Through company B, where this handler has a role: A's employee does not exist there.
		expect((await failure(history(ids.joined!, handlerB.client, companyB))).data).toMatchObject({ httpStatus: 404, appCode: 'not_found' });
		expect((await failure(handlerB.client.trpc.employee.remind.mutate({ companyId: companyB, employeeIds: [ids.joined!] }))).data).toMatchObject({ httpStatus: 404, appCode: 'not_found' });
		// A handler of both companies cannot mix them either: nothing is recorded.
		const before = (await history(ids.returned!)).length;
		expect((await failure(handler.client.trpc.employee.remind.mutate({ companyId: companyB, employeeIds: [ids.returned!] }))).data).toMatchObject({ httpStatus: 404 });
		expect((await failure(handler.client.trpc.employee.remind.mutate({ companyId: A, employeeIds: [ids.returned!, crypto.randomUUID()] }))).data).toMatchObject({ httpStatus: 404 });
		expect(await history(ids.returned!)).toHaveLength(before);
	});

	it('answers invalid input with a clear 400', async () => {
		const A = companyId();
		const cases: [unknown, string][] = [
			[[], 'employeeIds'],
			[Array.from({ length: 1001 }, () => crypto.randomUUID()), 'employeeIds'],
			[['not-a-uuid'], 'employeeIds.0']
		];
		for (const [employeeIds, field] of cases) {
			const error = await failure(handler.client.trpc.employee.remind.mutate({ companyId: A, employeeIds: employeeIds as string[] }));
			expect(error.data).toMatchObject({ httpStatus: 400, appCode: 'invalid_input' });
			expect(Object.keys(error.data.fieldErrors as object)).toEqual([field]);
		}
		const bad = await failure(handler.client.trpc.employee.requests.query({ companyId: A, employeeId: 'nope' }));
		expect(bad.data).toMatchObject({ httpStatus: 400, appCode: 'invalid_input', fieldErrors: { employeeId: [expect.any(String)] } });
	});

	// Last: a month later every session has ended, so the handler signs in again.
	it('shows an expired letter as expired', async () => {
		clock.offsetMs += 31 * DAY;
		await handler.client.trpc.auth.login.mutate({ loginId: 'admin', password: 'correct horse battery' });
		expect((await history(ids.notJoined!)).map((r) => r.invitation)).toEqual(['revoked', 'expired']);
	});
});
