/**
 * Partner offices in real browsers (issue 3 item 3, seed patterns 1–3): an administrator issues a
 * partner link on the desk; another office opens it, registers on this instance and is signed in;
 * the 責任者 sees that office's handler among the candidates, marked as a partner, compares the
 * fingerprint and grants; the partner's handler finds the company, named with its owner, and reads.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHandlerKeys, handlerPublicInfo, toBase64Url, wrapHandlerKeys } from '../../src/lib/crypto/index';
import { testClient } from '../support/client';
import { openCompany, openTab, signIn } from '../support/desk';
import { addEmployee, joinAndSubmit, setUpHandler } from '../support/journey';
import { spawnServer } from '../support/spawn';

const OWNER_PASSPHRASE = 'a passphrase for tests'; // tests/support/journey.ts
const PARTNER_PASSWORD = 'partner office password';
const PARTNER_PASSPHRASE = 'partner handler passphrase';

test('an office registers through a partner link and is granted a company of the inviting office', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-e2e-partners-'));
	const server = await spawnServer({ DATA_DIR: join(dir, 'data') });
	try {
		const baseUrl = server.url.replace('127.0.0.1', 'localhost');
		const owner = await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);
		const companyId = owner.company.companyId;
		await joinAndSubmit(server.url, await addEmployee(owner, 'E-1', '見本　一郎'));

		// The administrator issues a one-time link on the desk.
		const ownerPage = await signIn(browser, baseUrl, 'admin', 'correct horse battery');
		await expect(ownerPage.getByText('提携先はまだありません。')).toBeVisible();
		await ownerPage.getByRole('button', { name: '提携用リンクを発行' }).click();
		const link = (await ownerPage.getByTestId('partner-link').textContent())!.trim();
		expect(link).toMatch(/\/partner#[A-Za-z0-9_-]{43}$/);

		// The other office opens it on a phone-sized screen, registers and is signed in; the token leaves the address bar.
		const partnerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
		const partnerPage = await partnerContext.newPage();
		await partnerPage.goto(link);
		await expect(partnerPage.getByText('テスト社労士事務所から、この環境での提携の申し込みが届いています。')).toBeVisible();
		expect(partnerPage.url()).not.toContain('#');
		if (process.env.SCREENSHOT_DIR) await partnerPage.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'partners-link-phone.png'), fullPage: true });
		await partnerPage.getByLabel('事務所・会社名').fill('見本社労士法人');
		await partnerPage.getByLabel('所在地').fill('大阪府大阪市北区1-1');
		await partnerPage.getByLabel('連絡先').fill('06-0000-0000');
		await partnerPage.getByLabel('ユーザーID').fill('sr-admin');
		await partnerPage.getByLabel('表示名').fill('見本 社労士');
		await partnerPage.getByLabel('パスワード', { exact: true }).fill(PARTNER_PASSWORD);
		await partnerPage.getByLabel('パスワード（確認）').fill(PARTNER_PASSWORD);
		await partnerPage.getByRole('button', { name: '登録して提携する' }).click();
		await expect(partnerPage).toHaveURL(/\/desk\/keys/);

		// The same link cannot be used twice.
		const again = await partnerContext.newPage();
		await again.goto(link);
		await expect(again.getByText('このリンクは使用済みです')).toBeVisible();

		// The partner's handler makes keys (through the API here; the keys page is covered elsewhere).
		const partnerApi = testClient(server.url);
		await partnerApi.trpc.auth.login.mutate({ loginId: 'sr-admin', password: PARTNER_PASSWORD });
		const partnerKeys = await generateHandlerKeys();
		await partnerApi.trpc.keys.create.mutate({ ...handlerPublicInfo(partnerKeys), wrapped: toBase64Url(await wrapHandlerKeys(partnerKeys, PARTNER_PASSPHRASE, { logN: 10 })) });

		// The inviting office's desk lists the partnership (the partner's desk is shown below).
		await ownerPage.reload();
		await expect(ownerPage.getByRole('row', { name: /見本社労士法人/ })).toBeVisible();

		// The 責任者 grants the company to the partner's handler after the fingerprint comparison.
		await openCompany(ownerPage, baseUrl, companyId, OWNER_PASSPHRASE);
		await expect(ownerPage.getByText('会社の鍵を検証しました')).toBeVisible();
		await openTab(ownerPage, '設定・鍵');
		await ownerPage.getByLabel('担当者', { exact: true }).selectOption({ label: '見本 社労士（sr-admin・見本社労士法人）' });
		await expect(ownerPage.getByText('提携先「見本社労士法人」の担当者です')).toBeVisible();
		await expect(ownerPage.getByTestId('candidate-fingerprint')).toHaveText(handlerPublicInfo(partnerKeys).fingerprint);
		await ownerPage.getByLabel('本人の画面のフィンガープリントと一致することを確認しました').check();
		await ownerPage.getByRole('button', { name: '鍵を渡して追加' }).click();
		await expect(ownerPage.getByText('sr-admin さんに鍵を渡しました')).toBeVisible({ timeout: 30_000 });
		await expect(ownerPage.getByRole('row', { name: /sr-admin/ })).toContainText('見本社労士法人');

		// The partner's handler sees the company as the inviting office's, pins its key and reads.
		const partnerDesk = await signIn(browser, baseUrl, 'sr-admin', PARTNER_PASSWORD);
		await expect(partnerDesk.getByRole('row', { name: /株式会社テスト/ })).toContainText('テスト社労士事務所の会社');
		await openCompany(partnerDesk, baseUrl, companyId, PARTNER_PASSPHRASE);
		await partnerDesk.getByRole('button', { name: '一致を確認しました' }).click();
		await expect(partnerDesk.getByText('会社の鍵を検証しました')).toBeVisible({ timeout: 30_000 });
		await expect(partnerDesk.getByRole('row', { name: /E-1/ })).toContainText('見本　一郎');
		if (process.env.SCREENSHOT_DIR) {
			await ownerPage.goto(`${baseUrl}/desk`);
			await ownerPage.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'partners-owner-desk.png'), fullPage: true });
			await partnerDesk.goto(`${baseUrl}/desk`);
			await partnerDesk.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'partners-partner-desk.png'), fullPage: true });
		}
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
