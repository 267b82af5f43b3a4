/**
 * Passkeys through the real HTTP API on each backend, with a software authenticator (ES256, "none"
 * attestation) so the server's real WebAuthn verification runs: registration, one-touch sign-in,
 * list / rename / remove and who may touch what, the last unlock method, and the second factor.
 * PRF output never reaches the server; here the "PRF output" is a fixed test value used only to
 * make a real passkey wrap.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents, handlerKeyWraps, users, webauthnChallenges, webauthnCredentials } from '../../server/db/schema';
import {
	fromBase64Url,
	generateHandlerKeys,
	handlerPublicInfo,
	toBase64Url,
	unwrapHandlerKeysWithPasskey,
	wrapHandlerKeys,
	wrapHandlerKeysForPasskey,
	passkeyDeviceWrapKey,
	unwrapDeviceKey,
	wrapDeviceKey,
	type HandlerKeys
} from '../../src/lib/crypto/index';
import { SoftAuthenticator } from '../support/authenticator';
import { failure, testClient, type TestClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, firstSignIn, inviteEmployee, join, setUpHandler, submitNumber, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

const ADMIN_PASSWORD = 'correct horse battery';
const STAFF_PASSWORD = 'staff password 2026';

const prfOf = (seed: number) => new Uint8Array(32).fill(seed);

describe.each(backends)('passkeys on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let admin: HandlerSide;
	let staff: { client: TestClient; keys: HandlerKeys; id: string };
	const adminKey = new SoftAuthenticator();
	const staffKey = new SoftAuthenticator();
	const clock = { offsetMs: 0 };

	/** Registers a passkey of `client` with `authenticator`; with `prf`, also stores a wrap of `keys`. */
	async function register(client: TestClient, authenticator: SoftAuthenticator, name: string, wrap?: { keys: HandlerKeys; prf: Uint8Array }) {
		const { challengeId, options } = await client.trpc.passkey.registerOptions.mutate();
		const response = authenticator.register(options, app.url);
		const wrapped = wrap ? toBase64Url(await wrapHandlerKeysForPasskey(wrap.keys, wrap.prf, response.id)) : undefined;
		return client.trpc.passkey.registerFinish.mutate({ challengeId, response, name, wrapped });
	}

	async function passkeyLogin(authenticator: SoftAuthenticator, overrides: Parameters<SoftAuthenticator['authenticate']>[2] = {}) {
		const client = testClient(app.url);
		const { challengeId, options } = await client.trpc.passkey.loginOptions.mutate();
		const result = client.trpc.passkey.login.mutate({ challengeId, response: authenticator.authenticate(options, app.url, overrides) });
		return { client, result };
	}

	async function actions(): Promise<{ action: string; result: string }[]> {
		return app.handle.db.select({ action: auditEvents.action, result: auditEvents.result }).from(auditEvents);
	}

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
		admin = await setUpHandler(app.url, app.services.setup.token!, { password: ADMIN_PASSWORD });
		await admin.client.trpc.users.create.mutate({ loginId: 'staff-1', displayName: '担当者', password: STAFF_PASSWORD });
		const client = testClient(app.url);
		await firstSignIn(client, 'staff-1', STAFF_PASSWORD);
		const keys = await generateHandlerKeys();
		await client.trpc.keys.create.mutate({ ...handlerPublicInfo(keys), wrapped: toBase64Url(await wrapHandlerKeys(keys, 'staff passphrase', { logN: 10 })) });
		const me = await client.trpc.auth.me.query();
		staff = { client, keys, id: me?.kind === 'handler' ? me.user.id : '' };
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	it('refuses to require a second factor while the administrator has no passkey, and lets only administrators set it', async () => {
		const refused = await failure(admin.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 10, requireSecondFactor: true }));
		expect(refused.data.appCode).toBe('second_factor_needs_passkey');
		expect(refused.message).toContain('パスキー');
		const notAdmin = await failure(staff.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 10, requireSecondFactor: false }));
		expect(notAdmin.data.appCode).toBe('forbidden');
		const settings = await admin.client.trpc.org.settings.query();
		expect(settings).toMatchObject({ requireSecondFactor: false, handlersWithoutPasskey: 2 });
	});

	it('validates every input, and refuses PRF output outright', async () => {
		const { challengeId, options } = await admin.client.trpc.passkey.registerOptions.mutate();
		const response = new SoftAuthenticator().register(options, app.url);
		const leaky = { ...response, clientExtensionResults: { prf: { enabled: true, results: { first: 'c2VjcmV0' } } } };
		// The unlock secret must never reach the server, not even by mistake.
		expect((await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId, response: leaky as never, name: 'x' }))).data.appCode).toBe('invalid_input');
		expect((await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: 'not-a-uuid', response, name: 'x' }))).data.appCode).toBe('invalid_input');
		expect((await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId, response, name: '' }))).data.appCode).toBe('invalid_input');
		expect((await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId, response, name: 'a\u0007b' }))).data.appCode).toBe('invalid_input');
		expect((await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId, response, name: 'x'.repeat(65) }))).data.appCode).toBe('invalid_input');
		const badId = { ...response, id: 'a/b' };
		expect((await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId, response: badId, name: 'x' }))).data.appCode).toBe('invalid_input');
		expect((await failure(admin.client.trpc.passkey.rename.mutate({ id: 'a b', name: 'x' }))).data.appCode).toBe('invalid_input');
		expect((await failure(admin.client.trpc.passkey.remove.mutate({ id: '' }))).data.appCode).toBe('invalid_input');
		const noWrap = await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId, response, name: 'x', wrapped: toBase64Url(new TextEncoder().encode('not an age file')) }));
		expect(noWrap.data.appCode).toBe('sealed_data_invalid');
		// Signed-out callers get nothing.
		expect((await failure(testClient(app.url).trpc.passkey.registerOptions.mutate())).data.appCode).toBe('not_signed_in');
		expect((await failure(testClient(app.url).trpc.passkey.list.query())).data.appCode).toBe('not_signed_in');
		expect(await app.handle.db.select().from(webauthnCredentials)).toHaveLength(0);
	});

	it('refuses a wrong, reused, foreign or expired challenge', async () => {
		// Reused: the previous test's challenge was consumed by its first (refused) attempt.
		const first = await admin.client.trpc.passkey.registerOptions.mutate();
		const response = adminKey.register(first.options, app.url);
		await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: first.challengeId, response: { ...response, id: 'a/b' }, name: 'x' }));
		// A failed validation does not consume it; a refused verification does.
		const signedOther = adminKey.register(first.options, app.url, { challenge: 'b3RoZXItY2hhbGxlbmdl' });
		const wrongChallenge = await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: first.challengeId, response: signedOther, name: 'x' }));
		expect(wrongChallenge.data.appCode).toBe('passkey_failed');
		const reused = await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: first.challengeId, response, name: 'x' }));
		expect(reused.data.appCode).toBe('passkey_challenge_invalid');

		// Wrong origin in the client data.
		const second = await admin.client.trpc.passkey.registerOptions.mutate();
		const phished = adminKey.register(second.options, app.url, { origin: 'http://evil.example' });
		expect((await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: second.challengeId, response: phished, name: 'x' }))).data.appCode).toBe('passkey_failed');

		// Another user's challenge, and a challenge of another purpose.
		const staffOptions = await staff.client.trpc.passkey.registerOptions.mutate();
		const foreign = await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: staffOptions.challengeId, response: adminKey.register(staffOptions.options, app.url), name: 'x' }));
		expect(foreign.data.appCode).toBe('passkey_challenge_invalid');
		const login = await testClient(app.url).trpc.passkey.loginOptions.mutate();
		const otherPurpose = await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: login.challengeId, response, name: 'x' }));
		expect(otherPurpose.data.appCode).toBe('passkey_challenge_invalid');

		// Expired: five minutes.
		const late = await admin.client.trpc.passkey.registerOptions.mutate();
		const lateResponse = adminKey.register(late.options, app.url);
		clock.offsetMs += 5 * 60_000 + 1000;
		try {
			const expired = await failure(admin.client.trpc.passkey.registerFinish.mutate({ challengeId: late.challengeId, response: lateResponse, name: 'x' }));
			expect(expired.data.appCode).toBe('passkey_challenge_invalid');
			expect(expired.message).toContain('期限切れ');
		} finally {
			clock.offsetMs -= 5 * 60_000 + 1000;
		}
		expect(await app.handle.db.select().from(webauthnCredentials)).toHaveLength(0);
		adminKey.credentials.length = 0;
	});

	it('registers a passkey with a wrap of the keys, and a second one without PRF', async () => {
		const prf = prfOf(7);
		const created = await register(admin.client, adminKey, 'ノートPC', { keys: admin.keys, prf });
		expect(created.unlocks).toBe(true);
		const plain = await register(admin.client, adminKey, 'セキュリティキー');
		expect(plain.unlocks).toBe(false);

		const list = await admin.client.trpc.passkey.list.query();
		expect(list.passphrase).toBe(true);
		expect(list.passkeys.map((p) => [p.name, p.unlocks, p.prf])).toEqual([
			['ノートPC', true, true],
			['セキュリティキー', false, false]
		]);
		// The wrap opens with the PRF output in the "browser", and only for its credential.
		const stored = await admin.client.trpc.passkey.wrap.query({ credentialId: created.id });
		expect(stored.fingerprint).toBe(handlerPublicInfo(admin.keys).fingerprint);
		expect((await unwrapHandlerKeysWithPasskey(fromBase64Url(stored.wrapped), prf, created.id)).identity).toBe(admin.keys.identity);
		expect((await failure(admin.client.trpc.passkey.wrap.query({ credentialId: plain.id }))).data.appCode).toBe('passkey_no_wrap');
		const [row] = await app.handle.db.select().from(handlerKeyWraps).where(eq(handlerKeyWraps.credentialId, created.id));
		expect(row).toMatchObject({ method: 'passkey', label: 'ノートPC' });

		// The same authenticator cannot be registered twice (and the server would refuse it anyway).
		const again = await admin.client.trpc.passkey.registerOptions.mutate();
		expect(again.options.excludeCredentials?.map((c) => c.id).sort()).toEqual([created.id, plain.id].sort());
	});

	it('signs in with one touch, and refuses an unknown, replayed or cloned passkey', async () => {
		const { client, result } = await passkeyLogin(adminKey);
		expect(await result).toMatchObject({ ok: true, unlocks: true });
		const me = await client.trpc.auth.me.query();
		expect(me?.kind === 'handler' && me.user.loginId).toBe('admin');
		// The handler's session is a normal one: the wrap is reachable.
		const list = await client.trpc.passkey.list.query();
		expect(list.passkeys.find((p) => p.unlocks)!.lastUsedAt).not.toBeNull();

		const stranger = new SoftAuthenticator();
		stranger.register({ ...(await admin.client.trpc.passkey.registerOptions.mutate()).options }, app.url);
		const unknown = await passkeyLogin(stranger);
		expect((await failure(unknown.result)).data.appCode).toBe('passkey_failed');
		expect(await unknown.client.trpc.auth.me.query()).toBeNull();

		// A replayed assertion names a consumed challenge; one over another challenge fails verification.
		const c = testClient(app.url);
		const opts = await c.trpc.passkey.loginOptions.mutate();
		const response = adminKey.authenticate(opts.options, app.url);
		await c.trpc.passkey.login.mutate({ challengeId: opts.challengeId, response });
		expect((await failure(c.trpc.passkey.login.mutate({ challengeId: opts.challengeId, response }))).data.appCode).toBe('passkey_challenge_invalid');
		const fresh = await c.trpc.passkey.loginOptions.mutate();
		expect((await failure(c.trpc.passkey.login.mutate({ challengeId: fresh.challengeId, response }))).data.appCode).toBe('passkey_failed');
		// A signature counter that goes backwards means a copied key.
		const cloned = await passkeyLogin(adminKey, { counter: 1 });
		expect((await failure(cloned.result)).data.appCode).toBe('passkey_failed');
		expect(await cloned.client.trpc.auth.me.query()).toBeNull();
		const logins = (await actions()).filter((a) => a.action === 'passkey_login');
		expect(logins.filter((a) => a.result === 'ok').length).toBeGreaterThanOrEqual(2);
		expect(logins.filter((a) => a.result === 'denied').length).toBeGreaterThanOrEqual(3);
		adminKey.credentials[0]!.counter = 100;
	});

	it("lists, renames and removes only the caller's own passkeys", async () => {
		const adminList = await admin.client.trpc.passkey.list.query();
		const target = adminList.passkeys[1]!;
		expect((await staff.client.trpc.passkey.list.query()).passkeys).toEqual([]);
		expect((await failure(staff.client.trpc.passkey.rename.mutate({ id: target.id, name: '乗っ取り' }))).data.appCode).toBe('not_found');
		expect((await failure(staff.client.trpc.passkey.remove.mutate({ id: target.id }))).data.appCode).toBe('not_found');
		expect((await failure(staff.client.trpc.passkey.wrap.query({ credentialId: adminList.passkeys[0]!.id }))).data.appCode).toBe('passkey_no_wrap');

		await admin.client.trpc.passkey.rename.mutate({ id: adminList.passkeys[0]!.id, name: '  事務所のPC  ' });
		const renamed = await admin.client.trpc.passkey.list.query();
		expect(renamed.passkeys[0]!.name).toBe('事務所のPC');
		const [wrap] = await app.handle.db.select().from(handlerKeyWraps).where(eq(handlerKeyWraps.credentialId, adminList.passkeys[0]!.id));
		expect(wrap!.label).toBe('事務所のPC');

		await admin.client.trpc.passkey.remove.mutate({ id: target.id });
		expect((await admin.client.trpc.passkey.list.query()).passkeys.map((p) => p.id)).toEqual([adminList.passkeys[0]!.id]);
		// A removed passkey signs nobody in.
		const removedKey = adminKey.credentials.find((c) => c.id.toString('base64url') === target.id)!;
		const gone = await passkeyLogin(adminKey, { credentialId: removedKey.id.toString('base64url') });
		expect((await failure(gone.result)).data.appCode).toBe('passkey_failed');
		const names = (await actions()).map((a) => a.action);
		expect(names).toContain('passkey_rename');
		expect(names).toContain('passkey_remove');
		expect(names).toContain('passkey_register');
	});

	it('refuses to remove the last way to unlock the keys', async () => {
		const first = await register(staff.client, staffKey, 'first', { keys: staff.keys, prf: prfOf(1) });
		// With the passphrase wrap present, a passkey wrap is not the last method: removable.
		const extra = await register(staff.client, staffKey, 'extra', { keys: staff.keys, prf: prfOf(2) });
		await staff.client.trpc.passkey.remove.mutate({ id: extra.id });
		// Without the passphrase wrap (a later issue may let handlers drop it), the last passkey wrap stays.
		await app.handle.db.delete(handlerKeyWraps).where(and(eq(handlerKeyWraps.userId, staff.id), eq(handlerKeyWraps.method, 'passphrase')));
		const refused = await failure(staff.client.trpc.passkey.remove.mutate({ id: first.id }));
		expect(refused.data.appCode).toBe('passkey_last_unlock_method');
		expect(refused.message).toContain('最後');
		expect((await staff.client.trpc.passkey.list.query()).passphrase).toBe(false);
		// A second passkey that unlocks makes the first removable; a sign-in-only passkey would not have.
		const plain = await register(staff.client, staffKey, 'sign-in only');
		expect((await failure(staff.client.trpc.passkey.remove.mutate({ id: first.id }))).data.appCode).toBe('passkey_last_unlock_method');
		const second = await register(staff.client, staffKey, 'second', { keys: staff.keys, prf: prfOf(3) });
		await staff.client.trpc.passkey.remove.mutate({ id: first.id });
		expect((await staff.client.trpc.passkey.list.query()).passkeys.map((p) => p.id).sort()).toEqual([plain.id, second.id].sort());
		// Sign-in-only passkeys are never the last unlock method.
		await staff.client.trpc.passkey.remove.mutate({ id: plain.id });
	});

	it('requires the second factor once switched on: the password alone creates no session', async () => {
		await admin.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 10, requireSecondFactor: true });
		expect(await admin.client.trpc.org.settings.query()).toMatchObject({ requireSecondFactor: true, handlersWithoutPasskey: 0 });

		const browser = testClient(app.url);
		const step = await browser.trpc.auth.login.mutate({ loginId: 'admin', password: ADMIN_PASSWORD });
		expect(step.ok).toBe(false);
		if (step.ok) throw new Error('unreachable');
		expect(browser.cookies.size).toBe(0);
		expect(await browser.trpc.auth.me.query()).toBeNull();
		const { challengeId, options } = step.secondFactor;
		const adminCreds = (await admin.client.trpc.passkey.list.query()).passkeys.map((p) => p.id);
		expect(options.allowCredentials?.map((c) => c.id)).toEqual(adminCreds);

		// Another user's passkey does not complete the admin's sign-in, and burns the challenge.
		const foreign = staffKey.authenticate({ ...options, allowCredentials: [] }, app.url);
		expect((await failure(browser.trpc.passkey.secondFactor.mutate({ challengeId, response: foreign }))).data.appCode).toBe('passkey_failed');
		expect((await failure(browser.trpc.passkey.secondFactor.mutate({ challengeId, response: adminKey.authenticate(options, app.url) }))).data.appCode).toBe(
			'passkey_challenge_invalid'
		);
		expect(await browser.trpc.auth.me.query()).toBeNull();

		// An expired one is refused too.
		const slow = await browser.trpc.auth.login.mutate({ loginId: 'admin', password: ADMIN_PASSWORD });
		if (slow.ok) throw new Error('expected a second step');
		clock.offsetMs += 6 * 60_000;
		try {
			const late = adminKey.authenticate(slow.secondFactor.options, app.url);
			expect((await failure(browser.trpc.passkey.secondFactor.mutate({ challengeId: slow.secondFactor.challengeId, response: late }))).data.appCode).toBe(
				'passkey_challenge_invalid'
			);
		} finally {
			clock.offsetMs -= 6 * 60_000;
		}

		// The right passkey completes it.
		const again = await browser.trpc.auth.login.mutate({ loginId: 'admin', password: ADMIN_PASSWORD });
		if (again.ok) throw new Error('expected a second step');
		const done = await browser.trpc.passkey.secondFactor.mutate({ challengeId: again.secondFactor.challengeId, response: adminKey.authenticate(again.secondFactor.options, app.url) });
		expect(done).toMatchObject({ ok: true, unlocks: true });
		const me = await browser.trpc.auth.me.query();
		expect(me?.kind === 'handler' && me.user.loginId).toBe('admin');

		// A wrong password still fails as before, before any passkey is asked for.
		expect((await failure(testClient(app.url).trpc.auth.login.mutate({ loginId: 'admin', password: 'wrong password!!' }))).data.appCode).toBe('bad_credentials');

		const events = await app.handle.db
			.select({ result: auditEvents.result, detail: auditEvents.detail })
			.from(auditEvents)
			.where(sql`${auditEvents.action} = 'second_factor'`);
		expect(events.filter((e) => e.result === 'ok')).toHaveLength(1);
		expect(events.filter((e) => e.result === 'denied')).toHaveLength(1);
	});

	it('keeps handlers without a passkey out while it is required, and keeps the last passkey', async () => {
		await admin.client.trpc.users.create.mutate({ loginId: 'staff-2', displayName: '新人', password: STAFF_PASSWORD });
		const refused = await failure(testClient(app.url).trpc.auth.login.mutate({ loginId: 'staff-2', password: STAFF_PASSWORD }));
		expect(refused.data.appCode).toBe('second_factor_no_passkey');
		expect(refused.message).toContain('管理者');
		expect((await admin.client.trpc.org.settings.query()).handlersWithoutPasskey).toBe(1);

		const [only] = (await admin.client.trpc.passkey.list.query()).passkeys;
		const last = await failure(admin.client.trpc.passkey.remove.mutate({ id: only!.id }));
		expect(last.data.appCode).toBe('passkey_last_second_factor');

		// Passkey sign-in still works (it is both factors).
		const { client, result } = await passkeyLogin(adminKey);
		await result;
		expect((await client.trpc.auth.me.query())?.kind).toBe('handler');

		await admin.client.trpc.org.updateSettings.mutate({ idleLockMinutes: 10, requireSecondFactor: false });
		expect(await testClient(app.url).trpc.auth.login.mutate({ loginId: 'staff-2', password: STAFF_PASSWORD })).toEqual({ ok: true });
	});

	it('keeps no PRF output and no spent challenge, and the audit chain verifies', async () => {
		const creds = await app.handle.db.select().from(webauthnCredentials);
		for (const c of creds) expect(c.prfSalt === null || c.prfSalt === '5g5tycuqHi3_AALcwLyYfPYX0GNUg3qRCe2G1fwqgV4').toBe(true);
		const dump = JSON.stringify(await app.handle.rows(sql`select * from webauthn_credentials`)) + JSON.stringify(await app.handle.rows(sql`select * from handler_key_wraps`));
		for (const prf of [prfOf(1), prfOf(2), prfOf(3), prfOf(7)]) {
			expect(dump).not.toContain(toBase64Url(prf));
			expect(dump).not.toContain(Buffer.from(prf).toString('hex'));
		}
		const live = await app.handle.db.select().from(webauthnChallenges).where(sql`${webauthnChallenges.purpose} = 'second_factor'`);
		expect(live).toHaveLength(0);
		expect((await verifyAuditChain(app.handle.db)).ok).toBe(true);
		expect(await app.handle.db.select().from(users)).toHaveLength(3);
	});

	it('lets an employee add a passkey that signs them in and opens their device key, and nobody else', async () => {
		const invitation = await addEmployee(admin, 'PK-E1');
		const { employee, device } = await join(app.url, invitation);
		const ids = { companyId: admin.company.companyId, employeeId: invitation.employeeId };
		const phoneKey = new SoftAuthenticator();
		const prf = prfOf(42);

		expect((await failure(testClient(app.url).trpc.employeePasskey.registerOptions.mutate())).data.appCode).toBe('not_signed_in');
		expect((await failure(admin.client.trpc.employeePasskey.registerOptions.mutate())).data.appCode).toBe('not_signed_in');
		const { challengeId, options } = await employee.trpc.employeePasskey.registerOptions.mutate();
		// The phone's passkey list shows the employee code and the company, never a name.
		expect(options.user.name).toContain('PK-E1');
		expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
		// The challenge belongs to this employee: someone else's session cannot finish it.
		const stray = new SoftAuthenticator().register(options, app.url);
		const strayWrap = toBase64Url(wrapDeviceKey({ ...ids, wrapKey: passkeyDeviceWrapKey(prf, stray.id), device, pinnedFingerprint: null, minEpoch: 1 }));
		const other = await join(app.url, await addEmployee(admin, 'PK-E2'));
		expect((await failure(other.employee.trpc.employeePasskey.registerFinish.mutate({ challengeId, response: stray, wrappedDevice: strayWrap }))).data.appCode).toBe('passkey_challenge_invalid');
		const again = await employee.trpc.employeePasskey.registerOptions.mutate();
		const response = phoneKey.register(again.options, app.url);
		const wrappedDevice = toBase64Url(wrapDeviceKey({ ...ids, wrapKey: passkeyDeviceWrapKey(prf, response.id), device, pinnedFingerprint: null, minEpoch: 1 }));
		await employee.trpc.employeePasskey.registerFinish.mutate({ challengeId: again.challengeId, response, wrappedDevice });
		expect(await employee.trpc.employeePasskey.count.query()).toEqual({ passkeys: 1 });

		// One touch on a phone with nobody signed in: a session and the sealed device key, which the PRF output opens.
		// A page that names another employee (a shared phone) gets a refusal and no session.
		const shared = testClient(app.url);
		const sharedOptions = await shared.trpc.passkey.loginOptions.mutate();
		const wrongPerson = await failure(shared.trpc.employeePasskey.login.mutate({ challengeId: sharedOptions.challengeId, response: phoneKey.authenticate(sharedOptions.options, app.url), employeeId: crypto.randomUUID() }));
		expect(wrongPerson.data.appCode).toBe('passkey_other_employee');
		expect(await shared.trpc.auth.me.query()).toBeNull();

		const phone = testClient(app.url);
		const login = await phone.trpc.passkey.loginOptions.mutate();
		const signedIn = await phone.trpc.employeePasskey.login.mutate({ challengeId: login.challengeId, response: phoneKey.authenticate(login.options, app.url), employeeId: ids.employeeId });
		expect(signedIn.employee).toEqual({ ...ids, companyName: expect.any(String), employeeCode: 'PK-E1' });
		const unlocked = unwrapDeviceKey({ ...ids, wrapKey: passkeyDeviceWrapKey(prf, signedIn.credentialId), wrapped: fromBase64Url(signedIn.wrappedDevice) });
		expect(unlocked.device.publicKey).toEqual(device.publicKey);
		expect(await phone.trpc.auth.me.query()).toMatchObject({ kind: 'employee', employee: { id: ids.employeeId } });
		await submitNumber(phone, SYNTHETIC_NUMBER, unlocked.device);

		// The handlers' one-touch sign-in does not take an employee's passkey, nor the employees' a handler's.
		const asHandler = await passkeyLogin(phoneKey);
		expect((await failure(asHandler.result)).data.appCode).toBe('passkey_failed');
		const handlerKey = new SoftAuthenticator();
		await register(admin.client, handlerKey, '管理者の鍵');
		const crossed = testClient(app.url);
		const crossedOptions = await crossed.trpc.passkey.loginOptions.mutate();
		expect((await failure(crossed.trpc.employeePasskey.login.mutate({ challengeId: crossedOptions.challengeId, response: handlerKey.authenticate(crossedOptions.options, app.url) }))).data.appCode).toBe('passkey_failed');
		expect(await crossed.trpc.auth.me.query()).toBeNull();

		// A new letter replaces the device key: the passkeys that sealed the old one stop working.
		await join(app.url, await inviteEmployee(admin, ids.employeeId));
		// … and the sessions of the previous letter end (a lost phone is signed out).
		expect(await phone.trpc.auth.me.query()).toBeNull();
		expect(await employee.trpc.auth.me.query()).toBeNull();
		const stale = testClient(app.url);
		const staleOptions = await stale.trpc.passkey.loginOptions.mutate();
		expect((await failure(stale.trpc.employeePasskey.login.mutate({ challengeId: staleOptions.challengeId, response: phoneKey.authenticate(staleOptions.options, app.url) }))).data.appCode).toBe('passkey_failed');
		const audit = await app.handle.db.select({ result: auditEvents.result }).from(auditEvents).where(sql`${auditEvents.action} = 'employee_login' and ${auditEvents.detail}->>'method' = 'passkey'`);
		expect(audit.map((a) => a.result).sort()).toEqual(['denied', 'denied', 'denied', 'ok']);
	});
});
