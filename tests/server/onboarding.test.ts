/**
 * The facts the dashboard's onboarding checklist reads from `company.list`: whether the recovery kit
 * covers the current epoch, whether a 責任者 saved the purposes of use, and how many people were
 * ever invited. Embedded database only: the queries are plain and shared with the other tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, createCompany, setUpHandler, type HandlerSide } from '../support/journey';

describe('company.list for the onboarding checklist', () => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;

	beforeAll(async () => {
		scratch = await scratchDb('pglite');
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		handler = await setUpHandler(app.url, app.services.setup.token!);
	});
	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	const row = async (companyId: string) => (await handler.client.trpc.company.list.query()).find((c) => c.id === companyId)!;

	it('starts open and follows the kit, the purposes and the first invitation', async () => {
		const fresh = await createCompany(handler.client, handler.keys, '株式会社はじめて', null, { confirmKit: false });
		expect(await row(fresh.companyId)).toMatchObject({ recoveryKitCurrent: false, purposesSaved: false, progress: { employees: 0, invited: 0 } });

		await handler.client.trpc.company.confirmRecoveryKit.mutate({ companyId: fresh.companyId, epoch: 1 });
		await handler.client.trpc.company.setPurposes.mutate({ companyId: fresh.companyId, purposes: ['withholding'] });
		expect(await row(fresh.companyId)).toMatchObject({ recoveryKitCurrent: true, purposesSaved: true });

		// The setup company (kit confirmed by the helper): an invited employee counts once, however often asked.
		const companyId = handler.company.companyId;
		expect((await row(companyId)).purposesSaved).toBe(false);
		await addEmployee(handler, 'ONB-1');
		expect((await row(companyId)).progress).toMatchObject({ employees: 1, invited: 1 });
		expect((await row(fresh.companyId)).progress.invited).toBe(0);
	});
});
