/**
 * `npm run demo`'s seeding (scripts/demo-seed.ts) against a real server on a scratch database, with
 * 12 people so that it stays fast and still covers every state: the status board shows each state
 * with the planned count in each company, the numbers follow the synthetic patterns and pass their
 * check digits, the users sign in and unlock with the printed passphrase, a record opens to its
 * number and its photo to a JPEG signed by the employee's device, letters, reminders and disposal
 * records are there, the history spreads over three weeks, and the audit chain with its signed
 * checkpoints verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents } from '../../server/db/schema';
import { fromBase64Url, openEnvelope, unwrapHandlerKeys } from '../../src/lib/crypto/index';
import { parseCorporateNumber, parseIndividualNumber } from '../../src/lib/mynumber/index';
import { DEMO_STATES, demoClock, demoStateCounts, formatDemoSummary, planDemoPeople, seedDemo, type DemoClock, type SeedResult } from '../../scripts/demo-seed';
import { testClient, type TestClient } from '../support/client';
import { scratchDb, type ScratchDb } from '../support/databases';
import { revealNumber } from '../support/journey';

const PEOPLE = 12;

describe('the plan of the demo', () => {
	it('spreads 50 people over every state, as the weights say, and keeps every state for small demos', () => {
		expect(demoStateCounts(50)).toEqual({ not_invited: 5, invited: 7, joined: 5, submitted: 8, accepted: 16, returned: 4, declined: 3, disposed: 2 });
		for (const n of [8, 12, 31, 99]) {
			const counts = demoStateCounts(n);
			expect(Object.values(counts).reduce((a, b) => a + b)).toBe(n);
			expect(Math.min(...Object.values(counts))).toBeGreaterThanOrEqual(1);
		}
		expect(() => demoStateCounts(7)).toThrow();
	});

	it('generates only obviously fictitious people with synthetic, check-digit-valid numbers', () => {
		const people = planDemoPeople(50);
		const numbers = people.flatMap((p) => [p.myNumber, ...p.dependents.map((d) => d.myNumber)]);
		for (const n of numbers) expect(parseIndividualNumber(n).ok, n).toBe(true);
		expect(new Set(numbers).size).toBe(numbers.length);
		expect(people.every((p) => p.myNumber.startsWith('123456789'))).toBe(true);
		expect(people.flatMap((p) => p.dependents).every((d) => d.myNumber.startsWith('987654321'))).toBe(true);
		expect(people.every((p) => /^(見本|試験|架空|仮名|例示)　/.test(p.name) && /架空[区市]/.test(p.address))).toBe(true);
		for (const company of [0, 1]) {
			const codes = people.filter((p) => p.company === company).map((p) => p.code);
			expect(new Set(codes).size).toBe(codes.length);
		}
		expect(people.filter((p) => p.kind === 'payee').map((p) => p.code)).toEqual(['P-001', 'P-002', 'P-003']);
		// Some leavers whose retention is over (not disposed yet), and one future hire.
		expect(people.filter((p) => p.leftOn && p.state !== 'disposed').length).toBeGreaterThanOrEqual(2);
		expect(people.some((p) => p.employment === 'offer')).toBe(true);
	});
});

describe('the demo seed through the API (pglite)', () => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let clock: DemoClock;
	let result: SeedResult;
	let admin: TestClient;

	beforeAll(async () => {
		scratch = await scratchDb('pglite');
		clock = demoClock();
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 }, now: clock.now });
		result = await seedDemo({ baseUrl: app.url, setupToken: app.services.setup.token!, people: PEOPLE, clock, handlerLogN: 10 });
		admin = testClient(app.url);
		await admin.trpc.auth.login.mutate({ loginId: result.users[0]!.loginId, password: result.users[0]!.password });
	}, 180_000);

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	it('shows every state on the status boards, with the planned count per company', async () => {
		expect(result.counts).toEqual(demoStateCounts(PEOPLE));
		for (const [i, company] of result.companies.entries()) {
			const board = await admin.trpc.employee.list.query({ companyId: company.id });
			expect(board).toHaveLength(company.people);
			for (const state of DEMO_STATES) {
				expect(board.filter((e) => e.status === state).length, `${company.name} ${state}`).toBe(result.people.filter((p) => p.company === i && p.state === state).length);
			}
			for (const p of result.people.filter((p) => p.company === i)) expect(board.find((e) => e.code === p.code)).toMatchObject({ id: p.employeeId, status: p.state, kind: p.kind });
			expect(parseCorporateNumber(company.corporateNumber).ok).toBe(true);
			expect(company.name).toMatch(/^【デモ】/);
		}
		expect(result.companies.every((c) => c.people > 0)).toBe(true);
	});

	it('lets each printed user sign in straight to the desk and unlock with the printed passphrase', async () => {
		for (const user of result.users) {
			const client = testClient(app.url);
			await client.trpc.auth.login.mutate({ loginId: user.loginId, password: user.password });
			const me = await client.trpc.auth.me.query();
			expect(me).toMatchObject({ kind: 'handler', user: { loginId: user.loginId, mustChangePassword: false } });
			const wrapped = await client.trpc.keys.wrapped.query();
			await expect(unwrapHandlerKeys(fromBase64Url(wrapped.wrapped), result.passphrase)).resolves.toBeTruthy();
			expect((await client.trpc.company.list.query()).length).toBeGreaterThan(0);
		}
		for (const company of result.companies) {
			const detail = await admin.trpc.company.get.query({ companyId: company.id });
			expect(detail.recoveryKit).toMatchObject({ epoch: 1 });
			expect(detail.purposes.length).toBeGreaterThanOrEqual(3);
		}
	});

	it('opens an accepted record to its number and a photo to a JPEG signed by the device', async () => {
		const p = result.people.find((x) => x.state === 'accepted')!;
		const company = result.companyKeys[p.company]!;
		const [submission] = await admin.trpc.submission.list.query({ companyId: company.companyId, employeeId: p.employeeId! });
		const keys = await unwrapHandlerKeys(fromBase64Url((await admin.trpc.keys.wrapped.query()).wrapped), result.passphrase);
		const side = { client: admin, keys, company };
		expect(await revealNumber(side, submission!.id, 'デモの確認テスト')).toBe(p.myNumber);
		const sealed = await admin.trpc.submission.reveal.mutate({ submissionId: submission!.id, reason: 'デモの確認テスト' });
		expect(sealed).toMatchObject({ status: 'accepted', images: 2, verified: true, masked: true });
		const image = await admin.trpc.submission.image.mutate({ submissionId: submission!.id, itemIndex: 1, reason: 'デモの確認テスト' });
		const opened = await openEnvelope({
			identities: [company.epochs[0]!.identity],
			ciphertext: fromBase64Url(image.ciphertext),
			expected: { companyId: company.companyId, epoch: 1, employeeId: p.employeeId!, submissionId: submission!.id, itemKind: 'image', itemIndex: 1 },
			devicePublicKey: sealed.device!.publicKey
		});
		expect(opened.deviceVerified).toBe(true);
		expect([...opened.payload.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
	});

	it('keeps letters, reminders, disposal records and a join link that works', async () => {
		const joinedOnly = result.people.find((p) => p.state === 'joined')!;
		const requests = await admin.trpc.employee.requests.query({ companyId: result.companies[joinedOnly.company]!.id, employeeId: joinedOnly.employeeId! });
		expect(requests.map((r) => r.kind)).toEqual(['letter', 'reminder']);
		const disposed = result.people.filter((p) => p.state === 'disposed');
		for (const company of new Set(disposed.map((p) => p.company))) {
			const { batches } = await admin.trpc.disposal.list.query({ companyId: result.companies[company]!.id });
			expect(batches.flatMap((b) => b.people.map((x) => x.employeeCode)).sort()).toEqual(disposed.filter((p) => p.company === company).map((p) => p.code).sort());
		}
		expect(result.tryJoin).not.toBeNull();
		const peek = await testClient(app.url).trpc.join.peek.mutate({ token: new URLSearchParams(result.tryJoin!.fragment).get('t')! });
		expect(peek).toMatchObject({ employeeCode: result.tryJoin!.code });
	});

	it('spreads the history over three weeks, back to the present, and the chain with its checkpoints verifies', async () => {
		expect(clock.offsetMs).toBe(0);
		const events = await app.handle.db.select({ at: auditEvents.at, action: auditEvents.action }).from(auditEvents);
		const times = events.map((e) => e.at.getTime());
		expect(Math.min(...times)).toBeLessThan(Date.now() - 20 * 86_400_000);
		expect(Math.max(...times)).toBeLessThan(Date.now());
		for (const action of ['employee_import', 'employee_invite', 'employee_join', 'submit', 'decline', 'reveal', 'reveal_image', 'verify', 'accept', 'return', 'reminders_issue', 'export', 'dispose']) {
			expect(events.some((e) => e.action === action), action).toBe(true);
		}
		const verdict = await verifyAuditChain(app.handle.db);
		expect(verdict).toMatchObject({ ok: true, firstBrokenSeq: null });
		expect(verdict.checkpoints.count).toBeGreaterThan(0);
		expect(verdict.checkpoints.firstBroken).toBeNull();
	});

	it('prints the URL, every user with their password, the passphrase and the fictitious-data note', () => {
		const text = formatDemoSummary(result, { url: 'http://localhost:3000', dataDir: '/tmp/demo-data', seconds: 1.5 });
		for (const u of result.users) {
			expect(text).toContain(u.loginId);
			expect(text).toContain(u.password);
		}
		expect(text).toContain(result.passphrase);
		expect(text).toContain('デモ用の架空データです');
		expect(text).toContain('fictitious demo data');
		expect(text).toContain('http://localhost:3000/login');
		expect(text).toContain(`http://localhost:3000/join#${result.tryJoin!.fragment}`);
	});
});
