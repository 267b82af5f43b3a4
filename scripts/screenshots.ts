/**
 * `npm run screenshots`: pictures of the product for the README and docs/USER-GUIDE.md, taken by
 * Playwright in Debian's Chromium on the demo data (scripts/demo-seed.ts, a scratch folder that is
 * removed afterwards). The same tour as the accessibility test (tests/support/tour.ts), in
 * Japanese; the phone at 390 × 844, the desk at 1280 × 900; plus page 1 of a disposal certificate
 * PDF (made by the desk in the browser) rendered with pdftoppm (poppler-utils).
 * Writes docs/screenshots/*.png. Options: --out <dir>, --all (every stop, not only the chosen ones).
 */
import { chromium, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PASSPHRASE, DEMO_USERS } from './demo-seed';
import { DESKTOP, either, startDemo, tour } from '../tests/support/tour';

/** The screens the README and the user guide show (the issue's list, plus the company page). */
const CHOSEN = new Set([
	'phone-join',
	'phone-purpose',
	'phone-documents',
	'phone-ocr-confirm',
	'phone-outbox',
	'phone-status',
	'desk-dashboard',
	'desk-company',
	'desk-review',
	'desk-reveal-reason',
	'desk-reveal',
	'desk-history',
	'desk-help'
]);

/** Screens taken 1500 px tall. */
const TALL = new Set(['desk-company', 'desk-history']);

async function disposalCertificate(page: Page, baseUrl: string, companyIds: string[], out: string): Promise<boolean> {
	await page.goto(`${baseUrl}/login`);
	await page.getByLabel('ユーザーID').fill(DEMO_USERS.admin.loginId);
	await page.getByLabel('パスワード', { exact: true }).fill(DEMO_USERS.admin.password);
	await page.getByRole('button', { name: 'ログイン' }).click();
	await page.waitForURL(/\/desk\/?$/);
	const button = page.getByRole('button', { name: either('disposal_certificate_pdf') }).first();
	for (const id of companyIds) {
		await page.goto(`${baseUrl}/desk/company?id=${id}`);
		await page.getByLabel('鍵のパスフレーズ', { exact: true }).fill(DEMO_PASSPHRASE);
		await page.getByRole('button', { name: '鍵を開く' }).click();
		await page.getByLabel('鍵のパスフレーズ', { exact: true }).waitFor({ state: 'detached', timeout: 30_000 });
		const tabs = page.getByRole('tab');
		for (let i = -1; i < (await tabs.count()); i++) {
			if (i >= 0) await tabs.nth(i).click();
			if (!(await button.isVisible())) continue;
			const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), button.click()]);
			const pdf = join(mkdtempSync(join(tmpdir(), 'mnv-shot-')), 'certificate.pdf');
			await download.saveAs(pdf);
			execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', pdf, join(out, 'desk-disposal-certificate')], { stdio: 'pipe' });
			return true;
		}
	}
	return false;
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' }, all: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
	if (values.help) {
		console.log('Usage: npm run screenshots [-- --out docs/screenshots] [-- --all]\nTakes the README/user-guide pictures on a fresh demo (needs /usr/bin/chromium and pdftoppm).');
		return;
	}
	const out = resolve(values.out!);
	mkdirSync(out, { recursive: true });
	for (const name of readdirSync(out)) if (name.endsWith('.png')) rmSync(join(out, name));

	const started = performance.now();
	console.log('screenshots: seeding a demo office…');
	const demo = await startDemo();
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']
	});
	try {
		await tour(browser, demo, async (page, stop) => {
			if (!values.all && !CHOSEN.has(stop.id)) return;
			// No blinking caret or running transition in a picture.
			await page.addStyleTag({ content: '*,*::before,*::after{caret-color:transparent!important;transition:none!important;animation:none!important}' });
			// The board and the history are tables: show the first rows, not just the page's top.
			const tall = TALL.has(stop.id) ? { fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize()!.width, height: 1500 } } : {};
			await page.screenshot({ path: join(out, `${stop.id}.png`), animations: 'disabled', ...tall });
			console.log(`  ${stop.id}.png`);
		});
		const context = await browser.newContext({ ...DESKTOP, locale: 'ja-JP', acceptDownloads: true });
		const made = await disposalCertificate(await context.newPage(), demo.baseUrl, demo.seed.companies.map((c) => c.id), out);
		console.log(made ? '  desk-disposal-certificate.png' : '  (no disposal certificate found in the demo)');
		await context.close();
	} finally {
		await browser.close();
		await demo.close();
	}
	console.log(`screenshots: wrote ${readdirSync(out).filter((n) => n.endsWith('.png')).length} pictures to ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
