/**
 * Payees (取引先・個人事業主, for 支払調書; issue 5 item 3) through the real API on each backend: a
 * second kind of person, asked for their number exactly like an employee (letter, join, submit,
 * check), listed with their kind, never touched by a roster import, and sharing one code space
 * with the employees of the company.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { auditEvents } from '../../server/db/schema';
import { sealEmployeeName, toBase64Url } from '../../src/lib/crypto/index';
import { parseRoster } from '../../src/lib/roster/index';
import { sealRosterRows } from '../../src/lib/roster/seal';
import { failure, testClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, inviteEmployee, joinAndSubmit, revealNumber, setUpHandler, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

describe.each(backends)('payees on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		handler = await setUpHandler(app.url, app.services.setup.token!);
	});
	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	const companyId = () => handler.company.companyId;
	const list = () => handler.client.trpc.employee.list.query({ companyId: companyId() });

	/** What the desk sends for a new person: the name sealed under the data key in the browser. */
	function newPerson(code: string, kind?: 'employee' | 'payee') {
		const id = crypto.randomUUID();
		const epoch = handler.company.epochs[0]!;
		const sealedName = toBase64Url(sealEmployeeName({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId: companyId(), employeeId: id, name: '取引　一郎' }));
		return { id, companyId: companyId(), code, sealedName, ...(kind ? { kind } : {}) };
	}

	it('creates a payee beside employees, lists each with its kind, and audits the kind', async () => {
		const payee = newPerson('P-001', 'payee');
		await handler.client.trpc.employee.create.mutate(payee);
		// Without a kind, a person is an employee (the desk's form and older clients).
		const employee = newPerson('E-001');
		await handler.client.trpc.employee.create.mutate(employee);
		const rows = await list();
		expect(rows.map((r) => [r.code, r.kind, r.status])).toEqual([
			['E-001', 'employee', 'not_invited'],
			['P-001', 'payee', 'not_invited']
		]);
		// The kind is the last field of a row.
		expect(Object.keys(rows[0]!).at(-1)).toBe('kind');

		const [event] = await app.handle.db
			.select({ detail: auditEvents.detail })
			.from(auditEvents)
			.where(and(eq(auditEvents.action, 'employee_create'), eq(auditEvents.targetId, payee.id)));
		expect(event?.detail).toEqual({ code: 'P-001', kind: 'payee' });
	});

	it('refuses an unknown kind with 400 and keeps codes unique across both kinds', async () => {
		const bad = await failure(handler.client.trpc.employee.create.mutate({ ...newPerson('X-001'), kind: 'contractor' as 'payee' }));
		expect(bad.data).toMatchObject({ appCode: 'invalid_input', httpStatus: 400 });

		// An employee may not take a payee's code, and the error says whose it is.
		const taken = await failure(handler.client.trpc.employee.create.mutate(newPerson('P-001')));
		expect(taken.data).toMatchObject({ appCode: 'code_taken_by_payee', httpStatus: 409 });
		expect(taken.message).toContain('P-001');
		expect(taken.message).toContain('支払先');
		// Nor a payee an employee's.
		const employees = await failure(handler.client.trpc.employee.create.mutate(newPerson('E-001', 'payee')));
		expect(employees.data.appCode).toBe('employee_code_exists');
		expect((await list()).map((r) => r.code)).toEqual(['E-001', 'P-001']);
	});

	it('lets a payee be invited, join, submit and be checked like an employee', async () => {
		const payee = (await list()).find((r) => r.code === 'P-001')!;
		const invitation = await inviteEmployee(handler, payee.id);
		// The join page learns the kind before sign-in, to label the code as a payee's.
		expect(await testClient(app.url).trpc.join.peek.mutate({ token: invitation.token })).toMatchObject({ employeeCode: 'P-001', state: 'pending', kind: 'payee' });
		const { employee, submissionId } = await joinAndSubmit(app.url, invitation);
		expect(await employee.trpc.auth.me.query()).toMatchObject({ kind: 'employee', employee: { code: 'P-001', kind: 'payee' } });

		const [invite] = await app.handle.db
			.select({ detail: auditEvents.detail })
			.from(auditEvents)
			.where(and(eq(auditEvents.action, 'employee_invite'), eq(auditEvents.targetId, payee.id)));
		expect(invite?.detail).toEqual({ kind: 'payee' });

		// In the verification queue (status submitted), then accepted; the number opens as any other.
		expect((await list()).find((r) => r.id === payee.id)).toMatchObject({ status: 'submitted', kind: 'payee', latestSubmission: { id: submissionId } });
		expect(await revealNumber(handler, submissionId)).toBe(SYNTHETIC_NUMBER);
		await handler.client.trpc.submission.setStatus.mutate({ submissionId, status: 'accepted', ocr: 'not_run' });
		expect((await list()).find((r) => r.id === payee.id)).toMatchObject({ status: 'accepted', kind: 'payee' });
		// The request history has the payee's letter like an employee's.
		expect((await handler.client.trpc.employee.requests.query({ companyId: companyId(), employeeId: payee.id })).map((r) => r.kind)).toEqual(['letter']);
	});

	it("refuses a roster whose codes belong to payees, naming them, and changes nothing", async () => {
		await addEmployee(handler, 'R-001');
		const before = await list();
		const keys = { companyId: companyId(), dataKey: handler.company.epochs[0]!.dataKey, epoch: 1 };
		const roster = parseRoster(new TextEncoder().encode('社員番号,氏名,部署,在籍区分\nR-001,改名　太郎,総務部,在職\nP-001,名簿　次郎,営業部,在職\nR-002,新人　三郎,営業部,内定\n'));
		expect(roster.errors).toEqual([]);

		// Sealed for the payee's own id (the desk's map of codes holds payees too) or for a fresh one: refused alike.
		for (const existing of [new Map(before.map((e) => [e.code, e.id])), new Map<string, string>()]) {
			const refused = await failure(handler.client.trpc.employee.importRoster.mutate({ companyId: companyId(), rows: sealRosterRows(keys, roster.employees, existing) }));
			expect(refused.data).toMatchObject({ appCode: 'roster_code_payee', httpStatus: 409, codes: 'P-001' });
			expect(refused.message).toContain('P-001');
			expect(refused.message).toContain('何も変更されていません');
		}
		const after = await list();
		expect(after.map((e) => [e.id, e.code, e.kind, e.sealedName, e.sealedProfile, e.employment])).toEqual(before.map((e) => [e.id, e.code, e.kind, e.sealedName, e.sealedProfile, e.employment]));

		// Without the payee's row the same roster imports, as employees only.
		const employeesOnly = sealRosterRows(keys, roster.employees.filter((e) => e.employeeCode !== 'P-001'), new Map(before.map((e) => [e.code, e.id])));
		expect(await handler.client.trpc.employee.importRoster.mutate({ companyId: companyId(), rows: employeesOnly })).toEqual({ created: 1, updated: 1 });
		const imported = await list();
		expect(imported.map((e) => [e.code, e.kind])).toEqual([
			['E-001', 'employee'],
			['P-001', 'payee'],
			['R-001', 'employee'],
			['R-002', 'employee']
		]);
		expect(imported.find((e) => e.code === 'P-001')).toEqual(after.find((e) => e.code === 'P-001'));
	});
});
