/**
 * Who may even reach each procedure, enumerated from the router so a new procedure cannot be
 * forgotten: public ones, employee ones and (everything else) handler ones. An anonymous caller, an
 * employee and a handler each call every procedure without input; the authentication layer must
 * answer 401 before any input is looked at, wherever the caller does not belong. (The full
 * actor-by-actor matrix of issue 7 builds on this table.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { startServer, type RunningServer } from '../../server/app';
import { scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, join, setUpHandler, type HandlerSide } from '../support/journey';

/** Procedures anyone may call (sign-in, set-up, joining). */
const PUBLIC = ['auth.login', 'auth.logout', 'auth.me', 'join.peek', 'join.redeem', 'partner.peek', 'partner.register', 'passkey.login', 'passkey.loginOptions', 'passkey.secondFactor', 'setup.create', 'setup.status'];
/** Procedures only a signed-in employee may call. */
const EMPLOYEE = ['employee.companyKeys', 'submission.upload'];

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation' | 'subscription' } }>).map(([path, p]) => ({
	path,
	type: p._def.type
}));

describe('authentication layer of every procedure', () => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;
	let employeeCookie: string;

	beforeAll(async () => {
		scratch = await scratchDb('pglite');
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		handler = await setUpHandler(app.url, app.services.setup.token!);
		const { employee } = await join(app.url, await addEmployee(handler, 'AUTHZ-1'));
		employeeCookie = employee.cookies.get('mnv_session')!;
	});
	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	/** The HTTP status of calling a procedure with no input as the given session. */
	async function statusOf(path: string, type: string, cookie: string | null): Promise<number> {
		const headers: Record<string, string> = { origin: app.url, 'user-agent': 'vitest', 'x-mnv-lang': 'ja' };
		if (cookie) headers.cookie = `mnv_session=${cookie}`;
		if (type === 'query') return (await fetch(`${app.url}/trpc/${path}`, { headers })).status;
		const octet = path === 'submission.upload';
		const body = octet ? new Uint8Array(1) : '{}';
		headers['content-type'] = octet ? 'application/octet-stream' : 'application/json';
		return (await fetch(`${app.url}/trpc/${path}`, { method: 'POST', headers, body })).status;
	}

	it('classifies every procedure of the router, and names none that does not exist', () => {
		const paths = procedures.map((p) => p.path);
		expect(paths.length).toBeGreaterThan(40);
		for (const listed of [...PUBLIC, ...EMPLOYEE]) expect(paths, listed).toContain(listed);
	});

	it('answers 401 to anyone who does not belong, before reading input', async () => {
		const handlerCookie = handler.client.cookies.get('mnv_session')!;
		const wrong: string[] = [];
		for (const { path, type } of procedures) {
			if (PUBLIC.includes(path)) continue;
			const isEmployee = EMPLOYEE.includes(path);
			const outsiders: [string, string | null][] = [['anonymous', null], isEmployee ? ['handler', handlerCookie] : ['employee', employeeCookie]];
			for (const [who, cookie] of outsiders) {
				const status = await statusOf(path, type, cookie);
				if (status !== 401) wrong.push(`${path} as ${who}: ${status}`);
			}
			// The rightful caller gets past authentication (to an input or business error, or success).
			const status = await statusOf(path, type, isEmployee ? employeeCookie : handlerCookie);
			if (status === 401) wrong.push(`${path} as its own kind of user: 401`);
		}
		expect(wrong).toEqual([]);
	});
});
