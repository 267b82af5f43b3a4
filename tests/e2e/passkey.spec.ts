/**
 * Passkeys in a real Chromium with its virtual authenticator (CDP WebAuthn domain), issue 3 items 1–2:
 * register a passkey whose PRF output seals the handler's keys, sign out, sign in with one touch and
 * land with the keys unlocked; a second authenticator without PRF explains itself and leaves the
 * passphrase path; rename and remove; the organisation's second factor (the password alone creates
 * no session, the passkey completes it); and an employee's passkey on a phone. Chromium refuses IP
 * addresses as RP ID: pages use localhost.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { verifyAuditChain } from '../../server/audit';
import { openDb } from '../../server/db';
import { dumpAllTables } from '../support/databases';
import { confirmTyped } from '../support/desk';
import { addEmployee, setUpHandler } from '../support/journey';
import { joinFromLetter } from '../support/phone';
import { spawnServer } from '../support/spawn';

const PASSWORD = 'correct horse battery'; // tests/support/journey.ts
const PASSPHRASE = 'a passphrase for tests';
const COMPANY = '株式会社テスト';
const SCREENSHOT = process.env.PASSKEY_SCREENSHOT ?? 'test-results/passkey-keys-page.png';

/** A virtual platform authenticator (Touch ID / Windows Hello–like) for one page. */
async function addAuthenticator(context: BrowserContext, page: Page, hasPrf: boolean) {
	const cdp = await context.newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, hasPrf }
	});
	return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

async function signInWithPassword(page: Page, baseUrl: string) {
	await page.goto(`${baseUrl}/login`);
	await page.getByLabel('ユーザーID').fill('admin');
	await page.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
	await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

async function signOut(page: Page) {
	await page.getByRole('button', { name: 'ログアウト' }).click();
	await expect(page).toHaveURL(/\/$/);
}

/** `auth.me` as the page's cookies see it. */
async function whoAmI(page: Page): Promise<unknown> {
	return page.evaluate(async () => {
		const body = (await (await fetch('/trpc/auth.me')).json()) as { result?: { data?: unknown } };
		return body.result ? body.result.data : 'error';
	});
}

/** `org.settings` as the signed-in handler's cookies see it. */
async function orgSettings(page: Page): Promise<unknown> {
	return page.evaluate(async () => {
		const body = (await (await fetch('/trpc/org.settings')).json()) as { result?: { data?: unknown } };
		return body.result ? body.result.data : 'error';
	});
}

/** From anywhere in the desk to the keys page, in-app (a reload would forget unlocked keys). */
async function toKeysPage(page: Page) {
	await page.getByRole('link', { name: 'マイナンバー保管庫' }).first().click();
	await page.getByRole('link', { name: 'パスキーと鍵の管理' }).click();
	await expect(page.getByRole('heading', { name: 'パスキー', exact: true })).toBeVisible();
}

/** The company page opens its keys without asking for the passphrase. */
async function expectCompanyOpensWithoutPassphrase(page: Page) {
	await page.getByRole('link', { name: 'マイナンバー保管庫' }).first().click();
	await page.getByRole('link', { name: COMPANY }).click();
	await expect(page.getByText('会社の鍵を検証しました')).toBeVisible();
	await expect(page.getByLabel('鍵のパスフレーズ', { exact: true })).toHaveCount(0);
}

test('passkeys: one touch signs in and unlocks; no PRF explains itself; rename, remove; second factor', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-e2e-passkey-'));
	const logFile = join(dir, 'server.log');
	const server = await spawnServer({ DATA_DIR: join(dir, 'data'), LOG_FILE: logFile });
	try {
		const baseUrl = server.url.replace('127.0.0.1', 'localhost');
		// Office, administrator with passphrase-wrapped keys, and a company, through the API.
		await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);

		const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		const page = await desk.newPage();
		page.on('pageerror', (e) => console.log('page error:', e.message));
		const platform = await addAuthenticator(desk, page, true);

		// 1. Password, passphrase, then a passkey that also seals the keys (PRF).
		await signInWithPassword(page, baseUrl);
		await expect(page).toHaveURL(/\/desk\/?$/);
		await page.getByRole('link', { name: 'パスキーと鍵の管理' }).click();
		await expect(page.getByText('パスキーはまだ登録されていません。')).toBeVisible();
		await expect(page.getByRole('button', { name: 'パスキーを登録' })).toBeDisabled();
		await page.getByLabel('鍵のパスフレーズ', { exact: true }).fill(PASSPHRASE);
		await page.getByRole('button', { name: '鍵を開く', exact: true }).click();
		await expect(page.getByText('鍵のロックは解除されています')).toBeVisible({ timeout: 30_000 });
		await page.getByLabel('名前', { exact: true }).fill('ノートPC');
		await page.getByRole('button', { name: 'パスキーを登録' }).click();
		await expect(page.getByText('パスキー「ノートPC」を登録しました。次回からワンタッチでログインと鍵の解除ができます。')).toBeVisible();
		const item = page.getByRole('listitem').filter({ hasText: 'ノートPC' });
		await expect(item.getByText('ログインと鍵の解除')).toBeVisible();
		expect(await platform.credentials()).toHaveLength(1);
		mkdirSync(dirname(SCREENSHOT), { recursive: true });
		await page.screenshot({ path: SCREENSHOT, fullPage: false });

		// 2. Sign out; one touch signs in and unlocks: the company opens without the passphrase.
		await signOut(page);
		expect(await whoAmI(page)).toBeNull();
		await page.goto(`${baseUrl}/login`);
		await page.getByRole('button', { name: 'パスキーを使う' }).click();
		await expect(page).toHaveURL(/\/desk\/?$/);
		await expect(page.getByText('ロック解除中')).toBeVisible();
		await expectCompanyOpensWithoutPassphrase(page);

		// 3. Another browser whose authenticator has no PRF: sign-in only, with an explanation.
		const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		const page2 = await other.newPage();
		page2.on('pageerror', (e) => console.log('page error (no PRF):', e.message));
		await addAuthenticator(other, page2, false);
		await signInWithPassword(page2, baseUrl);
		await page2.getByRole('link', { name: 'パスキーと鍵の管理' }).click();
		await page2.getByLabel('鍵のパスフレーズ', { exact: true }).fill(PASSPHRASE);
		await page2.getByRole('button', { name: '鍵を開く', exact: true }).click();
		await expect(page2.getByText('鍵のロックは解除されています')).toBeVisible({ timeout: 30_000 });
		await page2.getByLabel('名前', { exact: true }).fill('セキュリティキー');
		await page2.getByRole('button', { name: 'パスキーを登録' }).click();
		await expect(page2.getByText(/パスキー「セキュリティキー」を登録しましたが、この認証器は PRF 拡張に対応していない/)).toBeVisible();
		await expect(page2.getByRole('listitem').filter({ hasText: 'セキュリティキー' }).getByText('ログイン専用（PRF 非対応）')).toBeVisible();
		await signOut(page2);
		await page2.goto(`${baseUrl}/login`);
		await page2.getByRole('button', { name: 'パスキーを使う' }).click();
		await expect(page2).toHaveURL(/\/desk\/keys\?passkey=/);
		await expect(page2.getByText('このパスキーでは鍵を開けません')).toBeVisible();
		await expect(page2.getByText(/PRF 拡張に対応していないため/).first()).toBeVisible();
		// Signed in, keys still locked: the passphrase path.
		expect(await whoAmI(page2)).toMatchObject({ kind: 'handler' });
		await page2.getByLabel('鍵のパスフレーズ', { exact: true }).fill(PASSPHRASE);
		await page2.getByRole('button', { name: '鍵を開く', exact: true }).click();
		await expect(page2).toHaveURL(/\/desk\/?$/);
		await expect(page2.getByText('ロック解除中')).toBeVisible({ timeout: 30_000 });

		// 4. Rename.
		await toKeysPage(page);
		await page.getByRole('button', { name: 'ノートPC の名前を変更' }).click();
		const renameDialog = page.getByRole('dialog');
		await renameDialog.getByLabel('名前').fill('事務所のノートPC');
		await renameDialog.getByRole('button', { name: '保存' }).click();
		await expect(page.getByText('名前を変更しました。')).toBeVisible();
		await expect(page.getByRole('listitem').filter({ hasText: '事務所のノートPC' })).toBeVisible();

		// 5. Second factor on: the password alone creates no session; the passkey completes it (and unlocks).
		await page.getByRole('link', { name: 'マイナンバー保管庫' }).first().click();
		const secondFactor = page.getByLabel('ログイン時にパスキーによる確認を必須にする（二段階認証）');
		// The desk loads several panels at once; on a slow machine the settings form has been seen to
		// come back unticked right after the click (fresh-clone CI, twice). Let the page settle, then
		// tick until it stays ticked; what the server stores is checked below either way.
		await page.waitForLoadState('networkidle');
		await expect(async () => {
			await secondFactor.check();
			await expect(secondFactor).toBeChecked({ timeout: 2_000 });
		}).toPass({ timeout: 20_000 });
		await page.getByRole('button', { name: '設定を保存' }).click();
		await expect(page.getByText('設定を保存しました。')).toBeVisible();
		// What counts is what the server stored, not what the form shows.
		await expect.poll(() => orgSettings(page)).toMatchObject({ requireSecondFactor: true });
		await signOut(page);
		await signInWithPassword(page, baseUrl);
		await expect(page.getByRole('heading', { name: 'パスキーで本人確認' })).toBeVisible();
		expect(await whoAmI(page)).toBeNull();
		await page.getByRole('button', { name: 'パスキーで確認' }).click();
		await expect(page).toHaveURL(/\/desk\/?$/);
		await expect(page.getByText('ロック解除中')).toBeVisible();
		await expectCompanyOpensWithoutPassphrase(page);
		// The same with a key without PRF: signed in, keys by passphrase.
		await signOut(page2);
		await signInWithPassword(page2, baseUrl);
		expect(await whoAmI(page2)).toBeNull();
		await page2.getByRole('button', { name: 'パスキーで確認' }).click();
		await expect(page2.getByText('このパスキーでは鍵を開けません')).toBeVisible();
		expect(await whoAmI(page2)).toMatchObject({ kind: 'handler' });

		// 6. Remove: the sign-in-only passkey goes; the last one stays while the second factor is required.
		await toKeysPage(page);
		await page.getByRole('button', { name: 'セキュリティキー を削除' }).click();
		await confirmTyped(page, '削除');
		await expect(page.getByText('パスキーを削除しました。')).toBeVisible();
		await expect(page.getByRole('listitem').filter({ hasText: 'セキュリティキー' })).toHaveCount(0);
		await page.getByRole('button', { name: '事務所のノートPC を削除' }).click();
		await confirmTyped(page, '削除');
		await expect(page.getByRole('dialog').getByRole('alert')).toContainText('最後のパスキーは削除できません');
		await page.getByRole('dialog').getByRole('button', { name: 'キャンセル' }).click();
		await expect(page.getByRole('listitem').filter({ hasText: '事務所のノートPC' })).toBeVisible();

		await desk.close();
		await other.close();
	} finally {
		await server.stop();
	}

	const handle = await openDb({ dataDir: join(dir, 'data') });
	try {
		expect((await verifyAuditChain(handle.db)).ok).toBe(true);
		const dump = await dumpAllTables((q) => handle.rows(q));
		for (const action of ['passkey_register', 'passkey_login', 'passkey_rename', 'passkey_remove', 'second_factor']) expect(dump).toContain(action);
		const log = readFileSync(logFile, 'utf8');
		for (const secret of [PASSPHRASE, PASSWORD]) {
			expect(dump).not.toContain(secret);
			expect(log).not.toContain(secret);
		}
	} finally {
		await handle.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

test("an employee's passkey: added after joining, it signs in with one touch and unlocks the phone's signing key", async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-e2e-employee-passkey-'));
	const server = await spawnServer({ DATA_DIR: join(dir, 'data') });
	try {
		const owner = await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);
		const { token, secret, initialPassword } = await addEmployee(owner, 'PK-PHONE');
		const baseUrl = server.url.replace('127.0.0.1', 'localhost');
		const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
		const page = await context.newPage();
		const authenticator = await addAuthenticator(context, page, true);
		await page.goto(`${baseUrl}/join#t=${token}&s=${Buffer.from(secret).toString('base64url')}&e=1`);
		await joinFromLetter(page, initialPassword);
		await expect(page.getByRole('button', { name: '提出を始める' })).toBeVisible();

		await page.getByTestId('add-passkey').getByRole('button', { name: 'パスキーを登録' }).click();
		await expect(page.getByText('パスキーを登録しました')).toBeVisible();
		expect(await authenticator.credentials()).toHaveLength(1);

		// A reload forgets the signing key; one touch brings it back (no password typed).
		await page.reload();
		await expect(page.getByRole('heading', { name: '本人確認' })).toBeVisible();
		await expect(page.getByRole('button', { name: '提出を始める' })).toHaveCount(0);
		await page.getByRole('button', { name: 'パスキーでサインイン' }).click();
		await expect(page.getByRole('button', { name: '提出を始める' })).toBeVisible();
		await expect(page.getByTestId('add-passkey')).toHaveCount(0);

		// Signed out, the remembered phone offers the same touch.
		await page.getByRole('button', { name: 'ログアウト' }).click();
		await expect(page.getByRole('heading', { name: 'おかえりなさい' })).toBeVisible();
		expect(await whoAmI(page)).toBeNull();
		await page.getByRole('button', { name: 'パスキーでサインイン' }).click();
		await expect(page.getByRole('button', { name: '提出を始める' })).toBeVisible();
		await context.close();
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
