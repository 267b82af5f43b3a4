/**
 * Who may reach each procedure, enumerated from the router so a new procedure cannot be forgotten.
 *
 * 1. The authentication layer: an anonymous caller, an employee and a handler each call every
 *    procedure without input; wherever the caller does not belong, the answer is 401 before any
 *    input is looked at.
 * 2. The authorization matrix (issue 7 item 1, the table in ./authz-matrix.ts): eight kinds of
 *    caller each call every procedure aimed at company A, its employee, its submission and its
 *    office, with input shaped well enough to reach the authorisation checks; every cell must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root';
import { startServer, type RunningServer } from '../../server/app';
import { readFileSync } from 'node:fs';
import {
	generateHandlerKeys,
	handlerPublicInfo,
	prepareGrant,
	prepareNewCompany,
	prepareRevocation,
	toBase64Url,
	wrapHandlerKeysForPasskey
} from '../../src/lib/crypto/index';
import { SoftAuthenticator } from '../support/authenticator';
import type { TestClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, candidateOf, createCompany, join, joinAndSubmit, registerOffice, setUpHandler, type HandlerSide, type OtherHandler } from '../support/journey';
import { DEFAULT_FORMAT } from '../../src/lib/exports/index';
import { ACTORS, cells, MATRIX, renderMatrix, type Actor, type Cell } from './authz-matrix';

/** Procedures anyone may call (sign-in, set-up, joining). */
const PUBLIC = ['auth.employeeLogin', 'auth.login', 'auth.logout', 'auth.me', 'join.peek', 'join.redeem', 'partner.peek', 'partner.register', 'passkey.login', 'employeePasskey.login', 'passkey.loginOptions', 'passkey.secondFactor', 'setup.create', 'setup.status'];
/** Procedures only a signed-in employee may call. */
const EMPLOYEE = ['employee.companyKeys', 'submission.upload', 'submission.mine', 'employeePasskey.count', 'employeePasskey.registerOptions', 'employeePasskey.registerFinish'];

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
		const octet = path === 'submission.upload' || path === 'submission.enterOnBehalf';
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

/** Runs last for every caller: removing the passkey and signing out would change later cells. */
const LAST = ['passkey.remove', 'auth.logout'];

describe.each(backends)('authorization matrix on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	const cookieOf = new Map<Actor, string | null>();
	let inputs: Record<string, unknown>;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		// Office 1 (its administrator is not a column): companies A and B, each with its own 責任者.
		const owner = await setUpHandler(app.url, app.services.setup.token!);
		const companyA = owner.company;
		const companyB = await createCompany(owner.client, owner.keys, '株式会社B', null);
		const ownerOf = { A: owner, B: { ...owner, company: companyB } satisfies HandlerSide };
		const [staffA, responsibleA, responsibleB, revoked] = await Promise.all(
			['tanto-a', 'sekinin-a', 'sekinin-b', 'revoked-a'].map((loginId) => addHandler(app.url, owner.client, loginId))
		);
		const grant = async (side: HandlerSide, who: OtherHandler, role: 'staff' | 'responsible') =>
			owner.client.trpc.company.grant.mutate(await prepareGrant({ companyId: side.company.companyId, root: side.company.root, epochs: side.company.epochs, granter: owner.keys, candidate: candidateOf(who), role }));
		await grant(ownerOf.A, staffA!, 'staff');
		await grant(ownerOf.A, responsibleA!, 'responsible');
		await grant(ownerOf.A, revoked!, 'staff');
		await grant(ownerOf.B, responsibleB!, 'responsible');
		const invitedA = await addEmployee(ownerOf.A, 'MATRIX-A');
		const employeeA = await joinAndSubmit(app.url, invitedA, undefined, [new TextEncoder().encode('synthetic photo')]);
		const { employee: employeeB } = await join(app.url, await addEmployee(ownerOf.B, 'MATRIX-B'));
		// The revoked handler of A: removed, which started epoch 2.
		const detail = await owner.client.trpc.company.get.query({ companyId: companyA.companyId });
		const ownerId = detail.members.find((m) => m.loginId === 'admin')!.userId;
		const revocation = await prepareRevocation({
			companyId: companyA.companyId,
			root: companyA.root,
			current: detail.manifests.at(-1)!,
			currentEpoch: 1,
			granter: owner.keys,
			remaining: [
				{ userId: ownerId, recipient: owner.keys.recipient },
				...[staffA!, responsibleA!].map((h) => ({ userId: h.userId, recipient: h.keys.recipient }))
			],
			removedUserId: revoked!.userId
		});
		await owner.client.trpc.company.revoke.mutate(revocation.payload);
		// Another office, a partner of office 1, whose administrator holds a role in B (not in A).
		const office2Link = await owner.client.trpc.partner.invite.mutate();
		const other = await registerOffice(app.url, office2Link.token, '別の事務所', 'other-admin');
		const otherAdmin = other.client;
		await grant(ownerOf.B, other, 'staff');
		// An open partner link of office 1, and the 責任者 of A's passkey (with a wrap).
		const openLink = await owner.client.trpc.partner.invite.mutate();
		const authenticator = new SoftAuthenticator();
		const { challengeId, options } = await responsibleA!.client.trpc.passkey.registerOptions.mutate();
		const response = authenticator.register(options, app.url);
		const wrapped = toBase64Url(await wrapHandlerKeysForPasskey(responsibleA!.keys, new Uint8Array(32).fill(7), response.id));
		const passkey = await responsibleA!.client.trpc.passkey.registerFinish.mutate({ challengeId, response, name: '見本キー', wrapped });
		const office1 = (await otherAdmin.trpc.partner.list.query()).partners[0]!.orgId;

		const sessions: Record<Actor, TestClient | null> = {
			anonymous: null,
			employeeA: employeeA.employee,
			employeeB,
			staffA: staffA!.client,
			responsibleA: responsibleA!.client,
			responsibleB: responsibleB!.client,
			otherAdmin,
			revoked: revoked!.client
		};
		for (const [actor] of ACTORS) cookieOf.set(actor, sessions[actor]?.cookies.get('mnv_session') ?? null);

		const A = companyA.companyId;
		const bogus = toBase64Url(new Uint8Array(64).fill(1));
		const fresh = await generateHandlerKeys();
		const newCompany = await prepareNewCompany({ ...responsibleA!.keys, userId: responsibleA!.userId });
		inputs = {
			// Public: input the server refuses as input, which proves the call got that far.
			'setup.create': {},
			'auth.login': {},
			'auth.employeeLogin': {},
			'join.peek': {},
			'join.redeem': {},
			'partner.peek': {},
			'partner.register': {},
			'passkey.login': {},
			'employeePasskey.login': {},
			'employeePasskey.registerFinish': {},
			'passkey.secondFactor': {},
			'passkey.registerFinish': {},
			'keys.create': { ...handlerPublicInfo(fresh), wrapped: bogus },
			'passkey.rename': { id: passkey.id, name: '見本キー' },
			'passkey.wrap': { credentialId: passkey.id },
			'passkey.remove': { id: passkey.id },
			'org.updateSettings': { idleLockMinutes: 10 },
			// The other office's own details, unchanged (registerOffice's values).
			'org.updateDetails': { name: '別の事務所', address: '大阪府大阪市北区1-1', contact: '06-0000-0000' },
			// A new password too short: past the session check, and nobody's password (or other sessions) change.
			'auth.changePassword': { currentPassword: 'not the password', newPassword: 'short' },
			'users.create': { loginId: 'tanto-a', displayName: '重複', password: 'some password 123' },
			'company.create': { ...newCompany.payload, name: '新しい会社', corporateNumber: null },
			'partner.cancelInvite': { invitationId: openLink.id },
			'partner.accept': { token: openLink.token },
			'partner.end': { orgId: office1 },
			'company.get': { companyId: A },
			'company.pin': { companyId: A, pinSignature: bogus },
			'employee.list': { companyId: A },
			'employee.create': { id: crypto.randomUUID(), companyId: A, code: 'MATRIX-NEW', sealedName: bogus },
			'employee.importRoster': { companyId: A, rows: [{ id: crypto.randomUUID(), code: 'MATRIX-IMP', sealedName: bogus, sealedProfile: bogus, status: 'active' }] },
			'employee.invite': { employeeId: (await owner.client.trpc.employee.list.query({ companyId: A }))[0]!.id, sealedDeviceSecret: bogus },
			// A's employee, who submitted: reported as skipped, nothing recorded.
			'employee.remind': { companyId: A, employeeIds: [(await owner.client.trpc.employee.list.query({ companyId: A }))[0]!.id] },
			'employee.requests': { companyId: A, employeeId: (await owner.client.trpc.employee.list.query({ companyId: A }))[0]!.id },
			'submission.list': { companyId: A, employeeId: (await owner.client.trpc.employee.list.query({ companyId: A }))[0]!.id },
			'submission.reveal': { submissionId: employeeA.submissionId, reason: '権限の確認' },
			// Sent as the upload's metadata header (see cellOf), not as JSON.
			'submission.enterOnBehalf': { employeeId: invitedA.employeeId },
			'submission.storeVerified': { submissionId: employeeA.submissionId, sealed: bogus },
			'submission.image': { submissionId: employeeA.submissionId, itemIndex: 1, reason: '権限の確認' },
			'company.setPurposes': { companyId: A, purposes: ['withholding', 'employment_insurance', 'social_insurance'] },
			'company.updateDetails': { companyId: A, address: '東京都千代田区千代田1-1', departments: ['総務部', '営業部'] },
			'company.setImageRetention': { companyId: A, days: null },
			'submission.setStatus': { submissionId: employeeA.submissionId, status: 'accepted' },
			'submission.exportVerified': { companyId: A, reason: '権限の確認' },
			'exportFormat.list': { companyId: A },
			'exportFormat.save': { companyId: A, name: '権限の確認', definition: DEFAULT_FORMAT },
			'exportFormat.remove': { companyId: A, id: crypto.randomUUID() },
			'audit.list': { companyId: A },
			'audit.search': { companyId: A },
			'audit.report': { companyId: A },
			'audit.chain': { companyId: A },
			'audit.head': {},
			// A's 責任者 as target: another office's administrator cannot even find them; A's employee is not locked (409 past the role check).
			'users.unlock': { userId: responsibleA!.userId },
			'employee.unlock': { companyId: A, employeeId: invitedA.employeeId },
			// A head that is not the chain's: past authorisation it is refused as a conflict, nothing stored.
			'audit.checkpoint': { seq: 1, head: 'f'.repeat(64), signedAt: new Date().toISOString(), signature: 'A'.repeat(86) },
			'audit.alarm': { seq: 1, expected: 'f'.repeat(64) },
			'disposal.list': { companyId: A },
			// Names the 担当者 as 責任者: past the role check the 責任者 of A gets 400, and nobody is disposed of.
			'disposal.dispose': { companyId: A, employeeIds: [invitedA.employeeId], basis: 'retention_expired', responsibleId: staffA!.userId },
			'company.confirmRecoveryKit': { companyId: A, epoch: 1 },
			'company.candidates': { companyId: A },
			'company.grant': {
				companyId: A,
				userId: staffA!.userId,
				role: 'staff',
				member: { statement: 'x'.repeat(20), signature: bogus },
				epochGrants: [{ epoch: 1, ciphertext: bogus, signature: bogus }],
				rootGrant: null
			},
			'company.revoke': { companyId: A, userId: staffA!.userId, manifest: { body: '{}', signature: bogus }, grants: [{ userId: responsibleA!.userId, ciphertext: bogus, signature: bogus }] }
		};
	});
	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	/** What one caller gets from one procedure: ✓ past authorisation, ✗ 401/403, – 404. */
	async function cellOf(path: string, type: string, cookie: string | null): Promise<{ cell: Cell; status: number; code: string }> {
		const headers: Record<string, string> = { origin: app.url, 'user-agent': 'vitest', 'x-mnv-lang': 'en' };
		if (cookie) headers.cookie = `mnv_session=${cookie}`;
		let response: Response;
		if (path === 'submission.upload' || path === 'submission.enterOnBehalf') {
			// Not ciphertext: past authorisation the answer is 400, so only the gate decides the cell.
			const meta = { submissionId: crypto.randomUUID(), epoch: 2, kind: 'record', ...(inputs['submission.enterOnBehalf'] as object) };
			headers['content-type'] = 'application/octet-stream';
			headers['x-upload-meta'] = Buffer.from(JSON.stringify(meta)).toString('base64url');
			response = await fetch(`${app.url}/trpc/${path}`, { method: 'POST', headers, body: new Uint8Array(256).fill(3) });
		} else if (type === 'query') {
			const input = path in inputs ? `?input=${encodeURIComponent(JSON.stringify(inputs[path]))}` : '';
			response = await fetch(`${app.url}/trpc/${path}${input}`, { headers });
		} else {
			headers['content-type'] = 'application/json';
			response = await fetch(`${app.url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(inputs[path] ?? {}) });
		}
		const body = (await response.json().catch(() => null)) as { error?: { data?: { appCode?: string } } } | null;
		const status = response.status;
		return { cell: status === 401 || status === 403 ? '✗' : status === 404 ? '–' : '✓', status, code: body?.error?.data?.appCode ?? '' };
	}

	it('has one row per procedure of the router, and the docs print the same table', () => {
		expect(Object.keys(MATRIX).sort()).toEqual(procedures.map((p) => p.path).sort());
		for (const row of Object.values(MATRIX)) expect(cells(row)).toHaveLength(ACTORS.length);
		const docs = readFileSync(new URL('../../docs/security-model.md', import.meta.url), 'utf8');
		const printed = docs.split('<!-- authz-matrix:start -->')[1]?.split('<!-- authz-matrix:end -->')[0]?.trim();
		expect(printed).toBe(renderMatrix());
	});

	it('gives every caller exactly what the table says', async () => {
		const ordered = [...procedures].sort((a, b) => LAST.indexOf(a.path) - LAST.indexOf(b.path));
		const differences: string[] = [];
		let checked = 0;
		for (const { path, type } of ordered) {
			const expected = cells(MATRIX[path] ?? '');
			for (const [index, [actor]] of ACTORS.entries()) {
				const got = await cellOf(path, type, cookieOf.get(actor) ?? null);
				checked++;
				if (got.cell !== expected[index]) differences.push(`${path} as ${actor}: expected ${expected[index]}, got ${got.cell} (${got.status} ${got.code})`);
			}
		}
		expect(differences).toEqual([]);
		expect(checked).toBe(procedures.length * ACTORS.length);
	});
});
