/**
 * The handling history (取扱い履歴, issue 6 item 4) through the real API on each backend: filters
 * by period, user, operation (or group) and person; stable keyset pages; who may read, download
 * and verify; the report records itself; and a row changed behind the trigger's back is named by
 * the verifier as the first broken link.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents } from '../../server/db/schema';
import { prepareGrant } from '../../src/lib/crypto/index';
import { ACTION_GROUPS } from '../../src/lib/history/actions';
import { failure } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, candidateOf, createCompany, inviteEmployee, joinAndSubmit, revealNumber, setUpHandler, type HandlerSide, type OtherHandler } from '../support/journey';

// Earlier events half an hour back: within a session's idle limit, so nobody is signed out.
const EARLIER = 30 * 60 * 1000;

describe.each(backends)('handling history on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let owner: HandlerSide;
	let staffA: OtherHandler;
	let staffB: OtherHandler;
	let A: string;
	let B: string;
	let first: Awaited<ReturnType<typeof addEmployee>>;
	let second: Awaited<ReturnType<typeof addEmployee>>;
	/** An instant between the earlier events and the later ones. */
	let boundary: Date;
	const clock = { offsetMs: 0 };

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({
			db: scratch.options,
			port: 0,
			host: '127.0.0.1',
			staticDir: '/nonexistent',
			quiet: true,
			config: { passwordLogN: 10 },
			now: () => new Date(Date.now() + clock.offsetMs)
		});
		// Half an hour ago: the office, companies A and B, their handlers, two people in A.
		clock.offsetMs = -EARLIER;
		owner = await setUpHandler(app.url, app.services.setup.token!);
		A = owner.company.companyId;
		const companyB = await createCompany(owner.client, owner.keys, '株式会社B', null);
		B = companyB.companyId;
		staffA = await addHandler(app.url, owner.client, 'tanto-a');
		staffB = await addHandler(app.url, owner.client, 'tanto-b');
		const grant = async (company: typeof companyB, who: OtherHandler) =>
			owner.client.trpc.company.grant.mutate(await prepareGrant({ companyId: company.companyId, root: company.root, epochs: company.epochs, granter: owner.keys, candidate: candidateOf(who), role: 'staff' }));
		await grant(owner.company, staffA);
		await grant(companyB, staffB);
		first = await addEmployee(owner, 'H-001');
		second = await addEmployee(owner, 'H-002');
		await addEmployee({ ...owner, company: companyB }, 'B-001');
		boundary = new Date(Date.now() - EARLIER / 2);
		// Now: the first person submits, the owner views it with a reason, the 担当者 invites the second again.
		clock.offsetMs = 0;
		const { submissionId } = await joinAndSubmit(app.url, first);
		await revealNumber(owner, submissionId, '源泉徴収票作成事務');
		await inviteEmployee({ ...owner, client: staffA.client }, second.employeeId);
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	it('lets any role in the company read its events, newest first, with time, user, IP and browser', async () => {
		const { rows, next } = await staffA.client.trpc.audit.search.query({ companyId: A, limit: 200 });
		expect(next).toBeNull();
		expect(rows.length).toBeGreaterThan(5);
		expect(rows.every((r) => r.companyId === A)).toBe(true);
		expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => b - a));
		const reveal = rows.find((r) => r.action === 'reveal')!;
		expect(reveal).toMatchObject({ actorLabel: 'admin', actorType: 'handler', reason: '源泉徴収票作成事務', result: 'ok', userAgent: 'vitest', targetType: 'submission' });
		expect(reveal.ip).toBeTruthy();
		expect(reveal.detail).toEqual({ employeeId: first.employeeId });
		// Nothing of company B shows in A's history.
		expect(rows.some((r) => r.action === 'employee_create' && r.detail?.code === 'B-001')).toBe(false);
	});

	it('filters by period, user, operation, group and person', async () => {
		const all = (await owner.client.trpc.audit.search.query({ companyId: A, limit: 200 })).rows;
		const earlier = (await owner.client.trpc.audit.search.query({ companyId: A, to: boundary.toISOString(), limit: 200 })).rows;
		const later = (await owner.client.trpc.audit.search.query({ companyId: A, from: boundary.toISOString(), limit: 200 })).rows;
		expect(earlier.length).toBeGreaterThan(0);
		expect(later.length).toBeGreaterThan(0);
		expect(earlier.length + later.length).toBe(all.length);
		expect(earlier.every((r) => new Date(r.at) < boundary)).toBe(true);
		expect(earlier.map((r) => r.action)).toContain('company_create');
		expect(later.map((r) => r.action)).toEqual(expect.arrayContaining(['employee_join', 'submit', 'reveal']));

		const byStaff = (await owner.client.trpc.audit.search.query({ companyId: A, actorId: staffA.userId })).rows;
		expect(byStaff.map((r) => r.action)).toEqual(['employee_invite']);

		const reveals = (await owner.client.trpc.audit.search.query({ companyId: A, action: 'reveal' })).rows;
		expect(reveals).toHaveLength(1);
		const signIns = (await owner.client.trpc.audit.search.query({ companyId: A, group: 'sign_in' })).rows;
		expect(signIns.length).toBeGreaterThan(0);
		for (const r of signIns) expect(ACTION_GROUPS.sign_in as readonly string[]).toContain(r.action);

		// The person: created, invited, joined, submitted and viewed; nothing about the other one.
		const person = (await owner.client.trpc.audit.search.query({ companyId: A, employeeId: first.employeeId })).rows;
		expect(person.map((r) => r.action)).toEqual(expect.arrayContaining(['employee_create', 'employee_invite', 'employee_join', 'submit', 'reveal']));
		const other = (await owner.client.trpc.audit.search.query({ companyId: A, employeeId: second.employeeId })).rows;
		expect(other.map((r) => r.action).sort()).toEqual(['employee_create', 'employee_invite', 'employee_invite']);
		expect(other.some((r) => r.targetId === first.employeeId)).toBe(false);
	});

	it('pages with a stable keyset cursor, even while new events arrive', async () => {
		const all = (await owner.client.trpc.audit.search.query({ companyId: A, limit: 200 })).rows.map((r) => r.seq);
		const seen: number[] = [];
		let before: number | undefined;
		for (let i = 0; i < 100; i++) {
			const page = await owner.client.trpc.audit.search.query({ companyId: A, limit: 3, before });
			seen.push(...page.rows.map((r) => r.seq));
			// A new event between pages lands above the cursor and cannot shift the pages below it.
			if (i < 2) await addEmployee(owner, `H-10${i}`);
			if (page.next === null) break;
			before = page.next;
		}
		expect(seen).toEqual(all);
	});

	it('refuses unclear filters with a 400 that says why', async () => {
		const backwards = await failure(owner.client.trpc.audit.search.query({ companyId: A, from: new Date().toISOString(), to: boundary.toISOString() }));
		expect(backwards.data).toMatchObject({ httpStatus: 400, appCode: 'invalid_input' });
		expect((backwards.data.fieldErrors as Record<string, string[]>).to).toEqual(['期間の終わりは始まりより後の日付にしてください。']);
		const both = await failure(owner.client.trpc.audit.search.query({ companyId: A, action: 'login', group: 'sign_in' }));
		expect((both.data.fieldErrors as Record<string, string[]>).group![0]).toContain('一つだけ');
		for (const bad of [{ limit: 201 }, { action: 'drop_table' }, { from: '2026-01-01' }, { employeeId: 'E-001' }, { before: 0 }]) {
			const refused = await failure(owner.client.trpc.audit.search.query({ companyId: A, ...bad } as never));
			expect(refused.data.httpStatus, JSON.stringify(bad)).toBe(400);
		}
	});

	it('shows a handler of company B none of A', async () => {
		expect((await failure(staffB.client.trpc.audit.search.query({ companyId: A }))).data.httpStatus).toBe(403);
		const own = (await staffB.client.trpc.audit.search.query({ limit: 200 })).rows;
		expect(own.length).toBeGreaterThan(0);
		expect(own.some((r) => r.companyId === A)).toBe(false);
		expect((await failure(staffB.client.trpc.audit.report.mutate({ companyId: A }))).data.httpStatus).toBe(403);
	});

	it('lets only the 責任者 download the report, and records the download with its filter', async () => {
		expect((await failure(staffA.client.trpc.audit.report.mutate({ companyId: A }))).data.httpStatus).toBe(403);
		expect((await failure(staffA.client.trpc.audit.report.mutate({}))).data.httpStatus).toBe(403);
		expect((await failure(staffA.client.trpc.audit.chain.query({ companyId: A }))).data.httpStatus).toBe(403);
		const report = await owner.client.trpc.audit.report.mutate({ companyId: A, employeeId: first.employeeId, group: 'view' });
		expect(report.truncated).toBe(false);
		expect(report.rows.map((r) => r.action)).toEqual(['reveal']);
		const [recorded] = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.seq} = ${report.recordedSeq}`);
		expect(recorded).toMatchObject({ action: 'history_export', companyId: A, actorLabel: 'admin', targetType: 'company', targetId: A, result: 'ok' });
		expect(recorded!.detail).toMatchObject({ employeeId: first.employeeId, group: 'view', action: null, from: null });
		// The 担当者 sees the download in the history.
		const seen = (await staffA.client.trpc.audit.search.query({ companyId: A, action: 'history_export' })).rows;
		expect(seen.map((r) => r.seq)).toEqual([report.recordedSeq]);
	});

	it('names the first broken link when a row is changed behind the trigger', async () => {
		expect(await owner.client.trpc.audit.chain.query({ companyId: A })).toMatchObject({ ok: true, firstBrokenSeq: null });
		const [reveal] = (await owner.client.trpc.audit.search.query({ companyId: A, action: 'reveal' })).rows;
		// The application cannot: the trigger refuses.
		await expect(app.handle.rows(sql`update audit_events set reason = '改ざん' where seq = ${reveal!.seq}`)).rejects.toThrow();
		// A superuser can switch triggers off for one transaction (what an attacker with the database would do).
		await app.handle.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(sql`update audit_events set reason = '改ざん' where seq = ${reveal!.seq}`);
		});
		const verdict = await verifyAuditChain(app.handle.db);
		expect(verdict).toMatchObject({ ok: false, firstBrokenSeq: reveal!.seq });
		expect(await owner.client.trpc.audit.chain.query({ companyId: A })).toMatchObject({ ok: false, firstBrokenSeq: reveal!.seq, count: reveal!.seq - 1 });
		expect(await owner.client.trpc.audit.verify.query()).toMatchObject({ ok: false, firstBrokenSeq: reveal!.seq });
	});
});
