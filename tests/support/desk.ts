/** The handler's desk in a real browser: signing in and opening a company, as the e2e specs need them. */
import { expect, type Browser, type Page } from '@playwright/test';

/**
 * A new desktop-sized browser context signed in as `loginId`, on the dashboard. For a handler an
 * administrator just added, pass `newPassword`: the first sign-in lands on the password page, which
 * replaces the initial `password` with it before the dashboard opens.
 */
export async function signIn(browser: Browser, baseUrl: string, loginId: string, password: string, opts: { newPassword?: string } = {}): Promise<Page> {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.on('pageerror', (e) => console.log(`[${loginId}] page error:`, e.message));
	await page.goto(`${baseUrl}/login`);
	await page.getByLabel('ユーザーID').fill(loginId);
	await page.getByLabel('パスワード', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'ログイン' }).click();
	if (opts.newPassword) {
		await expect(page).toHaveURL(/\/password\/?$/);
		await expect(page.getByText('初期パスワードを変更してください')).toBeVisible();
		await page.getByLabel('現在のパスワード', { exact: true }).fill(password);
		await page.getByLabel('新しいパスワード', { exact: true }).fill(opts.newPassword);
		await page.getByLabel('新しいパスワード（確認）', { exact: true }).fill(opts.newPassword);
		await page.getByRole('button', { name: 'パスワードを変更する' }).click();
	}
	await expect(page).toHaveURL(/\/desk\/?$/);
	return page;
}

/**
 * Shows a tab of the company page by its exact name (従業員, 収集・通知, 利用・出力, 廃棄, 設定・鍵):
 * the panels of the other tabs are hidden.
 */
export async function openTab(page: Page, name: string): Promise<void> {
	const tab = page.getByRole('tab', { name, exact: true });
	await tab.click();
	await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/** Opens a company's page and unlocks the handler's keys with `passphrase`. */
export async function openCompany(page: Page, baseUrl: string, companyId: string, passphrase: string): Promise<void> {
	await page.goto(`${baseUrl}/desk/company?id=${companyId}`);
	await page.getByLabel('鍵のパスフレーズ', { exact: true }).fill(passphrase);
	await page.getByRole('button', { name: '鍵を開く' }).click();
}

/**
 * Completes the typed confirmation of a destructive action (src/lib/ui/ConfirmDialog.svelte), once
 * the button that opens it was clicked: checks the destructive button stays disabled until `word`
 * is typed, types it and presses that button. The dialog stays open if the action fails (its error
 * is a `role="alert"` inside it).
 */
export async function confirmTyped(page: Page, word: string): Promise<void> {
	const dialog = page.getByTestId('confirm-typed');
	await expect(dialog).toBeVisible();
	const submit = dialog.getByTestId('confirm-typed-submit');
	await expect(submit).toBeDisabled();
	await dialog.getByTestId('confirm-typed-input').fill(word);
	await expect(submit).toBeEnabled();
	await submit.click();
}
