/**
 * Several handlers in real browsers (issue 3, Proof): a 責任者 grants a company's keys to a second
 * handler after comparing fingerprints; the second handler pins the company key and reads; the
 * 責任者 removes them, which starts a new epoch; the remaining handler reads the new submission and
 * the removed one can no longer open the company. Data arrives through the API, as phones send it.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHandlerKeys, handlerPublicInfo, toBase64Url, wrapHandlerKeys } from '../../src/lib/crypto/index';
import { testClient } from '../support/client';
import { confirmTyped, openCompany, openTab, signIn } from '../support/desk';
import { addEmployee, joinAndSubmit, setUpHandler, submitNumber } from '../support/journey';
import { spawnServer } from '../support/spawn';

const OWNER_PASSPHRASE = 'a passphrase for tests'; // tests/support/journey.ts
const SECOND_PASSPHRASE = 'second handler passphrase';
const SECOND_PASSWORD = 'second handler password';
const NEW_NUMBER = '987654321018';

test('a 責任者 grants a second handler, then removes them with a new key epoch', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-e2e-handlers-'));
	const server = await spawnServer({ DATA_DIR: join(dir, 'data') });
	try {
		const baseUrl = server.url.replace('127.0.0.1', 'localhost');
		// Office, company and a second handler with keys, through the API.
		const owner = await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);
		const companyId = owner.company.companyId;
		await owner.client.trpc.users.create.mutate({ loginId: 'tanto-2', displayName: '見本 担当', password: 'initial password 123' });
		// The new handler's first sign-in, in the browser: the initial password must be replaced first.
		const secondPage = await signIn(browser, baseUrl, 'tanto-2', 'initial password 123', { newPassword: SECOND_PASSWORD });
		const second = testClient(server.url);
		await second.trpc.auth.login.mutate({ loginId: 'tanto-2', password: SECOND_PASSWORD });
		const secondKeys = await generateHandlerKeys();
		await second.trpc.keys.create.mutate({ ...handlerPublicInfo(secondKeys), wrapped: toBase64Url(await wrapHandlerKeys(secondKeys, SECOND_PASSPHRASE, { logN: 10 })) });
		const { employee, device } = await joinAndSubmit(server.url, await addEmployee(owner, 'E-1', '見本　一郎'));

		// The 責任者 compares the new handler's fingerprint and grants the keys as 担当者.
		const ownerPage = await signIn(browser, baseUrl, 'admin', 'correct horse battery');
		await openCompany(ownerPage, baseUrl, companyId, OWNER_PASSPHRASE);
		await expect(ownerPage.getByText('会社の鍵を検証しました')).toBeVisible();
		await openTab(ownerPage, '設定・鍵');
		await ownerPage.getByLabel('担当者', { exact: true }).selectOption({ label: '見本 担当（tanto-2）' });
		await expect(ownerPage.getByTestId('candidate-fingerprint')).toHaveText(handlerPublicInfo(secondKeys).fingerprint);
		await ownerPage.getByLabel('本人の画面のフィンガープリントと一致することを確認しました').check();
		await ownerPage.getByRole('button', { name: '鍵を渡して追加' }).click();
		await expect(ownerPage.getByText('tanto-2 さんに鍵を渡しました')).toBeVisible({ timeout: 30_000 });
		await expect(ownerPage.getByRole('row', { name: /tanto-2/ })).toContainText('事務取扱担当者');

		// The new handler compares the company key fingerprint once, then reads.
		await openCompany(secondPage, baseUrl, companyId, SECOND_PASSPHRASE);
		const ownerFingerprint = (await ownerPage.locator('.company-head .fingerprint').textContent())!.trim();
		await expect(secondPage.getByTestId('company-fingerprint')).toHaveText(ownerFingerprint);
		await secondPage.getByRole('button', { name: '一致を確認しました' }).click();
		await expect(secondPage.getByText('会社の鍵を検証しました')).toBeVisible({ timeout: 30_000 });
		await expect(secondPage.getByRole('row', { name: /E-1/ })).toContainText('見本　一郎');
		await secondPage.getByRole('row', { name: /E-1/ }).getByRole('button', { name: '番号を表示' }).click();
		await secondPage.getByLabel('閲覧理由').fill('源泉徴収票作成事務');
		await secondPage.getByRole('button', { name: '表示する' }).click();
		await expect(secondPage.getByText('1234 5678 9018')).toBeVisible({ timeout: 30_000 });

		// Removal: a plain warning, a new epoch, an updated recovery kit offered.
		await ownerPage.getByRole('button', { name: 'tanto-2 の権限を解除' }).click();
		await expect(ownerPage.getByText('すでに見た番号や、手元に保存した情報を取り消すことはできません')).toBeVisible();
		await confirmTyped(ownerPage, 'tanto-2');
		await expect(ownerPage.getByText('鍵を世代 2 に更新しました')).toBeVisible({ timeout: 30_000 });
		await expect(ownerPage.getByText('新しい復旧キットをダウンロードして保管')).toBeVisible();
		await expect(ownerPage.getByRole('row', { name: /tanto-2/ })).toContainText('解除済み');

		// The employee's next submission goes to epoch 2; the remaining handler reads it.
		await submitNumber(employee, NEW_NUMBER, device);
		await openCompany(ownerPage, baseUrl, companyId, OWNER_PASSPHRASE);
		await ownerPage.getByRole('row', { name: /E-1/ }).getByRole('button', { name: '番号を表示' }).click();
		await ownerPage.getByLabel('閲覧理由').fill('源泉徴収票作成事務');
		await ownerPage.getByRole('button', { name: '表示する' }).click();
		await expect(ownerPage.getByText('9876 5432 1018')).toBeVisible({ timeout: 30_000 });

		// The removed handler can no longer open the company at all.
		await secondPage.goto(`${baseUrl}/desk/company?id=${companyId}`);
		await expect(secondPage.getByRole('alert')).toContainText('権限がありません');
		await secondPage.goto(`${baseUrl}/desk`);
		await expect(secondPage.getByRole('link', { name: '株式会社テスト' })).toHaveCount(0);
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
