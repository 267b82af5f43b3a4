/**
 * Keyboard only (issue 9): an employee joins from the letter and submits, and the handler verifies
 * the submission and views the number with a reason, using nothing but Tab, Shift+Tab, arrow keys,
 * Space, Enter, Escape and typing. Playwright finds the element it wants to reach (as a person
 * reads the screen) but never clicks or fills: the keyboard moves focus there, and every stop must
 * show a visible focus indicator. Photos are chosen through the file chooser that Enter opens.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { DEMO_PASSPHRASE, DEMO_USERS } from '../../scripts/demo-seed';
import { FIXTURE_BACK, FIXTURE_FRONT } from '../support/phone';
import { startDemo, type Demo } from '../support/tour';

let demo: Demo;
test.beforeAll(async () => {
	test.setTimeout(240_000);
	demo = await startDemo();
});
test.afterAll(async () => {
	await demo?.close();
});

/** Whether `target` (or something inside it) has the focus. */
const hasFocus = (target: Locator) => target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement), undefined, { timeout: 5_000 });

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus, and checks that the focus is visible
 * there: an outline, a box shadow, or (for a visually hidden file input) its label's ring.
 */
async function tabTo(page: Page, target: Locator, opts: { max?: number; backwards?: boolean } = {}): Promise<void> {
	await expect(target).toBeAttached();
	for (let i = 0; i < (opts.max ?? 80); i++) {
		if (await hasFocus(target)) {
			const visible = await page.evaluate(() => {
				const shown = (el: Element | null) => {
					if (!el) return false;
					const s = getComputedStyle(el);
					return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
				};
				const el = document.activeElement;
				return shown(el) || shown(el?.closest('label') ?? null);
			});
			expect(visible, `no visible focus on ${target}`).toBe(true);
			return;
		}
		await page.keyboard.press(opts.backwards ? 'Shift+Tab' : 'Tab');
	}
	throw new Error(`Tab never reached ${target}`);
}

async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
	await tabTo(page, field);
	await page.keyboard.press('ControlOrMeta+a');
	await page.keyboard.type(text);
}

async function press(page: Page, target: Locator, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
	await tabTo(page, target);
	await page.keyboard.press(key);
}

/** Tabs into a radio group, then moves with the arrow keys until `radio` is checked. */
async function chooseRadio(page: Page, group: Locator, radio: Locator): Promise<void> {
	await tabTo(page, group);
	for (let i = 0; i < 12 && !(await radio.isChecked()); i++) await page.keyboard.press('ArrowDown');
	await expect(radio).toBeChecked();
}

/** Enter on the focused file input opens the chooser; the test hands it the photo. */
async function pickFile(page: Page, input: Locator, file: string): Promise<void> {
	await tabTo(page, input);
	const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
	await chooser.setFiles(file);
}

test('the employee journey and the handler’s verify-and-view, by keyboard alone', async ({ browser }) => {
	test.setTimeout(600_000);
	const join = demo.seed.tryJoin!;
	const company = demo.seed.companies.find((c) => c.name === join.company)!;

	// ── The employee ──────────────────────────────────────────────────────────────────────────
	const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' });
	const phone = await phoneContext.newPage();
	await phone.goto(`${demo.baseUrl}/join#${join.fragment}`);
	await typeInto(phone, phone.getByLabel('初期パスワード'), join.initialPassword);
	await typeInto(phone, phone.getByLabel('新しいパスワード', { exact: true }), 'keyboard-employee-2026');
	await typeInto(phone, phone.getByLabel('新しいパスワード（確認）'), 'keyboard-employee-2026');
	await phone.keyboard.press('Enter');

	await press(phone, phone.getByRole('button', { name: '提出を始める' }));
	await expect(phone.getByRole('heading', { name: '利用目的の確認' })).toBeVisible();
	await press(phone, phone.getByLabel('利用目的を確認しました'), 'Space');
	await expect(phone.getByLabel('利用目的を確認しました')).toBeChecked();
	await press(phone, phone.getByRole('button', { name: '次へ' }));

	const card = phone.getByRole('radio', { name: /マイナンバーカード/ });
	await expect(card).toBeVisible();
	await chooseRadio(phone, phone.getByRole('radiogroup').or(phone.locator('fieldset')).filter({ has: card }).first(), card);
	await press(phone, phone.getByRole('button', { name: '次へ' }));

	await expect(phone.getByRole('heading', { name: '書類の撮影' })).toBeVisible();
	await pickFile(phone, phone.getByTestId('pick-card_front'), FIXTURE_FRONT);
	await expect(phone.getByTestId('slot-card_front').getByText('撮影済み')).toBeVisible({ timeout: 20_000 });
	await pickFile(phone, phone.getByTestId('pick-card_back'), FIXTURE_BACK);
	await expect(phone.getByTestId('slot-card_back').getByText('撮影済み')).toBeVisible({ timeout: 20_000 });
	await press(phone, phone.getByRole('button', { name: '次へ' }));

	await press(phone, phone.getByRole('button', { name: '写真から番号を読み取る' }));
	await expect(phone.getByTestId('ocr-note')).toContainText('写真から読み取りました', { timeout: 90_000 });
	await expect(phone.getByLabel('マイナンバー（12桁）')).toHaveValue('1234 5678 9018');
	await press(phone, phone.getByRole('button', { name: '次へ' }));

	await typeInto(phone, phone.getByLabel('氏名', { exact: true }), join.name);
	await typeInto(phone, phone.getByLabel('氏名（ふりがな）'), 'みほん　たろう');
	await typeInto(phone, phone.getByLabel('生年月日'), 'H2.4.1');
	await typeInto(phone, phone.getByLabel('住所', { exact: true }), '東京都架空区見本町１－２－３');
	await press(phone, phone.getByRole('button', { name: '次へ' }));
	await expect(phone.getByRole('heading', { name: '扶養家族' })).toBeVisible();
	await press(phone, phone.getByRole('button', { name: '次へ' }));
	await expect(phone.getByRole('heading', { name: '提出内容の確認' })).toBeVisible();
	await press(phone, phone.getByRole('button', { name: '暗号化して送信する' }));
	await expect(phone.getByTestId('queued-state')).toHaveText(/会社に届きました/, { timeout: 60_000 });
	await phoneContext.close();

	// ── The handler ───────────────────────────────────────────────────────────────────────────
	const deskContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
	const desk = await deskContext.newPage();
	await desk.goto(`${demo.baseUrl}/login`);
	await typeInto(desk, desk.getByLabel('ユーザーID'), DEMO_USERS.admin.loginId);
	await typeInto(desk, desk.getByLabel('パスワード', { exact: true }), DEMO_USERS.admin.password);
	await desk.keyboard.press('Enter');
	await expect(desk).toHaveURL(/\/desk\/?$/);

	await press(desk, desk.getByRole('link', { name: company.name }).first());
	await expect(desk).toHaveURL(/\/desk\/company/);
	await typeInto(desk, desk.getByLabel('鍵のパスフレーズ', { exact: true }), DEMO_PASSPHRASE);
	await desk.keyboard.press('Enter');
	await expect(desk.getByLabel('鍵のパスフレーズ', { exact: true })).toHaveCount(0, { timeout: 30_000 });

	// Verify: the queue, the submission with its prefilled reason, the checklist, accept.
	await press(desk, desk.getByRole('link', { name: /確認待ち \d+件を確認する/ }));
	await expect(desk).toHaveURL(/\/desk\/review/);
	const queue = desk.getByRole('navigation').filter({ has: desk.getByRole('heading', { name: /確認待ち/ }) });
	await press(desk, queue.getByRole('button', { name: new RegExp(join.code) }));
	await expect(desk.getByLabel('閲覧理由')).toHaveValue(/.+/);
	await press(desk, desk.getByRole('button', { name: '記録して開く' }));
	await expect(desk.getByTestId('review-number')).toHaveText('1234 5678 9018', { timeout: 30_000 });
	const checks = desk.getByRole('group', { name: '確認項目' }).getByRole('checkbox');
	for (const box of await checks.all()) {
		await press(desk, box, 'Space');
		await expect(box).toBeChecked();
	}
	await press(desk, desk.getByRole('button', { name: '確認済みにする' }));
	await expect(desk.getByText(`${join.code} を確認済みにしました。`)).toBeVisible();

	// View: back on the company page, the number of that employee after giving a reason.
	await press(desk, desk.getByRole('link', { name: '← 会社のページへ' }), 'Enter');
	await expect(desk).toHaveURL(/\/desk\/company/);
	const reveal = desk.getByRole('row', { name: new RegExp(join.code) }).getByRole('button', { name: '番号を表示' });
	await press(desk, reveal);
	const dialog = desk.getByRole('dialog');
	// Opening the dialog moves the focus into it.
	await expect.poll(() => hasFocus(dialog)).toBe(true);
	await typeInto(desk, dialog.getByLabel('閲覧理由'), '源泉徴収票作成事務');
	await desk.keyboard.press('Enter');
	await expect(dialog.getByText('1234 5678 9018')).toBeVisible({ timeout: 30_000 });
	await press(desk, dialog.getByRole('button', { name: '隠す' }));
	await expect(dialog).toHaveCount(0);
	await expect(reveal).toBeFocused();
	await deskContext.close();
});
