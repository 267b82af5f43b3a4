/** The PWA shell: manifest, a service worker that precaches the app, and an app that opens offline. */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from '../support/spawn';

test('the installed app opens with the server gone', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-pwa-'));
	const server = await spawnServer({ DATA_DIR: dir });
	try {
		const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
		const page = await context.newPage();
		const first = await page.goto(server.url);
		// The build leaves no inline script, so the policy needs no hashes and no 'unsafe-inline'.
		expect(first?.headers()['content-security-policy']).toContain("script-src 'self';");
		const manifest = await page.evaluate(async () => {
			const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
			return link ? ((await (await fetch(link.href)).json()) as { name: string; icons: { sizes: string; purpose?: string }[]; start_url: string }) : null;
		});
		expect(manifest?.start_url).toBe('/');
		expect(manifest?.icons.some((i) => i.sizes === '512x512' && i.purpose?.includes('maskable'))).toBe(true);
		// A synchronous predicate: `ready` resolves while the worker is still activating (STACK.md §4.1).
		await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, { timeout: 30_000 });

		await server.stop();
		const response = await page.reload();
		expect(response?.fromServiceWorker()).toBe(true);
		await expect(page.locator('h1').first()).toBeVisible();
		await page.goto(`${server.url}/join`);
		await expect(page.locator('h1').first()).toBeVisible();
		await context.close();
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
