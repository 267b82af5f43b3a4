/**
 * Issue 4's figures, measured in the real app in headless Chromium (Debian's /usr/bin/chromium):
 * - preparing one 12 MP photo in the photo Worker (decode, ≤ 2000 px, JPEG without metadata);
 * - "submit" → sealed and queued in the outbox, with three 12 MP photos, at full speed and under
 *   4× CPU throttling (CDP `Emulation.setCPUThrottlingRate`);
 * - JavaScript shipped before the first screen of the employee flow (`/join`, gzip);
 * - the service worker's precache size (OCR assets included);
 * - the postal-code table's size and lookup times.
 * The photo is synthetic (noise and stripes, 4000 × 3000), made here with jpeg-js.
 * CDP's CPU throttling slows the page's main thread; the photo Worker and the browser's image
 * decoder run elsewhere and are not slowed, so the throttled photo figure understates a slow phone.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import jpeg from 'jpeg-js';
import { addEmployee, setUpHandler } from '../tests/support/journey';
import { joinFromLetter } from '../tests/support/phone';
import { runOcrBench } from './ocr';
import type { ServerProcess } from '../tests/support/spawn';

export interface EmployeeFigure {
	name: string;
	value: number;
	unit: string;
	note?: string;
}

/** A 12 MP JPEG with enough texture to cost what a real photo costs to decode and re-encode. */
function twelveMegapixelJpeg(path: string): void {
	const width = 4000;
	const height = 3000;
	const data = Buffer.alloc(width * height * 4);
	let seed = 7;
	for (let i = 0; i < width * height; i++) {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		const x = i % width;
		const base = (x >> 5) % 2 ? 200 : 90;
		const v = base + ((seed >> 16) % 40);
		data[i * 4] = v;
		data[i * 4 + 1] = v - 10;
		data[i * 4 + 2] = v - 20;
		data[i * 4 + 3] = 255;
	}
	writeFileSync(path, jpeg.encode({ data, width, height }, 85).data);
}

const round = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measures(page: Page, name: string): Promise<number[]> {
	return page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((e) => e.duration), name);
}

/** Walks the wizard to the review with three photos (住民票 + two IDs) and submits; returns submit → queued in ms. */
async function submitThreePhotos(page: Page, photo: string, throttle: number): Promise<{ queuedMs: number; prepareMs: number[] }> {
	await page.getByRole('button', { name: /提出を始める|内容を訂正して再提出する/ }).click();
	await page.getByLabel('利用目的を確認しました').check();
	await page.getByRole('button', { name: '次へ' }).click();
	await page.getByRole('radio', { name: /住民票の写し/ }).check();
	await page.getByRole('radio', { name: /顔写真のない書類 2点/ }).check();
	await page.getByRole('button', { name: '次へ' }).click();
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
	for (const slot of ['resident_record', 'id_1', 'id_2']) {
		await page.getByTestId(`pick-${slot}`).setInputFiles(photo);
		await page.getByTestId(`slot-${slot}`).getByText('撮影済み').waitFor({ timeout: 120_000 });
	}
	await page.getByRole('button', { name: '次へ' }).click();
	await page.getByLabel('マイナンバー（12桁）').fill('123456789018');
	await page.getByRole('button', { name: '次へ' }).click();
	await page.getByLabel('氏名', { exact: true }).fill('試験　花子');
	await page.getByLabel('氏名（ふりがな）').fill('しけん　はなこ');
	await page.getByLabel('生年月日').fill('1990-04-01');
	await page.getByLabel('住所').fill('東京都千代田区見本町１－２－３');
	await page.getByRole('button', { name: '次へ' }).click();
	await page.getByRole('button', { name: '次へ' }).click();
	await page.getByRole('button', { name: '暗号化して送信する' }).click();
	await page.getByRole('heading', { name: '提出を受け付けました' }).waitFor({ timeout: 120_000 });
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
	const queued = await measures(page, 'mnv:submit-to-queued');
	const prepare = await measures(page, 'mnv:photo-prepare');
	await page.evaluate(() => performance.clearMeasures());
	await page.getByRole('button', { name: '提出の状況を見る' }).click();
	return { queuedMs: queued.at(-1)!, prepareMs: prepare };
}

/** Bytes (and gzip bytes) of every script the browser loads for a cold first visit of `path`. */
async function firstScreenScripts(page: Page, url: string): Promise<{ raw: number; gzip: number; files: number }> {
	const bodies: Promise<Buffer>[] = [];
	page.on('response', (r) => {
		if (r.request().resourceType() === 'script') bodies.push(r.body());
	});
	await page.goto(url, { waitUntil: 'networkidle' });
	const all = await Promise.all(bodies);
	return { raw: all.reduce((n, b) => n + b.length, 0), gzip: all.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0), files: all.length };
}

/** Sum of the files the generated service worker precaches (build/sw.js). */
export function precacheBytes(buildDir = 'build'): { bytes: number; files: number; ocrBytes: number } {
	const sw = readFileSync(join(buildDir, 'sw.js'), 'utf8');
	const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1]!);
	let bytes = 0;
	let ocrBytes = 0;
	for (const url of urls) {
		const path = join(buildDir, url.replace(/^\//, ''));
		// Pages are listed by route ("setup"); their file is "setup.html".
		const size = [path, `${path}.html`, join(path, 'index.html')].map((p) => (existsSync(p) && statSync(p).isFile() ? statSync(p).size : -1)).find((n) => n >= 0) ?? 0;
		bytes += size;
		if (url.includes('tesseract/')) ocrBytes += size;
	}
	return { bytes, files: urls.length, ocrBytes };
}

/**
 * The postal-code table: its size (fetched whole on the first lookup, not precached) and the time
 * of a first lookup (download over loopback, unzip, search) and of a later one, in Chromium.
 */
async function postalLookupFigures(browser: Browser, baseUrl: string): Promise<EmployeeFigure[]> {
	const table = join('build', 'postal', 'ken-all.tsv.gz');
	const gz = readFileSync(table);
	const text = gunzipSync(gz).toString('utf8');
	const page = await (await browser.newContext()).newPage();
	await page.goto(`${baseUrl}/`);
	// tsx compiles this file with keepNames: its `__name` helper must exist in the page too.
	await page.evaluate('globalThis.__name = (f) => f');
	const times = await page.evaluate(async () => {
		let data = '';
		const lookup = (code: string) => {
			const at = data.indexOf(`\n${code}\t`);
			return at >= 0 ? data.slice(at + 1, data.indexOf('\n', at + 1)) : null;
		};
		const t0 = performance.now();
		const response = await fetch('/postal/ken-all.tsv.gz');
		data = await new Response(response.body!.pipeThrough(new DecompressionStream('gzip'))).text();
		const found = lookup('1000001');
		const first = performance.now() - t0;
		const t1 = performance.now();
		for (const code of ['5300001', '0600000', '9071801', '4980000', '1000000']) lookup(code);
		return { first, later: (performance.now() - t1) / 5, found };
	});
	await page.context().close();
	if (!times.found?.includes('千代田')) throw new Error('postal bench: 100-0001 not found');
	const version = text.slice(1, text.indexOf('\n'));
	return [
		{ name: 'postal-code table, fetched on first lookup (gzip)', value: round(gz.length / 1024), unit: 'KiB', note: `${text.split('\n').length - 2} lines, Japan Post data of ${version}; not precached` },
		{ name: 'postal lookup, first (download over loopback + unzip + search)', value: Math.round(times.first), unit: 'ms' },
		{ name: 'postal lookup, later (search only, mean of 5)', value: round(times.later), unit: 'ms' }
	];
}

export async function runEmployeeBench(server: ServerProcess, workDir: string): Promise<{ figures: EmployeeFigure[]; browserVersion: string }> {
	const figures: EmployeeFigure[] = [];
	const photo = join(workDir, 'photo-12mp.jpg');
	twelveMegapixelJpeg(photo);
	const owner = await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);
	const { token, secret, initialPassword } = await addEmployee(owner, 'BENCH-1');
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
	try {
		const cold = await browser.newContext({ locale: 'ja-JP', serviceWorkers: 'block' });
		const scripts = await firstScreenScripts(await cold.newPage(), `${server.url}/join`);
		figures.push({ name: 'JavaScript before the first employee screen (/join), gzip', value: round(scripts.gzip / 1024), unit: 'KiB', note: `${scripts.files} files, ${round(scripts.raw / 1024)} KiB raw; OCR and photo Workers load later` });
		await cold.close();

		const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
		const page = await context.newPage();
		await page.goto(`${server.url}/join#t=${token}&s=${Buffer.from(secret).toString('base64url')}&e=1`);
		await joinFromLetter(page, initialPassword);
		await page.getByRole('button', { name: '提出を始める' }).waitFor();
		const photoBytes = statSync(photo).size;
		// A first round warms the Workers and the crypto code; then three timed rounds at each speed.
		await submitThreePhotos(page, photo, 1);
		for (const rate of [1, 4]) {
			const queued: number[] = [];
			const prepare: number[] = [];
			for (let i = 0; i < 3; i++) {
				const r = await submitThreePhotos(page, photo, rate);
				queued.push(r.queuedMs);
				prepare.push(...r.prepareMs);
			}
			const label = rate === 1 ? '' : `, ${rate}× CPU throttling`;
			figures.push({ name: `submit → sealed and queued, three 12 MP photos${label} (median of 3)`, value: Math.round(median(queued)), unit: 'ms', note: `runs ${queued.map(Math.round).join(', ')} ms` });
			figures.push({ name: `prepare one 12 MP photo in the Worker${label} (median of 9)`, value: Math.round(median(prepare)), unit: 'ms', note: `${round(photoBytes / 1048576)} MB JPEG in, ≤ 2000 px JPEG out` });
		}
		await context.close();
		figures.push(...(await runOcrBench(browser, server.url)));
		const pre = precacheBytes();
		figures.push({ name: 'service worker precache', value: round(pre.bytes / 1048576), unit: 'MiB', note: `${pre.files} files, of which OCR assets ${round(pre.ocrBytes / 1048576)} MiB` });
		figures.push(...(await postalLookupFigures(browser, server.url)));
		return { figures, browserVersion: browser.version() };
	} finally {
		await browser.close();
	}
}
