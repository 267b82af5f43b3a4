/**
 * The PWA offline: the shell opens with the server gone; a submission made with no network waits
 * sealed in the outbox and arrives exactly once when the app is opened again online, or through
 * Background Sync with no page open; and a server
 * killed in the middle of a photo upload leaves, after a restart, exactly one complete submission.
 */
import { expect, test, type Browser } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addEmployee, setUpHandler, SYNTHETIC_NUMBER as NUMBER } from '../support/journey';
import { expectNothingReadableStored, joinFromLetter, readOriginStorage, submitAsEmployee } from '../support/phone';
import { spawnServer, type ServerProcess } from '../support/spawn';

test('the installed app opens with the server gone', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-pwa-'));
	const server = await spawnServer({ DATA_DIR: dir });
	try {
		const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
		const page = await context.newPage();
		const first = await page.goto(server.url);
		// The build leaves no inline script, so the policy needs no hashes and no 'unsafe-inline'.
		expect(first?.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval';");
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

/** Sets up the office, adds an employee and joins from their letter on a 390 px phone; waits for the service worker. */
async function joinedPhone(browser: Browser, server: ServerProcess, code: string) {
	const owner = await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);
	const { employeeId, token, secret, initialPassword } = await addEmployee(owner, code);
	const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	const page = await context.newPage();
	page.on('pageerror', (e) => console.log('page error:', e.message));
	await page.goto(`${server.url}/join#t=${token}&s=${Buffer.from(secret).toString('base64url')}&e=1`);
	await joinFromLetter(page, initialPassword);
	await expect(page.getByRole('button', { name: '提出を始める' })).toBeVisible();
	// A synchronous predicate: `ready` resolves while the worker is still activating (STACK.md §4.1).
	await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, { timeout: 30_000 });
	return { owner, employeeId, context, page };
}

/** A port nobody uses now, so the restarted server keeps the phone's origin (and its IndexedDB). */
async function freePort(): Promise<number> {
	const { createServer } = await import('node:net');
	return new Promise((resolve) => {
		const s = createServer().listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => resolve(port));
		});
	});
}

test('a submission made with no network and the server down arrives exactly once after the app is reopened', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-outbox-'));
	const env = { DATA_DIR: dir, PORT: String(await freePort()) };
	let server = await spawnServer(env);
	try {
		const { owner, employeeId, context, page: joined } = await joinedPhone(browser, server, 'OFF-1');
		let page = joined;

		// No network at all: the phone is offline and the server is gone (setOffline alone does not cut the service worker's fetches).
		await server.stop();
		await context.setOffline(true);
		await submitAsEmployee(page, { number: NUMBER, name: '試験　花子', kana: 'しけん はなこ', birth: '1990-04-01', address: '東京都千代田区見本町1-2-3' });
		await expect(page.getByTestId('queued-state')).toContainText('送信を待っています');
		await expect(page.getByText('送信待ち 1 件')).toBeVisible();
		const { sealedItems } = await expectNothingReadableStored(page, [NUMBER, '1234 5678 9018', '試験　花子', 'しけん　はなこ']);
		expect(sealedItems).toBe(3); // two photos and the record, each an age file
		await page.close();

		// Later: network and server are back; the employee opens the app again.
		server = await spawnServer(env);
		await context.setOffline(false);
		page = await context.newPage();
		await page.goto(`${server.url}/me`);
		await expect(page.getByTestId('submission-status')).toContainText('受付済み・確認待ち', { timeout: 30_000 });
		await expect(page.getByText(/送信待ち \d+ 件/)).toHaveCount(0);
		// Reopened once more: nothing is sent twice.
		await page.reload();
		await expect(page.getByTestId('submission-status')).toHaveCount(1);
		expect((await readOriginStorage(page)).binaries).toEqual([]);
		const submissions = await owner.client.trpc.submission.list.query({ companyId: owner.company.companyId, employeeId });
		expect(submissions).toHaveLength(1);
		const revealed = await owner.client.trpc.submission.reveal.mutate({ submissionId: submissions[0]!.id, reason: '送信の確認' });
		expect(revealed.images).toBe(2);
		await context.close();
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});

test('Background Sync: the service worker delivers a queued submission while no page of the app is open', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-sync-'));
	const env = { DATA_DIR: dir, PORT: String(await freePort()) };
	let server = await spawnServer(env);
	try {
		const { owner, employeeId, context, page } = await joinedPhone(browser, server, 'SYNC-1');

		await server.stop();
		await context.setOffline(true);
		await submitAsEmployee(page, { number: NUMBER, name: '試験　花子', kana: 'しけん はなこ', birth: '1990-04-01', address: '東京都千代田区見本町1-2-3' });
		await expect(page.getByText('送信待ち 1 件')).toBeVisible();
		// The page asked for a Background Sync when its own attempt failed.
		await expect.poll(() => page.evaluate(async () => {
			const registration = (await navigator.serviceWorker.getRegistration()) as ServiceWorkerRegistration & { sync?: { getTags(): Promise<string[]> } };
			return (await registration?.sync?.getTags()) ?? [];
		})).toContain('mnv-outbox');
		await page.close();

		// The network returns while no page of the app is open; the browser fires `sync` (here through DevTools,
		// since the test cannot wait for Chromium's own schedule). Only the service worker can send now.
		server = await spawnServer(env);
		await context.setOffline(false);
		const blank = await context.newPage();
		const cdp = await context.newCDPSession(blank);
		const registrations = new Promise<string>((resolve) => {
			cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
				const ours = registrations.find((r) => r.scopeURL.startsWith(server.url) && !r.isDeleted);
				if (ours) resolve(ours.registrationId);
			});
		});
		await cdp.send('ServiceWorker.enable');
		const registrationId = await registrations;
		await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: new URL(server.url).origin, registrationId, tag: 'mnv-outbox', lastChance: false });
		await expect.poll(async () => (await owner.client.trpc.submission.list.query({ companyId: owner.company.companyId, employeeId })).length, { timeout: 30_000 }).toBe(1);
		expect(blank.url()).toBe('about:blank');

		// Opened again: the outbox is empty (the worker removed what the server acknowledged), nothing is sent twice.
		const again = await context.newPage();
		await again.goto(`${server.url}/me`);
		await expect(again.getByTestId('submission-status')).toContainText('受付済み・確認待ち', { timeout: 30_000 });
		await expect(again.getByText(/送信待ち \d+ 件/)).toHaveCount(0);
		expect((await readOriginStorage(again)).binaries).toEqual([]);
		const submissions = await owner.client.trpc.submission.list.query({ companyId: owner.company.companyId, employeeId });
		expect(submissions).toHaveLength(1);
		expect((await owner.client.trpc.submission.reveal.mutate({ submissionId: submissions[0]!.id, reason: '送信の確認' })).images).toBe(2);
		await context.close();
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});

test('the server dies in the middle of a photo upload; after a restart exactly one complete submission exists', async ({ browser }) => {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-crash-'));
	const env = { DATA_DIR: dir, PORT: String(await freePort()) };
	let server = await spawnServer(env);
	try {
		const { owner, employeeId, context, page: joined } = await joinedPhone(browser, server, 'CRASH-1');
		let page = joined;

		// A slow uplink, so the second photo is still on the wire when the server is killed.
		const cdp = await context.newCDPSession(page);
		await cdp.send('Network.enable');
		await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: 1_000_000, uploadThroughput: 40_000 });
		let killed = false;
		const secondPhotoStarted = new Promise<void>((resolve) => {
			page.on('request', (request) => {
				const meta = request.headers()['x-upload-meta'];
				if (meta && JSON.parse(Buffer.from(meta, 'base64url').toString()).itemIndex === 2) resolve();
			});
		});
		const crash = secondPhotoStarted.then(async () => {
			await new Promise((r) => setTimeout(r, 1_000));
			await server.stop('SIGKILL');
			killed = true;
		});
		await submitAsEmployee(page, { number: NUMBER, name: '試験　花子', kana: 'しけん はなこ', birth: '1990-04-01', address: '東京都千代田区見本町1-2-3' });
		await crash;
		expect(killed).toBe(true);
		await expect(page.getByTestId('queued-state')).toContainText('送信を待っています');
		await page.close();

		server = await spawnServer(env);
		page = await context.newPage();
		await page.goto(`${server.url}/me`);
		await expect(page.getByTestId('submission-status')).toContainText('受付済み・確認待ち', { timeout: 60_000 });
		await expect(page.getByTestId('submission-status')).toHaveCount(1);
		const submissions = await owner.client.trpc.submission.list.query({ companyId: owner.company.companyId, employeeId });
		expect(submissions).toHaveLength(1);
		expect((await owner.client.trpc.submission.reveal.mutate({ submissionId: submissions[0]!.id, reason: '送信の確認' })).images).toBe(2);
		await context.close();
	} finally {
		await server.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
