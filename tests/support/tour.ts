/**
 * A guided tour of every screen of both apps on the demo data (scripts/demo-seed.ts), shared by the
 * accessibility test (tests/e2e/a11y.spec.ts) and `npm run screenshots`: the employee's phone from
 * the sign-in screen through join, purpose of use, documents, OCR, details, dependents, review, the
 * outbox (sent while offline) and the status; the handler's desk from the start page through the
 * dashboard, keys, a company (locked, unlocked, each tab), a reveal with its reason, the
 * verification queue side by side, entry on behalf, the history, the password page, help and a
 * missing page. At each stop the tour calls `visit` once per requested language, switching with
 * the header's language buttons as a person would.
 */
import { expect as baseExpect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../../server/app';
import { DEMO_PASSPHRASE, DEMO_USERS, demoClock, seedDemo, type SeedResult } from '../../scripts/demo-seed';
import { FIXTURE_BACK, FIXTURE_FRONT } from './phone';

// The same patience inside and outside the test runner (`npm run screenshots` runs the tour too).
const expect = baseExpect.configure({ timeout: 15_000 });

export type Device = 'phone' | 'desktop';
export type Lang = 'ja' | 'en';

/** One screen of the tour. */
export interface Stop {
	/** Stable name, also the screenshot's file name (`phone-join`, `desk-dashboard`, …). */
	id: string;
	device: Device;
}

export type Visit = (page: Page, stop: Stop, lang: Lang) => Promise<void>;

const messages = Object.fromEntries(
	(['ja', 'en'] as const).map((lang) => [lang, JSON.parse(readFileSync(`messages/${lang}.json`, 'utf8')) as Record<string, string>])
) as Record<Lang, Record<string, string>>;

/** A message's text in either language (exactly, unless `contains`): for controls the tour uses after a language switch. */
export function either(key: string, contains = false): RegExp {
	const texts = (['ja', 'en'] as const).map((lang) => {
		const text = messages[lang][key];
		if (!text) throw new Error(`no message ${key} in ${lang}`);
		return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	});
	return new RegExp(contains ? texts.join('|') : `^(?:${texts.join('|')})$`);
}

export interface Demo {
	baseUrl: string;
	seed: SeedResult;
	close(): Promise<void>;
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;
export const DESKTOP = { viewport: { width: 1280, height: 900 } } as const;

/** The demo (12 people, cheap key files) on a scratch embedded database, in this process. */
export async function startDemo(opts: { people?: number } = {}): Promise<Demo> {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-tour-'));
	const clock = demoClock();
	const running: RunningServer = await startServer({
		db: { dataDir: join(dir, 'data') },
		port: 0,
		host: '127.0.0.1',
		staticDir: 'build',
		quiet: true,
		now: clock.now,
		config: { passwordLogN: 12 }
	});
	try {
		const port = (running.server.address() as AddressInfo).port;
		const baseUrl = `http://127.0.0.1:${port}`;
		const seed = await seedDemo({ baseUrl, setupToken: running.services.setup.token!, people: opts.people ?? 12, clock, handlerLogN: 10 });
		// The browser sessions that follow live in the present.
		clock.offsetMs = 0;
		return {
			baseUrl,
			seed,
			async close() {
				await running.close();
				rmSync(dir, { recursive: true, force: true });
			}
		};
	} catch (error) {
		await running.close().catch(() => undefined);
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
}

/** The app's routes, read from src/routes (`/desk/company`, …), so a new page joins the tour's checks. */
export function appRoutes(root = 'src/routes'): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (name === '+page.svelte') found.push('/' + relative(root, dir).split(sep).filter(Boolean).join('/'));
		}
	};
	walk(root);
	return found.map((r) => (r === '/' ? '/' : r.replace(/\/$/, ''))).sort();
}

/** Switches the display language with the header's buttons and waits for the page to follow. */
export async function switchLanguage(page: Page, lang: Lang): Promise<void> {
	if ((await page.locator('html').getAttribute('lang')) === lang) return;
	await page.getByRole('button', { name: lang === 'ja' ? '日本語' : 'English', exact: true }).click();
	await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

/** Waits until nothing on the page says it is loading and fonts are in. */
async function settle(page: Page): Promise<void> {
	await page.waitForLoadState('networkidle').catch(() => undefined);
	await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
	await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

/**
 * Runs the tour. `visit` is called at every stop for every language in `langs` (the page shows that
 * language when it is called). Returns the pathnames visited, for the route-coverage check.
 */
export async function tour(browser: Browser, demo: Demo, visit: Visit, langs: Lang[] = ['ja']): Promise<Set<string>> {
	const visited = new Set<string>();
	const contexts: BrowserContext[] = [];
	const at = async (page: Page, stop: Stop) => {
		await settle(page);
		visited.add(new URL(page.url()).pathname.replace(/\/$/, '') || '/');
		for (const lang of langs) {
			await switchLanguage(page, lang);
			await settle(page);
			await visit(page, stop, lang);
		}
		await switchLanguage(page, 'ja');
	};
	/** A stop inside a modal dialog: the header is inert there, so the dialog is opened once per language. */
	const atDialog = async (page: Page, stop: Stop, open: () => Promise<void>, close: () => Promise<void>) => {
		for (const lang of langs) {
			await switchLanguage(page, lang);
			await open();
			await settle(page);
			await visit(page, stop, lang);
			await close();
		}
		await switchLanguage(page, 'ja');
	};
	const newPage = async (device: Device) => {
		const context = await browser.newContext({ ...(device === 'phone' ? PHONE : DESKTOP), locale: 'ja-JP', permissions: ['clipboard-read', 'clipboard-write'] });
		contexts.push(context);
		const page = await context.newPage();
		page.on('pageerror', (e) => console.log(`[tour ${device}] page error:`, e.message));
		return page;
	};
	const { baseUrl, seed } = demo;
	const company = seed.companies[0]!;

	try {
		// ── The employee's phone ───────────────────────────────────────────────────────────────
		const phone = await newPage('phone');
		await phone.goto(`${baseUrl}/me`);
		await expect(phone.getByRole('heading', { level: 1 })).toBeVisible();
		await at(phone, { id: 'phone-signin', device: 'phone' });

		const join = seed.tryJoin;
		if (!join) throw new Error('the demo has no open invitation');
		await phone.goto(`${baseUrl}/join#${join.fragment}`);
		await expect(phone.getByLabel('初期パスワード')).toBeVisible();
		await at(phone, { id: 'phone-join', device: 'phone' });
		await phone.getByLabel('初期パスワード').fill(join.initialPassword);
		await phone.getByLabel('新しいパスワード', { exact: true }).fill('tour-employee-2026');
		await phone.getByLabel('新しいパスワード（確認）').fill('tour-employee-2026');
		await phone.getByRole('button', { name: 'はじめる' }).click();
		await expect(phone.getByRole('button', { name: '提出を始める' })).toBeVisible({ timeout: 30_000 });
		await at(phone, { id: 'phone-home', device: 'phone' });

		await phone.getByRole('button', { name: '提出を始める' }).click();
		await expect(phone.getByRole('heading', { name: '利用目的の確認' })).toBeVisible();
		await at(phone, { id: 'phone-purpose', device: 'phone' });
		// A contextual 「?」: the entry opens in a dialog over the step (nothing typed is lost).
		const helpDialog = phone.getByRole('dialog');
		await atDialog(
			phone,
			{ id: 'phone-help-dialog', device: 'phone' },
			async () => {
				await phone.locator('button.help-link').first().click();
				await expect(helpDialog).toBeVisible();
			},
			async () => {
				await phone.keyboard.press('Escape');
				await expect(helpDialog).toBeHidden();
			}
		);
		await phone.getByLabel('利用目的を確認しました').check();
		await phone.getByRole('button', { name: '次へ' }).click();

		await expect(phone.getByRole('radio', { name: /マイナンバーカード/ })).toBeVisible();
		await at(phone, { id: 'phone-evidence', device: 'phone' });
		await phone.getByRole('radio', { name: /マイナンバーカード/ }).check();
		await phone.getByRole('button', { name: '次へ' }).click();

		await expect(phone.getByRole('heading', { name: '書類の撮影' })).toBeVisible();
		await phone.getByTestId('pick-card_front').setInputFiles(FIXTURE_FRONT);
		await phone.getByTestId('pick-card_back').setInputFiles(FIXTURE_BACK);
		await expect(phone.getByTestId('slot-card_front').getByText('撮影済み')).toBeVisible({ timeout: 20_000 });
		await expect(phone.getByTestId('slot-card_back').getByText('撮影済み')).toBeVisible({ timeout: 20_000 });
		await at(phone, { id: 'phone-documents', device: 'phone' });
		await phone.getByRole('button', { name: '次へ' }).click();

		await phone.getByRole('button', { name: '写真から番号を読み取る' }).click();
		await expect(phone.getByTestId('ocr-note')).toContainText('写真から読み取りました', { timeout: 90_000 });
		await at(phone, { id: 'phone-ocr-confirm', device: 'phone' });
		await phone.getByRole('button', { name: '次へ' }).click();

		await phone.getByLabel('氏名', { exact: true }).fill(join.name);
		await phone.getByLabel('氏名（ふりがな）').fill('みほん　たろう');
		await phone.getByLabel('生年月日').fill('H2.4.1');
		await phone.getByLabel('住所', { exact: true }).fill('東京都架空区見本町１－２－３');
		await at(phone, { id: 'phone-details', device: 'phone' });
		await phone.getByRole('button', { name: '次へ' }).click();

		await expect(phone.getByRole('heading', { name: '扶養家族' })).toBeVisible();
		await at(phone, { id: 'phone-dependents', device: 'phone' });
		await phone.getByRole('button', { name: '次へ' }).click();

		await expect(phone.getByRole('heading', { name: '提出内容の確認' })).toBeVisible();
		await at(phone, { id: 'phone-review', device: 'phone' });

		// Sent with no network: the sealed submission waits in the outbox, then goes out by itself.
		await phone.context().setOffline(true);
		await phone.getByRole('button', { name: '暗号化して送信する' }).click();
		await expect(phone.getByRole('heading', { name: '提出を受け付けました' })).toBeVisible({ timeout: 30_000 });
		await expect(phone.getByTestId('queued-state')).not.toHaveText(/会社に届きました/);
		await at(phone, { id: 'phone-outbox', device: 'phone' });
		await phone.context().setOffline(false);
		await expect(phone.getByTestId('queued-state')).toHaveText(/会社に届きました/, { timeout: 60_000 });
		await phone.getByRole('button', { name: '提出の状況を見る' }).click();
		await expect(phone.getByTestId('submission-status')).toBeVisible();
		await at(phone, { id: 'phone-status', device: 'phone' });
		await phone.goto(`${baseUrl}/help`);
		await expect(phone.getByRole('searchbox')).toBeVisible();
		await at(phone, { id: 'phone-help', device: 'phone' });

		// ── The handler's desk ────────────────────────────────────────────────────────────────
		const desk = await newPage('desktop');
		await desk.goto(`${baseUrl}/`);
		await at(desk, { id: 'desk-start', device: 'desktop' });
		await desk.goto(`${baseUrl}/setup`);
		await at(desk, { id: 'desk-setup', device: 'desktop' });
		await desk.goto(`${baseUrl}/partner`);
		await at(desk, { id: 'desk-partner', device: 'desktop' });
		await desk.goto(`${baseUrl}/nowhere`);
		await at(desk, { id: 'desk-not-found', device: 'desktop' });
		await desk.goto(`${baseUrl}/login`);
		await at(desk, { id: 'desk-login', device: 'desktop' });
		await desk.getByLabel('ユーザーID').fill(DEMO_USERS.admin.loginId);
		await desk.getByLabel('パスワード', { exact: true }).fill(DEMO_USERS.admin.password);
		await desk.getByRole('button', { name: 'ログイン' }).click();
		await expect(desk).toHaveURL(/\/desk\/?$/);
		await expect(desk.getByRole('link', { name: company.name }).first()).toBeVisible();
		await at(desk, { id: 'desk-dashboard', device: 'desktop' });

		await desk.goto(`${baseUrl}/desk/company?id=${company.id}`);
		await expect(desk.getByLabel('鍵のパスフレーズ', { exact: true })).toBeVisible();
		await at(desk, { id: 'desk-company-locked', device: 'desktop' });
		await desk.getByLabel('鍵のパスフレーズ', { exact: true }).fill(DEMO_PASSPHRASE);
		await desk.getByRole('button', { name: '鍵を開く' }).click();
		await expect(desk.getByLabel('鍵のパスフレーズ', { exact: true })).toHaveCount(0, { timeout: 30_000 });
		await at(desk, { id: 'desk-company', device: 'desktop' });
		const tabs = desk.getByRole('tab');
		for (let i = 0; i < (await tabs.count()); i++) {
			await tabs.nth(i).click();
			await at(desk, { id: `desk-company-tab-${i + 1}`, device: 'desktop' });
		}

		// A reveal: the reason first, then the number, in a modal dialog.
		// A row whose masked number shows: a record with a number (not a refusal).
		const withNumber = desk.getByRole('row').filter({ hasText: /\*{4} \*{4} \d{4}/ }).first();
		const revealButton = await findAcrossTabs(desk, withNumber.getByRole('button', { name: either('employee_reveal', true) }));
		const reasonDialog = desk.getByRole('dialog');
		await atDialog(
			desk,
			{ id: 'desk-reveal-reason', device: 'desktop' },
			async () => {
				await revealButton.click();
				await expect(reasonDialog.locator('#reveal-reason')).toBeVisible();
			},
			async () => {
				await desk.keyboard.press('Escape');
				await expect(reasonDialog).toHaveCount(0);
			}
		);
		await atDialog(
			desk,
			{ id: 'desk-reveal', device: 'desktop' },
			async () => {
				await revealButton.click();
				await reasonDialog.locator('#reveal-reason').fill('源泉徴収票作成事務');
				await reasonDialog.locator('form button[type=submit]').click();
				await expect(reasonDialog.getByText(/\d{4} \d{4} \d{4}/).first()).toBeVisible({ timeout: 30_000 });
			},
			async () => {
				await reasonDialog.getByRole('button', { name: either('reveal_hide') }).click();
				await expect(reasonDialog).toHaveCount(0);
			}
		);

		const entryLink = await findAcrossTabs(desk, desk.locator('a[href^="/desk/entry?"]').first());
		await entryLink.click();
		await expect(desk).toHaveURL(/\/desk\/entry/);
		await at(desk, { id: 'desk-entry', device: 'desktop' });

		// The verification queue: the phone's submission beside its photos.
		const joinCompany = seed.companies.find((c) => c.name === join.company) ?? company;
		await desk.goto(`${baseUrl}/desk/review?id=${joinCompany.id}`);
		await desk.getByLabel('鍵のパスフレーズ', { exact: true }).fill(DEMO_PASSPHRASE);
		await desk.getByRole('button', { name: '鍵を開く' }).click();
		const queue = desk.getByRole('navigation').filter({ has: desk.getByRole('heading', { name: /確認待ち/ }) });
		await expect(queue.getByRole('button').first()).toBeVisible({ timeout: 30_000 });
		await at(desk, { id: 'desk-review-queue', device: 'desktop' });
		await queue.getByRole('button', { name: new RegExp(escapeRegExp(join.code)) }).click();
		await desk.getByRole('button', { name: '記録して開く' }).click();
		await expect(desk.getByTestId('review-number')).toBeVisible({ timeout: 30_000 });
		await expect(desk.getByTestId('review-photo')).toBeVisible();
		await at(desk, { id: 'desk-review', device: 'desktop' });

		await desk.goto(`${baseUrl}/desk/history`);
		await expect(desk.getByRole('table').first()).toBeVisible({ timeout: 30_000 });
		await at(desk, { id: 'desk-history', device: 'desktop' });
		await desk.goto(`${baseUrl}/desk/keys`);
		await at(desk, { id: 'desk-keys', device: 'desktop' });
		await desk.goto(`${baseUrl}/password`);
		await at(desk, { id: 'desk-password', device: 'desktop' });
		await desk.goto(`${baseUrl}/help`);
		await at(desk, { id: 'desk-help', device: 'desktop' });
	} finally {
		for (const context of contexts) await context.close();
	}
	return visited;
}

/** The first element `target` matches, clicking through the page's tabs until it shows. */
async function findAcrossTabs(page: Page, target: Locator): Promise<Locator> {
	if (await target.isVisible()) return target;
	const tabs = page.getByRole('tab');
	for (let i = 0; i < (await tabs.count()); i++) {
		await tabs.nth(i).click();
		if (await target.isVisible().catch(() => false)) return target;
	}
	await expect(target).toBeVisible();
	return target;
}

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
