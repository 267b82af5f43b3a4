import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { letterStrings, reminderStrings, renderLettersPdf, renderRequestsPdf } from './letter';

const FONT = 'node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf';
const ja = JSON.parse(readFileSync('messages/ja.json', 'utf8')) as Record<string, string>;
const strings = letterStrings((key) => ja[key] ?? `<missing ${key}>`);
const reminder = reminderStrings((key) => ja[key] ?? `<missing ${key}>`);
const dir = mkdtempSync(join(tmpdir(), 'mnv-letter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const letters = [
	{ employeeCode: 'E-0001', name: '見本　太郎', link: 'https://vault.example/join#t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&fp=K4QF-7D2M&s=BBBB&e=1', initialPassword: 'ABCD-EFGH-JKLM', expiresText: '2026年12月23日' },
	{ employeeCode: 'E-0002', name: null, link: 'https://vault.example/join#t=CCCC&fp=K4QF-7D2M&s=DDDD&e=1', initialPassword: 'NPQR-STUV-WXYZ', expiresText: '2026年12月23日' }
];

describe('notification letters', () => {
	it('renders one page per employee with the code, the password, the link and the purposes', async () => {
		expect(Object.values(strings).flat().some((v) => v.startsWith('<missing'))).toBe(false);
		const pdf = await renderLettersPdf({
			companyName: '株式会社テスト髙橋商事',
			purposes: ['源泉徴収票作成事務', '雇用保険届出事務'],
			fingerprint: 'K4QF-7D2M-ABCD-EFGH',
			issuedText: '2026年11月23日',
			letters,
			strings,
			japaneseFont: readFileSync(FONT)
		});
		const doc = await PDFDocument.load(pdf);
		expect(doc.getPageCount()).toBe(2);
		const file = join(dir, 'letters.pdf');
		writeFileSync(file, pdf);
		// poppler-utils is required (.ci/run installs it): a missing tool fails here instead of skipping the checks.
		const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
		const [first, second] = text.split('\f');
		expect(first).toContain('マイナンバー（個人番号）ご提出のお願い');
		expect(first).toContain('太郎（E-0001） 様');
		expect(first).toContain('ABCD-EFGH-JKLM');
		expect(first).toContain('雇用保険届出事務');
		expect(first).toContain('株式会社テスト髙橋商事');
		expect(first).toContain('K4QF-7D2M-ABCD-EFGH');
		expect(first?.replace(/\s+/g, '')).toContain(letters[0]!.link);
		expect(first).not.toContain('NPQR-STUV-WXYZ');
		expect(second).toContain('E-0002 様');
		expect(second).toContain('NPQR-STUV-WXYZ');
		// The printed QR code scans to exactly the join link (zbar reads the page as a phone would).
		execFileSync('pdftoppm', ['-r', '150', '-f', '1', '-l', '1', '-png', file, join(dir, 'page')]);
		const scanned = execFileSync('zbarimg', ['--raw', '-q', join(dir, 'page-1.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
		expect(scanned).toBe(letters[0]!.link);
	});

	it('addresses a payee as a business partner, with 支払先コード and no dependents', async () => {
		const pdf = await renderLettersPdf({
			companyName: '株式会社テスト髙橋商事',
			purposes: ['報酬・料金等の支払調書の作成事務'],
			fingerprint: 'K4QF-7D2M-ABCD-EFGH',
			issuedText: '2026年11月23日',
			letters: [{ ...letters[0]!, employeeCode: 'P-0001', name: '取引　一郎', kind: 'payee' }, letters[1]!],
			strings,
			japaneseFont: readFileSync(FONT)
		});
		const file = join(dir, 'payee.pdf');
		writeFileSync(file, pdf);
		// poppler-utils is required (.ci/run installs it): a missing tool fails here instead of skipping the checks.
		const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
		const [payee, employee] = text.split('\f').map((page) => page.replace(/\s+/g, ''));
		expect(payee).toContain('一郎（支払先コードP-0001）様');
		expect(payee).toContain('お取引先の皆さま');
		expect(payee).toContain('報酬・料金等の支払調書の作成事務');
		expect(payee).not.toContain('従業員');
		expect(payee).not.toContain('扶養');
		expect(payee).toContain('ABCD-EFGH-JKLM');
		// The employee's page in the same batch keeps the employee wording.
		expect(employee).toContain('E-0002様');
		expect(employee).toContain('従業員の皆さま');
		expect(employee).not.toContain('支払先コード');
	});

	it('refuses to make an empty document', async () => {
		await expect(renderLettersPdf({ companyName: 'x', purposes: [], fingerprint: 'x', issuedText: 'x', letters: [], strings, japaneseFont: new Uint8Array() })).rejects.toThrow('no letters');
	});
});

describe('reminder letters', () => {
	const base = {
		companyName: '株式会社テスト髙橋商事',
		purposes: ['源泉徴収票作成事務', '健康保険・厚生年金保険届出事務'],
		fingerprint: 'K4QF-7D2M-ABCD-EFGH',
		issuedText: '2026年12月1日',
		appUrl: 'https://vault.example/me',
		strings,
		reminderStrings: reminder
	};

	it('prints the dates and the start page, and no secret, beside a reissued letter in one PDF', async () => {
		expect(Object.values(reminder).flat().some((v) => v.startsWith('<missing'))).toBe(false);
		const pdf = await renderRequestsPdf({
			...base,
			pages: [
				{ kind: 'reminder', reminder: { employeeCode: 'E-0003', name: '見本　花子', firstRequestText: '2026年11月23日' } },
				{ kind: 'letter', letter: letters[1]! },
				{ kind: 'reminder', reminder: { employeeCode: 'P-0002', kind: 'payee', name: null, firstRequestText: '2026年11月23日' } }
			],
			japaneseFont: readFileSync(FONT)
		});
		expect((await PDFDocument.load(pdf)).getPageCount()).toBe(3);
		const file = join(dir, 'reminders.pdf');
		writeFileSync(file, pdf);
		// poppler-utils is required (.ci/run installs it): a missing tool fails here instead of skipping the checks.
		const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
		const [first, second, third] = text.split('\f');
		expect(first).toContain('ご提出のお願い（再度のお願い）');
		expect(first).toContain('花子（E-0003） 様');
		expect(first).toContain('株式会社テスト髙橋商事');
		expect(first).toContain('健康保険・厚生年金保険届出事務');
		expect(first).toMatch(/最初のお願い：\s*2026年11月23日/);
		expect(first).toMatch(/今回のお願い（督促）：\s*2026年12月1日/);
		expect(first).toContain('パスキー');
		expect(first).toContain('https://vault.example/me');
		// Nothing secret: no link fragment, no initial password, no 12-digit number.
		expect(first).not.toMatch(/#|t=|初期パスワード（1回だけ/);
		for (const l of letters) expect(first).not.toContain(l.initialPassword);
		expect(first?.replace(/\s+/g, '')).not.toMatch(/\d{12}/);
		// The reissued letter on its own page, with its secret as before.
		expect(second).toContain('E-0002 様');
		expect(second).toContain('NPQR-STUV-WXYZ');
		// A payee's reminder names the code as theirs.
		expect(third?.replace(/\s+/g, '')).toContain('支払先コードP-0002様');
	});

	it('refuses a start page that carries a fragment or query', async () => {
		const pages = [{ kind: 'reminder' as const, reminder: { employeeCode: 'E-1', name: null, firstRequestText: 'x' } }];
		await expect(renderRequestsPdf({ ...base, appUrl: 'https://vault.example/join#t=SECRET', pages, japaneseFont: readFileSync(FONT) })).rejects.toThrow('no secret');
		await expect(renderRequestsPdf({ ...base, pages: [], japaneseFont: new Uint8Array() })).rejects.toThrow('no letters');
	});
});
