/**
 * CSV downloads on the server's side (issue 6 item 2): saved formats per company, and the export
 * of each person's current accepted record with what was exported recorded (never the values).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { auditEvents } from '../../server/db/schema';
import { DEFAULT_FORMAT } from '../../src/lib/exports/index';
import { failure } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, joinAndSubmit, revealNumber, setUpHandler, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

describe.each(backends)('export formats and downloads on %s', (backend) => {
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

	it('saves, replaces by name, lists and removes formats; refuses bad definitions and outsiders', async () => {
		const companyId = handler.company.companyId;
		const trpc = handler.client.trpc.exportFormat;
		const { id } = await trpc.save.mutate({ companyId, name: '給与システム用', definition: DEFAULT_FORMAT });
		await trpc.save.mutate({ companyId, name: '給与システム用', definition: { ...DEFAULT_FORMAT, encoding: 'utf-8-bom', dates: 'wareki' } });
		expect(await trpc.list.query({ companyId })).toMatchObject([{ id, name: '給与システム用', definition: { encoding: 'utf-8-bom', dates: 'wareki', columns: DEFAULT_FORMAT.columns } }]);

		const duplicate = await failure(trpc.save.mutate({ companyId, name: 'x', definition: { ...DEFAULT_FORMAT, columns: ['name', 'name'] } }));
		expect(duplicate.data.appCode).toBe('invalid_input');
		expect(JSON.stringify(duplicate.data.fieldErrors)).toContain('同じ列が2回選ばれています');
		const unknown = await failure(trpc.save.mutate({ companyId, name: 'x', definition: { ...DEFAULT_FORMAT, columns: ['salary' as 'name'] } }));
		expect(unknown.data.appCode).toBe('invalid_input');

		// A handler of the office without a role in this company can neither see nor change its formats.
		const outsider = await addHandler(app.url, handler.client, 'no-role-export');
		expect((await failure(outsider.client.trpc.exportFormat.list.query({ companyId }))).data.httpStatus).toBe(403);
		expect((await failure(outsider.client.trpc.exportFormat.remove.mutate({ companyId, id }))).data.httpStatus).toBe(403);

		expect(await trpc.remove.mutate({ companyId, id })).toEqual({ removed: true });
		expect(await trpc.list.query({ companyId })).toEqual([]);
		expect(await trpc.remove.mutate({ companyId, id })).toEqual({ removed: false });
	});

	it('exports each person’s current accepted record only, and records who and which columns, not values', async () => {
		const companyId = handler.company.companyId;
		const accepted = await joinAndSubmit(app.url, await addEmployee(handler, 'EX-1'));
		const waiting = await joinAndSubmit(app.url, await addEmployee(handler, 'EX-2'));
		// Both opened (which keeps the verified copy); only the first is accepted.
		await revealNumber(handler, accepted.submissionId);
		await revealNumber(handler, waiting.submissionId);
		await handler.client.trpc.submission.setStatus.mutate({ submissionId: accepted.submissionId, status: 'accepted' });

		const all = await handler.client.trpc.submission.exportVerified.mutate({ companyId, reason: 'バックアップ' });
		expect(all.map((r) => r.submissionId).sort()).toEqual([accepted.submissionId, waiting.submissionId].sort());
		const current = await handler.client.trpc.submission.exportVerified.mutate({ companyId, reason: '源泉徴収票作成事務', scope: 'current', columns: ['employeeCode', 'myNumber'], format: '給与システム用' });
		expect(current.map((r) => r.submissionId)).toEqual([accepted.submissionId]);
		const none = await handler.client.trpc.submission.exportVerified.mutate({ companyId, reason: '源泉徴収票作成事務', scope: 'current', employeeIds: [crypto.randomUUID()] });
		expect(none).toEqual([]);

		const events = await app.handle.db.select({ reason: auditEvents.reason, detail: auditEvents.detail }).from(auditEvents).where(eq(auditEvents.action, 'export'));
		const recorded = events.find((e) => e.detail?.format === '給与システム用');
		expect(recorded).toMatchObject({ reason: '源泉徴収票作成事務', detail: { records: 1, scope: 'current', people: current[0]!.employeeId, columns: 'employeeCode,myNumber' } });
		expect(JSON.stringify(events)).not.toContain(SYNTHETIC_NUMBER);
		expect((await failure(handler.client.trpc.submission.exportVerified.mutate({ companyId, reason: '源泉徴収票作成事務', columns: ['salary' as 'name'] }))).data.appCode).toBe('invalid_input');
	});
});
