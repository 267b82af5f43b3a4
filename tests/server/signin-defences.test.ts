/**
 * Sign-in defences (issue 7 item 4) through the real API on each backend: the organisation's IP
 * allowlist for handlers (at sign-in and on every request, and never excluding the administrator
 * who sets it), lifting a sign-in lock before it expires (handlers by an administrator, employees
 * by their company's 責任者), and a new session token when the password changes.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { auditEvents, loginThrottle } from '../../server/db/schema';
import { failure, testClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, OWN_HANDLER_PASSWORD, setUpHandler, type HandlerSide, type OtherHandler } from '../support/journey';

describe.each(backends)('sign-in defences on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let owner: HandlerSide;
	let staff: OtherHandler;
	const clock = { offsetMs: 0 };

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({
			db: scratch.options,
			port: 0,
			host: '127.0.0.1',
			staticDir: '/nonexistent',
			quiet: true,
			// Behind a load balancer: X-Forwarded-For says where each test client is.
			trustProxy: true,
			config: { passwordLogN: 10 },
			now: () => new Date(Date.now() + clock.offsetMs)
		});
		owner = await setUpHandler(app.url, app.services.setup.token!);
		staff = await addHandler(app.url, owner.client, 'tanto-ip');
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	const settings = (list: string[]) => ({ idleLockMinutes: 10, handlerIpAllowlist: list });
	const signInFrom = async (ip: string) => {
		const client = testClient(app.url, { forwardedFor: ip });
		await client.trpc.auth.login.mutate({ loginId: 'tanto-ip', password: OWN_HANDLER_PASSWORD });
		return client;
	};

	it('keeps handlers to the allowed networks, at sign-in and on every request', async () => {
		// The administrator (at 127.0.0.1) cannot save a list that shuts themselves out, nor a malformed one.
		expect(await failure(owner.client.trpc.org.updateSettings.mutate(settings(['198.51.100.0/24'])))).toMatchObject({ data: { httpStatus: 409, appCode: 'ip_allowlist_excludes_you' } });
		const bad = await failure(owner.client.trpc.org.updateSettings.mutate(settings(['198.51.100.0/33'])));
		expect(bad.data.appCode).toBe('invalid_input');
		expect(JSON.stringify(bad.data.fieldErrors)).toContain('CIDR');
		await owner.client.trpc.org.updateSettings.mutate(settings(['127.0.0.1', '198.51.100.0/24']));
		expect((await owner.client.trpc.org.settings.query()).handlerIpAllowlist).toEqual(['127.0.0.1', '198.51.100.0/24']);

		const inside = await signInFrom('198.51.100.7');
		expect((await inside.trpc.company.list.query()).length).toBeGreaterThanOrEqual(0);
		const outside = testClient(app.url, { forwardedFor: '203.0.113.5' });
		expect(await failure(outside.trpc.auth.login.mutate({ loginId: 'tanto-ip', password: OWN_HANDLER_PASSWORD }))).toMatchObject({ data: { httpStatus: 403, appCode: 'ip_not_allowed' } });
		const [refused] = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'login' and ${auditEvents.ip} = '203.0.113.5'`);
		expect(refused).toMatchObject({ result: 'denied', actorLabel: 'tanto-ip' });
		expect(refused!.detail).toMatchObject({ ipNotAllowed: true });
		// A client cannot claim an allowed address: the proxy appends the one it saw, and that counts.
		const spoofing = testClient(app.url, { forwardedFor: '198.51.100.7, 203.0.113.5' });
		expect((await failure(spoofing.trpc.auth.login.mutate({ loginId: 'tanto-ip', password: OWN_HANDLER_PASSWORD }))).data.appCode).toBe('ip_not_allowed');
		// A wrong password from outside says only that: the list is not revealed to someone without the password.
		expect((await failure(outside.trpc.auth.login.mutate({ loginId: 'tanto-ip', password: 'wrong password 123' }))).data.appCode).toBe('bad_credentials');
		// The session cookie carried to another network is refused there too.
		const carried = testClient(app.url, { forwardedFor: '203.0.113.5' });
		for (const [k, v] of inside.cookies) carried.cookies.set(k, v);
		expect((await failure(carried.trpc.company.list.query())).data).toMatchObject({ httpStatus: 403, appCode: 'ip_not_allowed' });

		// An empty list allows everyone again.
		await owner.client.trpc.org.updateSettings.mutate(settings([]));
		expect((await owner.client.trpc.org.settings.query()).handlerIpAllowlist).toEqual([]);
		await carried.trpc.company.list.query();
	});

	it('lets an administrator lift a handler\'s sign-in lock, recorded, and only a lock that exists', async () => {
		const guesser = testClient(app.url, { forwardedFor: '192.0.2.44' });
		// Past each growing delay, so every guess counts, until the account locks (10 failures, one made above).
		let guesses = 0;
		for (; guesses < 12; guesses++) {
			clock.offsetMs += 61_000;
			const { appCode } = (await failure(guesser.trpc.auth.login.mutate({ loginId: 'tanto-ip', password: `wrong ${guesses} password` }))).data;
			if (appCode === 'rate_limited') break;
			expect(appCode).toBe('bad_credentials');
		}
		expect(guesses).toBe(9);
		// Locked: even the right password from an allowed network waits.
		expect((await failure(signInFrom('198.51.100.8'))).data.appCode).toBe('rate_limited');
		const listed = (await owner.client.trpc.users.list.query()).find((u) => u.loginId === 'tanto-ip')!;
		expect(listed.lockedUntil).not.toBeNull();
		expect((await failure(staff.client.trpc.users.unlock.mutate({ userId: staff.userId }))).data.httpStatus).toBe(403);
		await owner.client.trpc.users.unlock.mutate({ userId: staff.userId });
		expect((await owner.client.trpc.users.list.query()).find((u) => u.loginId === 'tanto-ip')!.lockedUntil).toBeNull();
		await signInFrom('198.51.100.8');
		expect((await failure(owner.client.trpc.users.unlock.mutate({ userId: staff.userId }))).data.appCode).toBe('account_not_locked');
		const unlocks = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'account_unlock'`);
		expect(unlocks.map((e) => [e.actorLabel, e.targetId])).toEqual([['admin', staff.userId]]);
	});

	it('lets the company\'s 責任者, not a 担当者, lift an employee\'s sign-in lock', async () => {
		const companyId = owner.company.companyId;
		const person = await addEmployee(owner, 'LOCK-1');
		const now = new Date(Date.now() + clock.offsetMs);
		await app.handle.db.insert(loginThrottle).values({ key: `employee:${person.employeeId}`, failures: 10, lastFailureAt: now, lockedUntil: new Date(now.getTime() + 15 * 60_000) });
		// The staff handler holds no role in this company: refused like any outsider.
		expect((await failure(staff.client.trpc.employee.unlock.mutate({ companyId, employeeId: person.employeeId }))).data.httpStatus).toBe(403);
		await owner.client.trpc.employee.unlock.mutate({ companyId, employeeId: person.employeeId });
		expect(await app.handle.db.select().from(loginThrottle).where(sql`${loginThrottle.key} = ${'employee:' + person.employeeId}`)).toEqual([]);
		expect((await failure(owner.client.trpc.employee.unlock.mutate({ companyId, employeeId: person.employeeId }))).data.appCode).toBe('account_not_locked');
		const [event] = await app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = 'account_unlock' and ${auditEvents.targetType} = 'employee'`);
		expect(event).toMatchObject({ companyId, targetId: person.employeeId, actorLabel: 'admin' });
	});

	it('gives the browser a new session token when the password changes; the old token is dead', async () => {
		const client = await signInFrom('198.51.100.9');
		const before = new Map(client.cookies);
		await client.trpc.auth.changePassword.mutate({ currentPassword: OWN_HANDLER_PASSWORD, newPassword: 'a brand new password 2026' });
		expect(client.cookies.get('mnv_session')).not.toBe(before.get('mnv_session'));
		expect((await client.trpc.auth.me.query())?.kind).toBe('handler');
		const stale = testClient(app.url, { forwardedFor: '198.51.100.9' });
		for (const [k, v] of before) stale.cookies.set(k, v);
		expect(await stale.trpc.auth.me.query()).toBeNull();
	});
});
