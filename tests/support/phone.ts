/**
 * The employee's phone in Playwright: the submission wizard driven as a person would, and a full
 * read of what the origin keeps on the device (every IndexedDB record, Cache Storage, localStorage,
 * sessionStorage) for the "nothing readable left behind" checks.
 */
import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { EMPLOYEE_PASSWORD } from './journey';
import { hasExifTrace, withExifGps } from './exif';

export const FIXTURE_FRONT = 'tests/fixtures/ocr/tsuchi-card.jpg';
export const FIXTURE_BACK = 'tests/fixtures/ocr/card-back.png';

export interface EmployeeInput {
	/** As typed (full-width, with hyphens, …). */
	number: string;
	name: string;
	kana: string;
	birth: string;
	address: string;
	dependent?: { name: string; kana: string; birth: string; number: string };
	/** A purpose of use the notice must list. */
	purpose?: string;
	/** Looked up before the address is typed; `postalAddress` is what the lookup must fill in. */
	postalCode?: string;
	postalAddress?: string;
	/** The button that starts the wizard: 「提出を始める」, or 「内容を訂正して再提出する」 after a return. */
	start?: string;
}

/** On /join from the letter's link: the initial password, then the employee's own password twice. */
export async function joinFromLetter(page: Page, initialPassword: string, ownPassword = EMPLOYEE_PASSWORD): Promise<void> {
	await page.getByLabel('初期パスワード').fill(initialPassword);
	await page.getByLabel('新しいパスワード', { exact: true }).fill(ownPassword);
	await page.getByLabel('新しいパスワード（確認）').fill(ownPassword);
	await page.getByRole('button', { name: 'はじめる' }).click();
}

/** From the /me home screen to "sent or queued": purposes, documents, photos, number, details, dependents, review. */
export async function submitAsEmployee(page: Page, input: EmployeeInput): Promise<void> {
	await page.getByRole('button', { name: input.start ?? '提出を始める' }).click();
	await expect(page.getByRole('heading', { name: '利用目的の確認' })).toBeVisible();
	if (input.purpose) await expect(page.getByTestId('purposes')).toContainText(input.purpose);
	await page.getByRole('button', { name: '次へ' }).click();
	await expect(page.getByRole('alert')).toContainText('チェックを入れてください');
	await page.getByLabel('利用目的を確認しました').check();
	await page.getByRole('button', { name: '次へ' }).click();

	await page.getByRole('radio', { name: /個人番号通知書/ }).check();
	await expect(page.getByText('個人番号通知書は番号を証明する書類として使えません')).toBeVisible();
	await page.getByRole('radio', { name: /マイナンバーカード/ }).check();
	await page.getByRole('button', { name: '次へ' }).click();

	await expect(page.getByRole('heading', { name: '書類の撮影' })).toBeVisible();
	await page.getByRole('button', { name: '次へ' }).click();
	await expect(page.getByRole('alert').first()).toContainText('必要な写真がそろっていません');
	// As a phone camera leaves it: with a GPS position and the camera's make in its EXIF block.
	const front = withExifGps(readFileSync(FIXTURE_FRONT));
	expect(hasExifTrace(front)).toBe(true);
	await page.getByTestId('pick-card_front').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(front) });
	await page.getByTestId('pick-card_back').setInputFiles(FIXTURE_BACK);
	await expect(page.getByTestId('slot-card_front').getByText('撮影済み')).toBeVisible({ timeout: 20_000 });
	await expect(page.getByTestId('slot-card_back').getByText('撮影済み')).toBeVisible({ timeout: 20_000 });
	await page.getByRole('button', { name: '次へ' }).click();

	// OCR in its Worker with the self-hosted (precached) tesseract assets: the card back's number is filled in.
	await page.getByRole('button', { name: '写真から番号を読み取る' }).click();
	await expect(page.getByTestId('ocr-note')).toContainText('写真から読み取りました', { timeout: 60_000 });
	await expect(page.getByLabel('マイナンバー（12桁）')).toHaveValue('1234 5678 9018');
	await page.getByLabel('マイナンバー（12桁）').fill('123456789019');
	await page.getByRole('button', { name: '次へ' }).click();
	await expect(page.getByRole('alert')).toContainText('12桁目');
	await page.getByLabel('マイナンバー（12桁）').fill(input.number);
	await page.getByRole('button', { name: '次へ' }).click();

	await page.getByLabel('氏名', { exact: true }).fill(input.name);
	await page.getByLabel('氏名（ふりがな）').fill('しけん花子');
	await page.getByLabel('生年月日').fill(input.birth);
	if (input.postalCode) {
		// The lookup fetches one shard of Japan Post's data (from our origin) and fills the empty address field.
		await page.getByLabel('郵便番号').fill('12-34');
		await page.getByRole('button', { name: '住所を検索' }).click();
		await expect(page.getByText('郵便番号は7桁の数字で入力してください')).toBeVisible();
		await page.getByLabel('郵便番号').fill(input.postalCode);
		await page.getByRole('button', { name: '住所を検索' }).click();
		await expect(page.getByLabel('住所', { exact: true })).toHaveValue(input.postalAddress ?? '');
	}
	await page.getByLabel('住所', { exact: true }).fill(input.address);
	await page.getByRole('button', { name: '次へ' }).click();
	await expect(page.getByText('「花」（4文字目）は使えません。')).toBeVisible();
	await page.getByLabel('氏名（ふりがな）').fill(input.kana);
	await page.getByRole('button', { name: '次へ' }).click();

	await expect(page.getByRole('heading', { name: '扶養家族' })).toBeVisible();
	if (input.dependent) {
		await page.getByRole('button', { name: '扶養家族を追加' }).click();
		await page.getByLabel('続柄').selectOption('child');
		await page.getByLabel('氏名', { exact: true }).fill(input.dependent.name);
		await page.getByLabel('氏名（ふりがな）').fill(input.dependent.kana);
		await page.getByLabel('生年月日').fill(input.dependent.birth);
		await page.getByLabel('扶養家族のマイナンバー').fill(input.dependent.number);
		await page.getByRole('button', { name: 'この内容で追加' }).click();
		await expect(page.getByTestId('dependent')).toHaveCount(1);
	}
	await page.getByRole('button', { name: '次へ' }).click();

	await expect(page.getByRole('heading', { name: '提出内容の確認' })).toBeVisible();
	await page.getByRole('button', { name: '暗号化して送信する' }).click();
	await expect(page.getByRole('heading', { name: '提出を受け付けました' })).toBeVisible({ timeout: 30_000 });
}

/** Everything the origin stores on the device, as text; binary values as hex, each tagged whether it is an age file. */
export async function readOriginStorage(page: Page): Promise<{ text: string; binaries: { hex: string; isAge: boolean }[] }> {
	return page.evaluate(async () => {
		const parts: string[] = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })];
		const binaries: { hex: string; isAge: boolean }[] = [];
		const AGE = 'age-encryption.org/v1';
		const walk = (v: unknown): unknown => {
			if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
				const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : v;
				const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
				binaries.push({ hex, isAge: new TextDecoder().decode(bytes.subarray(0, AGE.length)) === AGE });
				return `<${bytes.length} bytes>`;
			}
			if (Array.isArray(v)) return v.map(walk);
			if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
			return v;
		};
		for (const info of await indexedDB.databases()) {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open(info.name!);
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			for (const store of Array.from(db.objectStoreNames)) {
				const rows = await new Promise<unknown[]>((resolve, reject) => {
					const req = db.transaction(store).objectStore(store).getAll();
					req.onsuccess = () => resolve(req.result);
					req.onerror = () => reject(req.error);
				});
				parts.push(`idb:${info.name}/${store}:${JSON.stringify(rows.map(walk))}`);
			}
			db.close();
		}
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			for (const req of await cache.keys()) {
				const res = await cache.match(req);
				const type = res?.headers.get('content-type') ?? '';
				if (res && /json|text\/plain/.test(type)) parts.push(await res.text());
			}
		}
		return { text: parts.join('\n'), binaries };
	});
}

/** Asserts the phone holds none of the plaintext: no typed value, no photo bytes, and only age files as binary data. */
export async function expectNothingReadableStored(page: Page, plaintexts: string[], photoFiles: string[] = [FIXTURE_FRONT, FIXTURE_BACK]): Promise<{ sealedItems: number }> {
	const stored = await readOriginStorage(page);
	for (const secret of plaintexts) expect(stored.text, `device storage holds ${secret}`).not.toContain(secret);
	const allHex = stored.binaries.map((b) => b.hex).join('|');
	for (const file of photoFiles) {
		const bytes = readFileSync(file);
		// A 64-byte run from the middle of the photo: present if the file was stored in any form but sealed.
		const probe = bytes.subarray(Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64).toString('hex');
		expect(allHex.includes(probe), `device storage holds bytes of ${file}`).toBe(false);
	}
	for (const b of stored.binaries.filter((x) => x.hex.length > 0)) expect(b.isAge, 'a binary value that is not an age file').toBe(true);
	return { sealedItems: stored.binaries.length };
}
