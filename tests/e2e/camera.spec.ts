/**
 * The live camera view on a phone: Chromium's fake camera streams a test pattern; the shutter
 * hands the frame to the photo Worker like a picked file, and the stream stops with the dialog.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addEmployee, setUpHandler } from '../support/journey';
import { spawnServer } from '../support/spawn';
import { joinFromLetter } from '../support/phone';

test('a document photographed through the live camera view fills its slot', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-camera-'));
	const server = await spawnServer({ DATA_DIR: dir });
	try {
		const owner = await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);
		const { token, secret, initialPassword } = await addEmployee(owner, 'CAM-1');
		const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, permissions: ['camera'] });
		const page = await context.newPage();
		await page.goto(`${server.url}/join#t=${token}&s=${Buffer.from(secret).toString('base64url')}&e=1`);
		await joinFromLetter(page, initialPassword);
		await page.getByRole('button', { name: '提出を始める' }).click();
		await page.getByLabel('利用目的を確認しました').check();
		await page.getByRole('button', { name: '次へ' }).click();
		await page.getByRole('radio', { name: /マイナンバーカード/ }).check();
		await page.getByRole('button', { name: '次へ' }).click();

		const slot = page.getByTestId('slot-card_front');
		await slot.getByRole('button', { name: 'カメラで撮影' }).click();
		const dialog = page.getByRole('dialog');
		await expect(dialog.getByRole('button', { name: '撮影', exact: true })).toBeEnabled({ timeout: 15_000 });
		expect(await dialog.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
		await dialog.getByRole('button', { name: '撮影', exact: true }).click();
		await expect(page.getByRole('dialog')).toHaveCount(0);
		await expect(slot.getByText('撮影済み')).toBeVisible({ timeout: 20_000 });
		// The stream is stopped: no live camera track is left once the dialog has closed.
		expect(await page.evaluate(() => document.querySelectorAll('video').length)).toBe(0);
		await context.close();
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
