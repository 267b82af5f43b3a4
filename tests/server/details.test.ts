/**
 * Issue 5 items 1–2: the office's and the company's details, and the handler's own sign-in password
 * (forced at the first sign-in after an administrator chose it, voluntary afterwards).
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents, users } from '../../server/db/schema';
import { prepareGrant } from '../../src/lib/crypto/index';
import { failure, testClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addHandler, candidateOf, registerOffice, setUpHandler, type HandlerSide, type OtherHandler } from '../support/journey';

const INITIAL = 'initial password 123';
const OWN = 'a password of my own';

describe.each(backends)('office and company details, and sign-in passwords, on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let owner: HandlerSide;
	let staff: OtherHandler;

	async function events(action: string) {
		return app.handle.db.select().from(auditEvents).where(sql`${auditEvents.action} = ${action}`);
	}

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		owner = await setUpHandler(app.url, app.services.setup.token!);
		// A 担当者 of the owner's company (addHandler replaces the initial password at first sign-in).
		staff = await addHandler(app.url, owner.client, 'tanto-details');
		const { companyId, root, epochs } = owner.company;
		await owner.client.trpc.company.grant.mutate(await prepareGrant({ companyId, root, epochs, granter: owner.keys, candidate: candidateOf(staff), role: 'staff' }));
	});
	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	it('does not ask administrators who chose their own password to change it', async () => {
		const me = await owner.client.trpc.auth.me.query();
		expect(me?.kind === 'handler' && me.user.mustChangePassword).toBe(false);
		const partner = await registerOffice(app.url, (await owner.client.trpc.partner.invite.mutate()).token, '提携先事務所', 'partner-admin');
		const partnerMe = await partner.client.trpc.auth.me.query();
		expect(partnerMe?.kind === 'handler' && partnerMe.user.mustChangePassword).toBe(false);
		expect((await partner.client.trpc.org.settings.query()).name).toBe('提携先事務所');
	});

	it('lets an administrator edit the office details, validated and audited', async () => {
		expect(await owner.client.trpc.org.settings.query()).toMatchObject({ name: 'テスト社労士事務所', address: '東京都千代田区千代田1-1', contact: '03-0000-0000', canEdit: true });
		await owner.client.trpc.org.updateDetails.mutate({ name: '  新しい社労士事務所 ', address: '東京都港区芝公園4-2-8', contact: 'office@example.jp / 03-1111-2222' });
		expect(await owner.client.trpc.org.settings.query()).toMatchObject({ name: '新しい社労士事務所', address: '東京都港区芝公園4-2-8', contact: 'office@example.jp / 03-1111-2222' });
		const me = await owner.client.trpc.auth.me.query();
		expect(me?.kind === 'handler' && me.user.orgName).toBe('新しい社労士事務所');
		const [event] = await events('org_details_update');
		expect(event).toMatchObject({ result: 'ok', targetType: 'organisation', detail: { changed: 'name,address,contact' } });

		// Every field is required, single-line and bounded; the 400 names the field.
		const blank = await failure(owner.client.trpc.org.updateDetails.mutate({ name: '   ', address: '東京都', contact: '03' }));
		expect(blank.data).toMatchObject({ httpStatus: 400, appCode: 'invalid_input' });
		expect(blank.message).toBe('入力内容に誤りがあります。 (name)');
		expect(blank.data.fieldErrors).toEqual({ name: ['短すぎます（最小 1）'] });
		const long = await failure(owner.client.trpc.org.updateDetails.mutate({ name: '事務所', address: 'あ'.repeat(301), contact: '03\n04' }));
		expect(long.data.fieldErrors).toEqual({ address: ['長すぎます（最大 300）'], contact: ['値が正しくありません'] });
		const english = await failure(testClient(app.url, { lang: 'en' }).trpc.org.updateDetails.mutate({ name: 'x', address: 'y', contact: 'z' }));
		expect(english.data.httpStatus).toBe(401);

		// Handlers who are not administrators read the settings but cannot change the details.
		expect((await staff.client.trpc.org.settings.query()).canEdit).toBe(false);
		const refused = await failure(staff.client.trpc.org.updateDetails.mutate({ name: '乗っ取り', address: '東京都', contact: '03' }));
		expect(refused.data).toMatchObject({ httpStatus: 403, appCode: 'forbidden' });
		expect((await owner.client.trpc.org.settings.query()).name).toBe('新しい社労士事務所');
	});

	it('lets the 責任者 set the company address and departments, and refuses the 担当者', async () => {
		const companyId = owner.company.companyId;
		expect(await owner.client.trpc.company.get.query({ companyId })).toMatchObject({ name: '株式会社テスト', corporateNumber: '7123456789012', address: null, departments: [] });
		const saved = await owner.client.trpc.company.updateDetails.mutate({ companyId, address: ' 大阪府大阪市北区梅田1-1 ', departments: [' 総務部', '営業部 ', '製造部'] });
		expect(saved).toEqual({ address: '大阪府大阪市北区梅田1-1', departments: ['総務部', '営業部', '製造部'] });
		expect(await staff.client.trpc.company.get.query({ companyId })).toMatchObject({ address: '大阪府大阪市北区梅田1-1', departments: ['総務部', '営業部', '製造部'] });
		const [event] = await events('company_details_update');
		expect(event).toMatchObject({ companyId, result: 'ok', detail: { address: true, departments: 3 } });

		// The 担当者 of the same company reads them but may not change them.
		const refused = await failure(staff.client.trpc.company.updateDetails.mutate({ companyId, address: null, departments: [] }));
		expect(refused.data).toMatchObject({ httpStatus: 403, appCode: 'forbidden' });

		// Duplicates (also in another width), too many, too long, blank names: each a clear 400.
		const duplicate = await failure(owner.client.trpc.company.updateDetails.mutate({ companyId, address: null, departments: ['IT部', '総務部', 'ＩＴ部'] }));
		expect(duplicate.data).toMatchObject({ httpStatus: 400, appCode: 'department_duplicate' });
		expect(duplicate.message).toBe('部署「ＩＴ部」が二回以上入力されています。一つにまとめてください。');
		const tooMany = await failure(owner.client.trpc.company.updateDetails.mutate({ companyId, address: null, departments: Array.from({ length: 101 }, (_, i) => `部署${i}`) }));
		expect(tooMany.data).toMatchObject({ httpStatus: 400, appCode: 'invalid_input', fieldErrors: { departments: ['長すぎます（最大 100）'] } });
		const tooLong = await failure(owner.client.trpc.company.updateDetails.mutate({ companyId, address: null, departments: ['総務部', 'あ'.repeat(51)] }));
		expect(tooLong.data.fieldErrors).toEqual({ 'departments.1': ['長すぎます（最大 50）'] });
		const blank = await failure(owner.client.trpc.company.updateDetails.mutate({ companyId, address: '', departments: [' '] }));
		expect(blank.data.fieldErrors).toEqual({ address: ['短すぎます（最小 1）'], 'departments.0': ['短すぎます（最小 1）'] });
		const english = await failure(testClient(app.url, { lang: 'en' }).trpc.company.updateDetails.mutate({ companyId, address: null, departments: [] }));
		expect(english.data.httpStatus).toBe(401);
		expect(await owner.client.trpc.company.get.query({ companyId })).toMatchObject({ address: '大阪府大阪市北区梅田1-1', departments: ['総務部', '営業部', '製造部'] });

		// Exactly 100 departments of 50 characters are fine; null clears the address.
		const hundred = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}${'部'.repeat(47)}`);
		await owner.client.trpc.company.updateDetails.mutate({ companyId, address: null, departments: hundred });
		expect(await owner.client.trpc.company.get.query({ companyId })).toMatchObject({ address: null, departments: hundred });
	});

	it('makes a handler an administrator added replace the initial password before anything else', async () => {
		await owner.client.trpc.users.create.mutate({ loginId: 'new-tanto', displayName: '新人', password: INITIAL });
		const [row] = await app.handle.db.select({ flag: users.mustChangePassword }).from(users).where(eq(users.loginId, 'new-tanto'));
		expect(row!.flag).toBe(true);
		const first = testClient(app.url);
		const other = testClient(app.url);
		for (const c of [first, other]) expect(await c.trpc.auth.login.mutate({ loginId: 'new-tanto', password: INITIAL })).toEqual({ ok: true });

		// Signed in, and told so, but refused everything else with one clear reason.
		const me = await first.trpc.auth.me.query();
		expect(me?.kind === 'handler' && me.user.mustChangePassword).toBe(true);
		for (const call of [() => first.trpc.company.list.query(), () => first.trpc.org.settings.query(), () => first.trpc.users.list.query(), () => first.trpc.keys.wrapped.query()]) {
			const refused = await failure(call());
			expect(refused.data).toMatchObject({ httpStatus: 403, appCode: 'password_change_required' });
			expect(refused.message).toBe('管理者が設定した初期パスワードのままです。先にご自身のパスワードに変更してください。');
		}

		// A wrong current password, the same password again, or a short one are refused.
		const wrong = await failure(first.trpc.auth.changePassword.mutate({ currentPassword: 'not my password', newPassword: OWN }));
		expect(wrong.data).toMatchObject({ httpStatus: 400, appCode: 'current_password_wrong' });
		expect(wrong.message).toBe('現在のパスワードが違います。');
		const same = await failure(first.trpc.auth.changePassword.mutate({ currentPassword: INITIAL, newPassword: INITIAL }));
		expect(same.data).toMatchObject({ httpStatus: 400, appCode: 'password_unchanged' });
		const short = await failure(first.trpc.auth.changePassword.mutate({ currentPassword: INITIAL, newPassword: 'short' }));
		expect(short.data).toMatchObject({ httpStatus: 400, appCode: 'invalid_input', fieldErrors: { newPassword: ['短すぎます（最小 12）'] } });
		expect((await failure(first.trpc.company.list.query())).data.appCode).toBe('password_change_required');

		// The change keeps this session, ends the other one and lifts the block.
		expect(await first.trpc.auth.changePassword.mutate({ currentPassword: INITIAL, newPassword: OWN })).toEqual({ ok: true });
		const after = await first.trpc.auth.me.query();
		expect(after?.kind === 'handler' && after.user.mustChangePassword).toBe(false);
		expect(await first.trpc.company.list.query()).toEqual([]);
		expect(await other.trpc.auth.me.query()).toBeNull();
		expect((await failure(other.trpc.company.list.query())).data.httpStatus).toBe(401);
		expect((await failure(testClient(app.url).trpc.auth.login.mutate({ loginId: 'new-tanto', password: INITIAL }))).data.appCode).toBe('bad_credentials');
		expect(await testClient(app.url).trpc.auth.login.mutate({ loginId: 'new-tanto', password: OWN })).toEqual({ ok: true });

		const changes = await app.handle.db
			.select({ result: auditEvents.result, detail: auditEvents.detail })
			.from(auditEvents)
			.where(and(eq(auditEvents.action, 'password_change'), eq(auditEvents.actorLabel, 'new-tanto')));
		expect(changes).toEqual([
			{ result: 'denied', detail: { locked: false } },
			{ result: 'ok', detail: { forced: true, otherSessionsEnded: 1 } }
		]);
	});

	it('lets any handler change their password later, with messages in English too', async () => {
		const english = testClient(app.url, { lang: 'en' });
		await english.trpc.auth.login.mutate({ loginId: 'admin', password: 'correct horse battery' });
		const wrong = await failure(english.trpc.auth.changePassword.mutate({ currentPassword: 'not my password', newPassword: OWN }));
		expect(wrong.message).toBe('The current password is wrong.');
		await english.trpc.auth.changePassword.mutate({ currentPassword: 'correct horse battery', newPassword: OWN });
		// The owner's older session (from set-up) ended; this one goes on.
		expect(await owner.client.trpc.auth.me.query()).toBeNull();
		expect((await english.trpc.org.settings.query()).canEdit).toBe(true);
		const mine = (await events('password_change')).filter((e) => e.actorLabel === 'admin');
		expect(mine.map((e) => [e.result, e.detail])).toEqual([
			['denied', { locked: false }],
			['ok', { forced: false, otherSessionsEnded: 1 }]
		]);
		expect(await verifyAuditChain(app.handle.db)).toMatchObject({ ok: true });
	});
});
