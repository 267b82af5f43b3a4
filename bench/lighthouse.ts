/**
 * Lighthouse (npm `lighthouse`, its Node user-flow API driving Debian's /usr/bin/chromium through
 * puppeteer-core, Lighthouse's own dependency) on the built app, with Lighthouse's default mobile
 * emulation (Moto G Power-sized screen, mobile user agent) and its default throttling: *simulated*
 * (Lantern: slow 4G, 150 ms RTT, 1.6 Mbit/s down, 4× CPU slowdown, computed from one unthrottled
 * load), not DevTools/packet-level throttling. One run per screen (a score moves a few points from
 * run to run; Lighthouse's own advice is the median of 5, too slow for a 2-core bench).
 *
 * The office is the demo's (scripts/demo-seed.ts: a small fictitious office seeded through the HTTP
 * API) on a server started as `npm start` starts it, on a scratch PGlite folder. Screens:
 * 1. **employee entry** — a cold navigation to `/join#<fragment>` of an open invitation: the first
 *    screen an employee sees from the letter's QR code;
 * 2. **employee home** — after joining through that screen (initial password, own password twice,
 *    as tests/support/phone.ts `joinFromLetter` does), a cold navigation to `/me` with the session
 *    cookie. The wizard lives in memory only (src/routes/me/+page.svelte), so no URL lands on a
 *    wizard step: a navigation to /me lands on the status screen with the own-password unlock;
 * 3. **employee documents** and **employee photos** — the wizard steps reached from there by hand
 *    (unlock, 提出を始める, purposes acknowledged, マイナンバーカード chosen), audited as Lighthouse
 *    *snapshots*: accessibility and best practices of the screen as shown (a snapshot has no load,
 *    so no performance score, LCP or JavaScript figure);
 * 4. **handler dashboard** — signed in through /login as the demo administrator, a cold navigation
 *    to `/desk`.
 * "Cold" = Lighthouse's storage reset before each navigation: HTTP cache, service worker and Cache
 * Storage cleared; cookies, localStorage and IndexedDB kept (so the session stays).
 * JavaScript of a first screen = every script request of that navigation (Lighthouse's
 * network-requests audit): bytes transferred (as the server sent them, headers included; it does
 * not compress today) and uncompressed (resource size).
 *
 * BENCH_LIGHTHOUSE_REPORT=<dir> also writes the two flow reports there (HTML, and their JSON).
 * Chromium runs with --headless=new (puppeteer's `headless: true`), --no-sandbox, --disable-gpu,
 * --disable-dev-shm-usage and --accept-lang=ja-JP (the app's language follows the browser's).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFlow, type UserFlow } from 'lighthouse';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { DEMO_USERS, seedDemo } from '../scripts/demo-seed';
import type { ServerProcess } from '../tests/support/spawn';

export interface LighthouseFigure {
	name: string;
	value: number;
	unit: string;
	note?: string;
}

export interface FailingAudit {
	category: 'performance' | 'accessibility' | 'best-practices';
	id: string;
	title: string;
	score: number | null;
	/** What Lighthouse names: element selectors and labels, or URLs and messages. */
	items: string[];
}

export interface LighthouseScreen {
	screen: string;
	path: string;
	mode: 'navigation' | 'snapshot';
	scores: { performance: number | null; accessibility: number | null; 'best-practices': number | null };
	lcpMs: number | null;
	/** The other load metrics (simulated), for the performance score's note. */
	metrics: { fcpMs: number; speedIndexMs: number; tbtMs: number; cls: number } | null;
	script: { files: number; transferBytes: number; resourceBytes: number } | null;
	failing: FailingAudit[];
	warnings: string[];
}

export interface LighthouseResult {
	figures: LighthouseFigure[];
	screens: LighthouseScreen[];
	browserVersion: string;
	lighthouseVersion: string;
	settings: { formFactor: string; throttlingMethod: string; throttling: Record<string, number>; screen: string; benchmarkIndex: number | null };
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--lang=ja-JP', '--accept-lang=ja-JP,ja', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The password the measured employee chooses on the phone. */
const EMPLOYEE_PASSWORD = 'lighthouse-employee-2026';

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const kib = (bytes: number) => round(bytes / 1024);

type Lhr = Awaited<ReturnType<UserFlow['createFlowResult']>>['steps'][number]['lhr'];

// ── Driving the app as a person would: by labels and roles ─────────────────────────────

/** What the page shows, for an error message: its language and the start of its text. */
const shown = (page: Page) => page.evaluate(() => `lang=${document.documentElement.lang} «${document.body.innerText.replace(/\s+/g, ' ').slice(0, 300)}»`).catch(() => '(page gone)');

/** The control of the `<label>` whose text is exactly `text` (as Playwright's getByLabel with exact). */
async function byLabel(page: Page, text: string): Promise<ElementHandle<Element>> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const handle = await page.evaluateHandle((t: string) => {
			for (const label of document.querySelectorAll('label')) {
				if (label.textContent?.trim() === t) return label.control ?? label.querySelector('input, select, textarea');
			}
			return null;
		}, text);
		const element = handle.asElement() as ElementHandle<Element> | null;
		if (element) return element;
		await handle.dispose();
		if (Date.now() > deadline) throw new Error(`lighthouse bench: no field labelled 「${text}」 on ${page.url()}: ${await shown(page)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function fill(page: Page, label: string, value: string): Promise<void> {
	const input = await byLabel(page, label);
	await input.click({ count: 3 });
	await input.type(value);
	await input.dispose();
}

/** A button (or a radio, a checkbox, a heading) by its accessible name, as Playwright's getByRole. */
const role = (r: string, name: string) => `::-p-aria([name="${name}"][role="${r}"])`;

async function click(page: Page, r: string, name: string, timeout = 30_000): Promise<void> {
	const element = await page.waitForSelector(role(r, name), { visible: true, timeout });
	await element!.click();
	await element!.dispose();
}

/** A radio or checkbox whose label starts with `text` (the options carry a hint after their name). */
async function check(page: Page, text: string): Promise<void> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const handle = await page.evaluateHandle((t: string) => {
			for (const label of document.querySelectorAll('label')) {
				if (label.textContent?.trim().startsWith(t)) return label.control ?? label.querySelector('input');
			}
			return null;
		}, text);
		const element = handle.asElement() as ElementHandle<Element> | null;
		if (element) {
			await element.click();
			await element.dispose();
			return;
		}
		await handle.dispose();
		if (Date.now() > deadline) throw new Error(`lighthouse bench: no option 「${text}」 on ${page.url()}: ${await shown(page)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

const waitForHeading = (page: Page, name: string) => page.waitForSelector(role('heading', name), { visible: true, timeout: 30_000 });

// ── Reading a Lighthouse result ─────────────────────────────────────────────────────────

/** What an audit's table names, one line per row (selector and label of an element, or a URL and message). */
function itemLines(details: unknown): string[] {
	const d = details as { type?: string; items?: unknown } | undefined;
	if (!d || !Array.isArray(d.items)) return [];
	// A list holds tables (e.g. an insight's several tables): their rows in order.
	if (d.type === 'list') return d.items.flatMap((inner) => itemLines(inner)).slice(0, 8);
	return (d.items as Record<string, unknown>[]).slice(0, 8).map((item) => {
		const node = item.node as { selector?: string; nodeLabel?: string; snippet?: string; explanation?: string } | undefined;
		if (node?.selector) {
			// axe's explanation ("Fix any of the following: …"): the reasons, without the preamble.
			const why = node.explanation?.split('\n').slice(1).map((l) => l.trim()).filter(Boolean).join('; ');
			return [node.selector, node.nodeLabel ? `“${node.nodeLabel.replace(/\s+/g, ' ').slice(0, 80)}”` : node.snippet?.slice(0, 100), why ? `— ${why}` : ''].filter(Boolean).join(' ');
		}
		const source = item.source as { url?: string; line?: number } | undefined;
		const parts = [item.url ?? source?.url, item.description ?? item.value ?? item.label].filter((p) => typeof p === 'string' && p);
		if (parts.length) return parts.join(' — ').slice(0, 200);
		// Rows without a URL or an element (main-thread groups, LCP phases): their plain fields.
		return Object.entries(item)
			.filter(([, v]) => ['string', 'number'].includes(typeof v))
			.map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`)
			.join(', ')
			.slice(0, 200);
	});
}

function failingAudits(lhr: Lhr, category: FailingAudit['category']): FailingAudit[] {
	const cat = lhr.categories[category];
	if (!cat) return [];
	const out: FailingAudit[] = [];
	for (const ref of cat.auditRefs) {
		const audit = lhr.audits[ref.id];
		if (!audit || audit.score === null || !['binary', 'numeric', 'metricSavings'].includes(audit.scoreDisplayMode)) continue;
		// Performance: only the metrics and savings Lighthouse flags red or orange, not every small hint.
		if (audit.score >= (category === 'performance' ? 0.9 : 1)) continue;
		// Performance rows are hints (URLs of the slow files): the first three do.
		out.push({ category, id: ref.id, title: audit.title, score: audit.score, items: itemLines(audit.details).slice(0, category === 'performance' ? 3 : 8) });
	}
	return out;
}

/** One step of a flow result as the bench reports it (exported to re-read saved flow JSON). */
export function screenOf(lhr: Lhr, screen: string, baseUrl: string): LighthouseScreen {
	const score = (id: string) => (lhr.categories[id]?.score == null ? null : Math.round(lhr.categories[id]!.score! * 100));
	const navigation = lhr.gatherMode === 'navigation';
	let script: LighthouseScreen['script'] = null;
	if (navigation) {
		const requests = ((lhr.audits['network-requests']?.details as { items?: { url: string; resourceType?: string; transferSize?: number; resourceSize?: number; sessionTargetType?: string }[] } | undefined)?.items ?? []).filter(
			(r) => r.resourceType === 'Script' && (r.sessionTargetType ?? 'page') === 'page'
		);
		script = { files: requests.length, transferBytes: requests.reduce((n, r) => n + (r.transferSize ?? 0), 0), resourceBytes: requests.reduce((n, r) => n + (r.resourceSize ?? 0), 0) };
	}
	const lcp = lhr.audits['largest-contentful-paint']?.numericValue;
	const metric = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
	return {
		screen,
		path: (lhr.finalDisplayedUrl || lhr.requestedUrl || '').replace(baseUrl, '').replace(/#.*/, '#…'),
		mode: navigation ? 'navigation' : 'snapshot',
		scores: { performance: navigation ? score('performance') : null, accessibility: score('accessibility'), 'best-practices': score('best-practices') },
		lcpMs: navigation && typeof lcp === 'number' ? Math.round(lcp) : null,
		metrics: navigation
			? { fcpMs: Math.round(metric('first-contentful-paint')), speedIndexMs: Math.round(metric('speed-index')), tbtMs: Math.round(metric('total-blocking-time')), cls: round(metric('cumulative-layout-shift'), 3) }
			: null,
		script,
		// URLs without the scratch server's origin (its port changes every run).
		failing: [...failingAudits(lhr, 'accessibility'), ...failingAudits(lhr, 'best-practices'), ...(navigation ? failingAudits(lhr, 'performance') : [])].map((f) => ({
			...f,
			items: f.items.map((line) => line.split(baseUrl).join(''))
		})),
		warnings: lhr.runWarnings.map(String)
	};
}

// ── The run ─────────────────────────────────────────────────────────────────────────────

async function closeBrowser(browser: Browser): Promise<void> {
	const child = browser.process();
	try {
		await Promise.race([browser.close(), new Promise((_, reject) => setTimeout(() => reject(new Error('close timed out')), 10_000))]);
	} catch {
		if (child && child.exitCode === null) child.kill('SIGKILL');
	}
}

export async function runLighthouseBench(server: ServerProcess, opts: { log?: (line: string) => void } = {}): Promise<LighthouseResult> {
	const log = opts.log ?? (() => {});
	const url = server.url;
	const t0 = performance.now();
	const seed = await seedDemo({ baseUrl: url, setupToken: server.setupUrl!.split('#')[1]!, people: 12, handlerLogN: 10 });
	if (!seed.tryJoin) throw new Error('lighthouse bench: the demo seed left no open invitation');
	log(`  seeded a demo office (12 people) in ${round((performance.now() - t0) / 1000)} s`);

	const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, defaultViewport: null });
	const reportDir = process.env.BENCH_LIGHTHOUSE_REPORT;
	try {
		const lighthouseVersion = (JSON.parse(readFileSync('node_modules/lighthouse/package.json', 'utf8')) as { version: string }).version;
		const browserVersion = (await browser.version()).replace(/^[^/]*\//, '');

		// The employee's phone: the letter's link, joining, then /me and the wizard.
		const phone = await (await browser.createBrowserContext()).newPage();
		const employeeFlow = await startFlow(phone, { name: 'mynumber-vault: employee' });
		const step = async (label: string, fn: () => Promise<void>) => {
			const started = performance.now();
			await fn();
			log(`  ${label} (${round((performance.now() - started) / 1000)} s)`);
		};
		await step('employee entry: /join from the letter', () => employeeFlow.navigate(`${url}/join#${seed.tryJoin!.fragment}`, { name: 'employee entry', disableStorageReset: false }));
		await fill(phone, '初期パスワード', seed.tryJoin.initialPassword);
		await fill(phone, '新しいパスワード', EMPLOYEE_PASSWORD);
		await fill(phone, '新しいパスワード（確認）', EMPLOYEE_PASSWORD);
		await click(phone, 'button', 'はじめる');
		await phone.waitForSelector(role('button', '提出を始める'), { visible: true, timeout: 60_000 });
		await step('employee home: /me, signed in', () => employeeFlow.navigate(`${url}/me`, { name: 'employee home', disableStorageReset: false }));
		// After a reload the device key is sealed under the own password: unlock, then start the wizard.
		await fill(phone, 'パスワード', EMPLOYEE_PASSWORD);
		await click(phone, 'button', 'サインイン');
		await click(phone, 'button', '提出を始める', 60_000);
		await waitForHeading(phone, '利用目的の確認');
		await check(phone, '利用目的を確認しました');
		await click(phone, 'button', '次へ');
		await waitForHeading(phone, '書類の選択');
		await step('employee documents: wizard step 2 (snapshot)', () => employeeFlow.snapshot({ name: 'employee documents' }));
		await check(phone, 'マイナンバーカード');
		await click(phone, 'button', '次へ');
		await waitForHeading(phone, '書類の撮影');
		await step('employee photos: wizard step 3 (snapshot)', () => employeeFlow.snapshot({ name: 'employee photos' }));

		// The handler's desk: signed in through /login, then a cold navigation to /desk.
		const desk = await (await browser.createBrowserContext()).newPage();
		await desk.goto(`${url}/login`, { waitUntil: 'networkidle0' });
		await fill(desk, 'ユーザーID', DEMO_USERS.admin.loginId);
		await fill(desk, 'パスワード', DEMO_USERS.admin.password);
		await click(desk, 'button', 'ログイン');
		await desk.waitForFunction(() => location.pathname === '/desk', { timeout: 30_000 });
		const handlerFlow = await startFlow(desk, { name: 'mynumber-vault: handler' });
		await step('handler dashboard: /desk, signed in', () => handlerFlow.navigate(`${url}/desk`, { name: 'handler dashboard', disableStorageReset: false }));

		const started = performance.now();
		const [employeeResult, handlerResult] = [await employeeFlow.createFlowResult(), await handlerFlow.createFlowResult()];
		log(`  audits computed (${round((performance.now() - started) / 1000)} s)`);
		if (reportDir) {
			mkdirSync(reportDir, { recursive: true });
			writeFileSync(join(reportDir, 'lighthouse-employee.html'), await employeeFlow.generateReport());
			writeFileSync(join(reportDir, 'lighthouse-handler.html'), await handlerFlow.generateReport());
			writeFileSync(join(reportDir, 'lighthouse-flows.json'), JSON.stringify([employeeResult, handlerResult]));
			log(`  flow reports written to ${reportDir}`);
		}
		const lhrs = [...employeeResult.steps, ...handlerResult.steps].map((s) => s.lhr);
		const names = ['employee entry', 'employee home', 'employee documents', 'employee photos', 'handler dashboard'];
		const screens = lhrs.map((lhr, i) => screenOf(lhr, names[i]!, url));

		const figures: LighthouseFigure[] = [];
		for (const s of screens) {
			const failingIn = (c: FailingAudit['category']) => s.failing.filter((f) => f.category === c).map((f) => f.id);
			const where = `${s.screen} (${s.path})`;
			for (const c of ['performance', 'accessibility', 'best-practices'] as const) {
				const value = s.scores[c];
				if (value === null) continue;
				const failing = failingIn(c);
				const note =
					c === 'performance' && s.metrics
						? `FCP ${s.metrics.fcpMs} ms, SI ${s.metrics.speedIndexMs} ms, TBT ${s.metrics.tbtMs} ms, CLS ${s.metrics.cls}`
						: [s.mode === 'snapshot' ? 'snapshot' : '', failing.length ? `failing: ${failing.join(', ')}` : ''].filter(Boolean).join('; ') || undefined;
				figures.push({ name: `Lighthouse ${c}, ${where}`, value, unit: 'score', ...(note ? { note } : {}) });
			}
			if (s.lcpMs !== null) figures.push({ name: `Lighthouse LCP, ${where}`, value: s.lcpMs, unit: 'ms', note: 'simulated slow 4G, 4× CPU' });
			if (s.script) {
				figures.push({ name: `JavaScript of the first screen, transferred, ${where}`, value: kib(s.script.transferBytes), unit: 'KiB', note: `${s.script.files} files, ${kib(s.script.resourceBytes)} KiB uncompressed` });
				figures.push({ name: `JavaScript of the first screen, uncompressed, ${where}`, value: kib(s.script.resourceBytes), unit: 'KiB' });
			}
		}
		const first = lhrs[0]!;
		const cfg = first.configSettings;
		return {
			figures,
			screens,
			browserVersion,
			lighthouseVersion,
			settings: {
				formFactor: cfg.formFactor,
				throttlingMethod: cfg.throttlingMethod,
				throttling: { ...cfg.throttling },
				screen: `${cfg.screenEmulation.width}×${cfg.screenEmulation.height} @${cfg.screenEmulation.deviceScaleFactor}x${cfg.screenEmulation.mobile ? ', mobile' : ''}`,
				benchmarkIndex: first.environment.benchmarkIndex ?? null
			}
		};
	} finally {
		await closeBrowser(browser);
	}
}
