/**
 * The foundation journey in a real Chromium, through the UI, on each backend:
 * setup → keys → company → employee → invitation → (phone) join → submit → (desk) view with a reason.
 * Then the server is stopped, every table and the server log are searched for the plaintext.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../server/db';
import { verifyAuditChain } from '../../server/audit';
import { backends, dumpAllTables, scratchDb } from '../support/databases';
import { spawnServer } from '../support/spawn';
import { parseRecoveryKit } from '../../src/lib/crypto/index';
import { kitTextFromPdf } from '../../src/lib/documents/recovery-kit';
import { expectNothingReadableStored, joinFromLetter, submitAsEmployee } from '../support/phone';
import { EMPLOYEE_PASSWORD } from '../support/journey';
import { openTab } from '../support/desk';
import { hasExifTrace } from '../support/exif';

const NUMBER = '123456789018'; // synthetic (DOMAIN.md §10.1)
const NUMBER_TYPED = '１２３４－５６７８－９０１８'; // full-width with hyphens, as a phone keyboard may give it
const EMPLOYEE_NAME = '見本　太郎';
const ADDRESS = '東京都千代田区見本町1-2-3 見本ハイツ101';
const ADDRESS_STORED = '東京都千代田区見本町１－２－３　見本ハイツ１０１';
const DEPENDENT_NUMBER = '987654321000'; // synthetic, valid check digit
const DEPENDENT = { name: '見本　花子', kana: 'みほん はなこ', birth: '令和2年6月1日', number: DEPENDENT_NUMBER };
const PASSWORD = 'sign-in password 2026';
const PASSPHRASE = 'key passphrase is different';

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

for (const backend of backends) {
	test(`an employee's number reaches the handler and nowhere else (${backend})`, async ({ browser }) => {
		const dir = mkdtempSync(join(tmpdir(), 'mnv-e2e-'));
		const logFile = join(dir, 'server.log');
		const scratch = backend === 'postgres' ? await scratchDb('postgres') : undefined;
		const env: Record<string, string> = { DATA_DIR: join(dir, 'data'), LOG_FILE: logFile, ...(scratch ? { DATABASE_URL: scratch.options.databaseUrl! } : {}) };
		const server = await spawnServer(env);
		let deviceSecret = '';
		try {
			expect(server.setupUrl).toBeTruthy();
			const desk = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] });
			const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
			const handler = await desk.newPage();
			const employee = await phone.newPage();
			for (const page of [handler, employee]) page.on('pageerror', (e) => console.log(`[${backend}] page error:`, e.message));

			// 1–2. Setup link → organisation and administrator.
			await handler.goto(server.setupUrl!);
			await handler.getByLabel('事務所・会社名').fill('見本社会保険労務士事務所');
			await handler.getByLabel('所在地').fill('東京都千代田区見本町1-2-3');
			await handler.getByLabel('連絡先').fill('03-0000-0000');
			await handler.getByLabel('ユーザーID').fill('admin-01');
			await handler.getByLabel('表示名').fill('管理者');
			await handler.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
			await handler.getByLabel('パスワード（確認）').fill(PASSWORD);
			await handler.getByRole('button', { name: '作成' }).click();

			// Handler keys under a passphrase (scrypt in the browser).
			await handler.getByLabel('鍵のパスフレーズ', { exact: true }).fill(PASSPHRASE);
			await handler.getByLabel('鍵のパスフレーズ（確認）').fill(PASSPHRASE);
			await handler.getByRole('button', { name: '鍵を作成' }).click();
			await expect(handler).toHaveURL(/\/desk\/?$/, { timeout: 30_000 });

			// 3. A client company; a wrong 法人番号 first.
			await handler.getByLabel('会社名', { exact: true }).fill('見本商事株式会社');
			await handler.getByLabel('法人番号').fill('1123456789012');
			await handler.getByRole('button', { name: '会社を登録' }).click();
			await expect(handler.getByRole('alert')).toContainText('法人番号');
			await handler.getByLabel('法人番号').fill('7123456789012');
			await handler.getByRole('button', { name: '会社を登録' }).click();
			await handler.getByRole('link', { name: '見本商事株式会社' }).click();

			// Recovery kit: made in the browser, downloaded, confirmed; invitations wait for it.
			await expect(handler.getByText('招待を発行する前に')).toBeVisible();
			const [download] = await Promise.all([handler.waitForEvent('download'), handler.getByRole('button', { name: '復旧キット（PDF）をダウンロード' }).click()]);
			const kitPdf = readFileSync((await download.path())!);
			const kit = await parseRecoveryKit((await kitTextFromPdf(kitPdf))!);
			expect(kit.epochs.map((e) => e.epoch)).toEqual([1]);
			await handler.getByLabel(/復旧キットを印刷/).check();
			await handler.getByRole('button', { name: '保管を確認' }).click();
			await expect(handler.getByText(/鍵の世代 1 までの復旧キットを保管済み/)).toBeVisible();

			// The 責任者 adds a purpose of use to the notice; the employee will read and acknowledge it.
			await openTab(handler, '収集・通知');
			await handler.getByLabel('労災保険の請求事務').check();
			await handler.getByRole('button', { name: '利用目的を保存' }).click();
			await expect(handler.getByText('利用目的を保存しました。')).toBeVisible();

			// 4. An employee with a sealed name, and an invitation.
			await openTab(handler, '従業員');
			await handler.getByLabel('従業員コード').fill('E-0001');
			await handler.getByLabel('氏名', { exact: true }).fill(EMPLOYEE_NAME);
			await handler.getByRole('button', { name: '従業員を追加' }).click();
			await expect(handler.getByRole('row', { name: /E-0001/ })).toContainText(EMPLOYEE_NAME);
			await handler.getByRole('row', { name: /E-0001/ }).getByRole('button', { name: '招待を発行' }).click();
			const joinLink = await handler.getByLabel('招待リンク').inputValue();
			const initialPassword = await handler.getByLabel('初期パスワード').inputValue();
			expect(joinLink).toMatch(/\/join#t=[A-Za-z0-9_-]+&fp=[A-Z2-7-]+&s=[A-Za-z0-9_-]{43}&e=1$/);
			deviceSecret = new URLSearchParams(joinLink.split('#')[1]).get('s')!;
			await handler.getByRole('button', { name: '閉じる' }).click();

			// 5. The employee on a phone: join, number with full-width digits, confirm, submit.
			await employee.goto(joinLink.replace('localhost', '127.0.0.1'));
			await expect(employee.getByText('見本商事株式会社')).toBeVisible();
			await joinFromLetter(employee, initialPassword);
			await submitAsEmployee(employee, { number: NUMBER_TYPED, name: EMPLOYEE_NAME, kana: 'ミホン タロウ', birth: 'H2.4.1', address: ADDRESS, postalCode: '〒１００－０００１', postalAddress: '東京都千代田区千代田', dependent: DEPENDENT, purpose: '労災保険の請求事務' });
			await expect(employee.getByTestId('queued-state')).toHaveText(/会社に届きました/, { timeout: 30_000 });
			await expectNothingReadableStored(employee, [NUMBER, '1234 5678 9018', EMPLOYEE_NAME, 'みほん　たろう', ADDRESS_STORED, DEPENDENT.name, DEPENDENT_NUMBER]);
			await employee.getByRole('button', { name: '提出の状況を見る' }).click();
			await expect(employee.getByTestId('submission-status')).toContainText('受付済み・確認待ち');
			await expect(employee.getByTestId('submission-status')).toContainText('書類の写真 2 枚');

			// The letter opened again on another phone: it cannot register twice, but its owner signs in
			// with their own password (wrong one first) and sees their submission.
			const otherPhone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
			const again = await otherPhone.newPage();
			await again.goto(joinLink.replace('localhost', '127.0.0.1'));
			await expect(again.getByRole('heading', { name: '登録済みです' })).toBeVisible();
			await again.getByLabel('パスワード', { exact: true }).fill('ちがうパスワード');
			await again.getByRole('button', { name: 'サインイン', exact: true }).click();
			await expect(again.getByRole('alert')).toContainText('パスワードが違います');
			await again.getByLabel('パスワード', { exact: true }).fill(EMPLOYEE_PASSWORD);
			await again.getByRole('button', { name: 'サインイン', exact: true }).click();
			await expect(again.getByTestId('submission-status')).toContainText('受付済み・確認待ち');
			await otherPhone.close();

			// 6. The handler views the number after giving a reason.
			await handler.reload();
			await unlock(handler);
			const row = handler.getByRole('row', { name: /E-0001/ });
			await row.getByRole('button', { name: '番号を表示' }).click();
			await handler.getByLabel('閲覧理由').fill('源泉徴収票作成事務');
			await handler.getByRole('button', { name: '表示する' }).click();
			await expect(handler.getByText('1234 5678 9018')).toBeVisible({ timeout: 30_000 });
			await expect(handler.getByText('検証済み：招待した従業員の端末から送信されました')).toBeVisible();
			// The details, the dependent and the photos: each photo is fetched (reason recorded again) and checked against the record.
			await expect(handler.getByTestId('revealed-details')).toContainText(ADDRESS_STORED);
			await expect(handler.getByTestId('revealed-details')).toContainText('〒100-0001');
			await expect(handler.getByTestId('revealed-details')).toContainText('平成2年4月1日');
			await expect(handler.getByTestId('revealed-details')).toContainText('労災保険の請求事務');
			await expect(handler.getByText('9876 5432 1000')).toBeVisible();
			// Photo 1 was picked with EXIF (GPS, camera make): what the company receives has none of it.
			await handler.getByRole('button', { name: '写真 1 を表示' }).click();
			const front = handler.getByRole('img', { name: 'マイナンバーカード（表面）' });
			await expect(front).toBeVisible();
			// The CSP (connect-src 'self') keeps page scripts from reading blob: URLs; DevTools reads the image as loaded.
			const frontBytes = await resourceBytes(handler, await front.getAttribute('src'));
			expect([...frontBytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
			expect(hasExifTrace(frontBytes)).toBe(false);
			await handler.getByRole('button', { name: '写真 2 を表示' }).click();
			const photo = handler.getByRole('img', { name: 'マイナンバーカード（裏面・番号のある面）' });
			await expect(photo).toBeVisible();
			expect(await photo.evaluate((img: HTMLImageElement) => Math.max(img.naturalWidth, img.naturalHeight))).toBeLessThanOrEqual(2000);
			// Returned with a reason: the employee reads it and may correct.
			await handler.getByRole('button', { name: '差し戻す', exact: true }).click();
			await handler.getByLabel('差し戻しの理由（従業員に表示されます）').fill('裏面の写真が暗いので撮り直してください');
			await handler.getByRole('button', { name: '理由を付けて差し戻す' }).click();
			await expect(handler.getByText('差し戻しました。')).toBeVisible();
			// Copying puts the number on the clipboard; hiding the number empties it again (else after 30 s).
			await handler.getByRole('button', { name: 'コピー', exact: true }).click();
			await expect(handler.getByText('コピーしました（30秒後にクリップボードから消去します）')).toBeVisible();
			expect(await handler.evaluate(() => navigator.clipboard.readText())).toBe(NUMBER);
			await handler.getByRole('button', { name: '隠す' }).click();
			await expect.poll(() => handler.evaluate(() => navigator.clipboard.readText())).toBe('');
			await employee.reload();
			await expect(employee.getByTestId('submission-status')).toContainText('差し戻しの理由: 裏面の写真が暗いので撮り直してください');
			// After a reload the signing key (memory only) is gone: the employee's own password opens it again.
			await expect(employee.getByRole('heading', { name: '本人確認' })).toBeVisible();
			await expect(employee.getByRole('button', { name: '内容を訂正して再提出する' })).toHaveCount(0);
			await employee.getByLabel('パスワード', { exact: true }).fill(EMPLOYEE_PASSWORD);
			await employee.getByRole('button', { name: 'サインイン', exact: true }).click();
			// The unlocked key signs a new version that supersedes the returned one (here: declining to provide).
			await employee.getByRole('button', { name: '内容を訂正して再提出する' }).click();
			await employee.getByRole('button', { name: 'マイナンバーを提供しない' }).click();
			await employee.getByLabel('理由', { exact: true }).fill('家族と相談してから改めて提出します');
			await employee.getByRole('button', { name: '提供しないことを届け出る' }).click();
			await expect(employee.getByTestId('queued-state')).toHaveText(/会社に届きました/, { timeout: 30_000 });

			// Idle lock (default 10 minutes): a page left alone forgets the unlocked keys.
			const idlePage = await desk.newPage();
			await idlePage.clock.install();
			await idlePage.goto(handler.url());
			await unlock(idlePage);
			await expect(idlePage.getByText('会社の鍵を検証しました')).toBeVisible();
			await idlePage.clock.fastForward('09:00');
			await expect(idlePage.getByText('会社の鍵を検証しました')).toBeVisible();
			await idlePage.clock.fastForward('01:30');
			await expect(idlePage.getByText('しばらく操作がなかったため')).toBeVisible();
			await expect(idlePage.getByRole('heading', { name: '鍵を開いてください' })).toBeVisible();

			await desk.close();
			await phone.close();
		} finally {
			await server.stop();
		}

		// 7 + zero knowledge: every table and the whole log, searched after the run.
		const handle = await openDb(scratch ? scratch.options : { dataDir: env.DATA_DIR });
		try {
			const dump = await dumpAllTables((q) => handle.rows(q));
			expect(dump).toContain('E-0001'); // the dump is real
			const verdict = await verifyAuditChain(handle.db);
			expect(verdict.ok).toBe(true);
			for (const action of ['setup', 'login', 'handler_key_create', 'company_create', 'recovery_kit_confirm', 'employee_create', 'employee_invite', 'employee_join', 'employee_login', 'submit', 'reveal', 'reveal_image', 'return', 'decline']) {
				if (action === 'login') continue; // setup signs the administrator in directly
				expect(dump).toContain(action);
			}
			// The letter's device secret travels only in the link's fragment: the server never sees it.
			expect(deviceSecret).toHaveLength(43);
			expect(dump).not.toContain(deviceSecret);
			expect(readFileSync(logFile, 'utf8')).not.toContain(deviceSecret);
			expect(dump).not.toContain(Buffer.from(deviceSecret, 'base64url').toString('hex'));
			const log = readFileSync(logFile, 'utf8');
			expect(log).toContain('/trpc/');
			for (const secret of [NUMBER, '1234 5678 9018', NUMBER_TYPED, EMPLOYEE_NAME, '見本　太郎'.replace('　', ''), 'みほん　たろう', ADDRESS_STORED, DEPENDENT.name, DEPENDENT_NUMBER, PASSPHRASE, PASSWORD, EMPLOYEE_PASSWORD]) {
				for (const form of [secret, hex(secret), b64(secret)]) {
					expect(dump, `database contains ${secret}`).not.toContain(form);
					expect(log, `log contains ${secret}`).not.toContain(form);
				}
			}
		} finally {
			await handle.close();
			await scratch?.drop();
			rmSync(dir, { recursive: true, force: true });
		}
	});
}

/** The bytes of a resource the page loaded (here a blob: image), read through DevTools. */
async function resourceBytes(page: Page, url: string | null): Promise<Uint8Array> {
	if (!url) throw new Error('no resource url');
	const cdp = await page.context().newCDPSession(page);
	try {
		await cdp.send('Page.enable');
		const { frameTree } = await cdp.send('Page.getFrameTree');
		const { content, base64Encoded } = await cdp.send('Page.getResourceContent', { frameId: frameTree.frame.id, url });
		return new Uint8Array(Buffer.from(content, base64Encoded ? 'base64' : 'latin1'));
	} finally {
		await cdp.detach();
	}
}

/** After a reload the keys are locked (they live only in memory): unlock them again. */
async function unlock(page: Page): Promise<void> {
	const field = page.getByLabel('鍵のパスフレーズ', { exact: true });
	await expect(field).toBeVisible();
	await field.fill(PASSPHRASE);
	await page.getByRole('button', { name: '鍵を開く' }).click();
}
