/**
 * Roster import through the real API on each backend (issue 5 item 3, built on parseRoster): a
 * 10,000-row Shift_JIS file imports in batches; a re-import updates by employee code in place;
 * a batch that does not fit the current roster changes nothing. Names never reach the server.
 */
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { fromBase64Url, openEmployeeName, openEmployeeProfile } from '../../src/lib/crypto/index';
import { parseRoster } from '../../src/lib/roster/index';
import { batches, sealRosterRows } from '../../src/lib/roster/seal';
import { failure } from '../support/client';
import { backends, dumpAllTables, scratchDb, type ScratchDb } from '../support/databases';
import { setUpHandler, type HandlerSide } from '../support/journey';

const ROWS = 10_000;

function csv(rows: number, nameOf = (i: number) => `名簿　${i}号`): Uint8Array {
	const lines = ['社員番号,氏名,フリガナ,部署,在籍区分,入社日'];
	for (let i = 1; i <= rows; i++) lines.push(`R${String(i).padStart(5, '0')},${nameOf(i)},メイボ　タロウ,総務部,${i % 10 === 0 ? '退職' : '在職'},2020/4/1`);
	return iconv.encode(lines.join('\r\n') + '\r\n', 'cp932');
}

describe.each(backends)('roster import on %s', (backend) => {
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

	const keys = () => ({ companyId: handler.company.companyId, dataKey: handler.company.epochs[0]!.dataKey, epoch: 1 });
	const existing = async () => new Map((await handler.client.trpc.employee.list.query({ companyId: handler.company.companyId })).map((e) => [e.code, e.id]));

	it('imports 10,000 Shift_JIS rows in batches and updates by code on re-import', async () => {
		const parsed = parseRoster(csv(ROWS));
		expect(parsed).toMatchObject({ encoding: 'shift_jis', errors: [] });
		const companyId = handler.company.companyId;
		let created = 0;
		for (const batch of batches(sealRosterRows(keys(), parsed.employees, await existing()))) {
			created += (await handler.client.trpc.employee.importRoster.mutate({ companyId, rows: batch })).created;
		}
		expect(created).toBe(ROWS);
		const list = await handler.client.trpc.employee.list.query({ companyId });
		expect(list).toHaveLength(ROWS);
		const r10 = list.find((e) => e.code === 'R00010')!;
		expect(r10.employment).toBe('left');
		const profile = openEmployeeProfile({ dataKey: keys().dataKey, sealed: fromBase64Url(r10.sealedProfile!), companyId, employeeId: r10.id });
		expect(profile).toMatchObject({ nameKana: 'めいぼ たろう', department: '総務部', hiredOn: '2020-04-01' });

		// Re-import of two rows with new names: same ids, new names, nothing created.
		const again = parseRoster(csv(2, (i) => `改名　${i}号`));
		const result = await handler.client.trpc.employee.importRoster.mutate({ companyId, rows: sealRosterRows(keys(), again.employees, await existing()) });
		expect(result).toEqual({ created: 0, updated: 2 });
		const after = await handler.client.trpc.employee.list.query({ companyId });
		expect(after).toHaveLength(ROWS);
		const r1 = after.find((e) => e.code === 'R00001')!;
		expect(r1.id).toBe(list.find((e) => e.code === 'R00001')!.id);
		expect(openEmployeeName({ dataKey: keys().dataKey, sealed: fromBase64Url(r1.sealedName!), companyId, employeeId: r1.id })).toBe('改名　1号');

		const dump = await dumpAllTables((q) => app.handle.rows(q));
		expect(dump).toContain('R00001');
		expect(dump).not.toContain('改名');
		expect(dump).not.toContain('名簿');
	});

	it('refuses a batch that does not fit the roster, duplicate codes and bad rows, changing nothing', async () => {
		const companyId = handler.company.companyId;
		const before = await handler.client.trpc.employee.list.query({ companyId });
		const parsed = parseRoster(csv(3, (i) => `別人　${i}号`));
		// Sealed for fresh ids although the codes exist (a stale roster in another tab): refused as a whole.
		const stale = sealRosterRows(keys(), parsed.employees, new Map());
		expect((await failure(handler.client.trpc.employee.importRoster.mutate({ companyId, rows: stale }))).data.appCode).toBe('roster_changed');
		const rows = sealRosterRows(keys(), parsed.employees, await existing());
		expect((await failure(handler.client.trpc.employee.importRoster.mutate({ companyId, rows: [rows[0]!, rows[0]!] }))).data.appCode).toBe('roster_duplicate_code');
		const bad = await failure(handler.client.trpc.employee.importRoster.mutate({ companyId, rows: [{ ...rows[0]!, code: 'R 1' }] }));
		expect(bad.data.appCode).toBe('invalid_input');
		expect((await failure(handler.client.trpc.employee.importRoster.mutate({ companyId, rows: [] }))).data.appCode).toBe('invalid_input');
		const after = await handler.client.trpc.employee.list.query({ companyId });
		expect(after.map((e) => [e.id, e.sealedName])).toEqual(before.map((e) => [e.id, e.sealedName]));
	});
});
