/**
 * `auth.me` tells the UI when the session ends (the session-expiry warning, src/lib/managers/expiry.ts):
 * the absolute limit, and for a handler the idle limit, which a call pushes back (the server writes
 * the last-seen time at most once a minute) — so `auth.me` itself is the "stay signed in" call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { defaultConfig } from '../../server/api/trpc';
import { scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, join, setUpHandler, type HandlerSide } from '../support/journey';

describe('the session clock in auth.me', () => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;
	const clock = { offsetMs: 0 };
	const now = () => Date.now() + clock.offsetMs;

	beforeAll(async () => {
		scratch = await scratchDb('pglite');
		app = await startServer({
			db: scratch.options,
			port: 0,
			host: '127.0.0.1',
			staticDir: '/nonexistent',
			quiet: true,
			config: { passwordLogN: 10 },
			now: () => new Date(now())
		});
		handler = await setUpHandler(app.url, app.services.setup.token!);
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	async function handlerClock() {
		const me = await handler.client.trpc.auth.me.query();
		if (me?.kind !== 'handler') throw new Error('not signed in');
		return me.session;
	}

	it('reports the handler idle limit with the server time, and moves it when a call comes after a minute', async () => {
		const first = await handlerClock();
		const idle = defaultConfig.handlerIdleSeconds * 1000;
		expect(first.idleSeconds).toBe(defaultConfig.handlerIdleSeconds);
		expect(Math.abs(Date.parse(first.now) - now())).toBeLessThan(5_000);
		// Last seen at most a minute ago (the sign-in or the last write), so the idle end is about an hour away.
		const firstIdleEnd = Date.parse(first.idleExpiresAt!);
		expect(firstIdleEnd - Date.parse(first.now)).toBeGreaterThan(idle - 61_000);
		expect(firstIdleEnd - Date.parse(first.now)).toBeLessThanOrEqual(idle);
		expect(Date.parse(first.expiresAt) - Date.parse(first.now)).toBeGreaterThan(defaultConfig.handlerMaxSeconds * 1000 - 60_000);

		// 30 minutes on: this call is recorded, so the idle end is an hour from now.
		clock.offsetMs += 30 * 60_000;
		const later = await handlerClock();
		// (`now` is read a few milliseconds after the session was resolved.)
		expect(Math.abs(Date.parse(later.idleExpiresAt!) - (Date.parse(later.now) + idle))).toBeLessThan(1_000);
		expect(Date.parse(later.idleExpiresAt!)).toBeGreaterThan(firstIdleEnd + 29 * 60_000);
		// 20 seconds on: not written again (once a minute), and the report says so.
		clock.offsetMs += 20_000;
		const soon = await handlerClock();
		expect(soon.idleExpiresAt).toBe(later.idleExpiresAt);
		expect(soon.expiresAt).toBe(first.expiresAt);
	});

	it('ends the handler session after the idle limit, and me then says nobody', async () => {
		clock.offsetMs += defaultConfig.handlerIdleSeconds * 1000 + 1_000;
		expect(await handler.client.trpc.auth.me.query()).toBeNull();
	});

	it('gives an employee the absolute limit only', async () => {
		// The administrator's session ended above: sign in again.
		await handler.client.trpc.auth.login.mutate({ loginId: 'admin', password: 'correct horse battery' });
		const invitation = await addEmployee(handler, 'CLK-1');
		const { employee } = await join(app.url, invitation);
		const me = await employee.trpc.auth.me.query();
		expect(me?.kind).toBe('employee');
		const session = me!.session;
		expect(session.idleSeconds).toBeNull();
		expect(session.idleExpiresAt).toBeNull();
		expect(Date.parse(session.expiresAt) - Date.parse(session.now)).toBeGreaterThan(defaultConfig.employeeMaxSeconds * 1000 - 60_000);
	});
});
