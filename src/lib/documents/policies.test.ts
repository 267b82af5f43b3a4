import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { PURPOSES } from '$lib/purposes';
import { buildPolicyDocument, policyToText, POLICY_KINDS, renderPolicyPdf, retentionLines, rolesFromMembers, type PolicyDocument, type PolicyInput, type PolicyLocale } from './policies';

const FONT = 'node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf';
const messages: Record<PolicyLocale, Record<string, string>> = {
	ja: JSON.parse(readFileSync('messages/ja.json', 'utf8')) as Record<string, string>,
	en: JSON.parse(readFileSync('messages/en.json', 'utf8')) as Record<string, string>
};
const dir = mkdtempSync(join(tmpdir(), 'mnv-policies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 12-digit run not inside a longer one (the 13-digit 法人番号 is fine). */
const TWELVE_DIGITS = /(?<!\d)\d{12}(?!\d)/;

function input(locale: PolicyLocale, over: Partial<PolicyInput> = {}): PolicyInput {
	const label = (p: string) => messages[locale][`purpose_${p}`]!;
	return {
		companyName: '株式会社テスト髙橋商事',
		corporateNumber: '7123456789012',
		address: '東京都千代田区霞が関一丁目1番1号',
		officeName: null,
		responsible: ['責任者 花子（sekinin-1）'],
		clerks: ['担当 太郎（tanto-a）', '担当 次郎（tanto-b）'],
		purposes: PURPOSES.map(label),
		retention: retentionLines(PURPOSES, label),
		date: '2026-04-01',
		locale,
		idleLockMinutes: 15,
		...over
	};
}

/** pdftotext's reading of a PDF, whitespace removed (Japanese lines wrap anywhere). Requires poppler-utils. */
function pdfText(pdf: Uint8Array, name: string): { text: string; flat: string; pages: number } {
	const file = join(dir, name);
	writeFileSync(file, pdf);
	const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
	return { text, flat: text.replace(/\s+/g, ''), pages: text.split('\f').length - 1 };
}

const flat = (doc: PolicyDocument) => policyToText(doc).replace(/\s+/g, '');

describe('the handling rules (取扱規程)', () => {
	const rules = buildPolicyDocument('handling_rules', input('ja'));
	const text = policyToText(rules);

	it('names the company, its 責任者 and 担当者, and has a chapter for every stage of the guideline', () => {
		expect(rules.title).toBe('特定個人情報等取扱規程');
		expect(text).toContain('株式会社テスト髙橋商事（以下「当社」という。）');
		for (const name of ['責任者 花子（sekinin-1）', '担当 太郎（tanto-a）', '担当 次郎（tanto-b）']) expect(text).toContain(name);
		const chapters = rules.chapters.map((c) => c.heading?.replace(/^第\d+章　/, ''));
		for (const stage of ['総則', '組織体制', '取得', '利用', '保存', '提供', '削除・廃棄', '安全管理措置']) expect(chapters).toContain(stage);
		// The five stages in the guideline's order.
		const order = ['取得', '利用', '保存', '提供', '削除・廃棄'].map((stage) => chapters.indexOf(stage));
		expect(order).toEqual([...order].sort((a, b) => a - b));
		const measures = rules.chapters.find((c) => c.heading?.endsWith('安全管理措置'))!.articles.map((a) => a.heading);
		expect(measures).toEqual(['第24条（組織的安全管理措置）', '第25条（人的安全管理措置）', '第26条（物理的安全管理措置）', '第27条（技術的安全管理措置）']);
	});

	it('numbers articles continuously and the second and later paragraphs of an article', () => {
		const headings = rules.chapters.flatMap((c) => c.articles.map((a) => a.heading));
		headings.forEach((h, i) => expect(h.startsWith(`第${i + 1}条（`)).toBe(true));
		expect(text).toContain('\n2　責任者は、次の任務を行う。');
	});

	it("mirrors the product's workflow: reason before a view, the history the 責任者 reviews, disposal certificate, retention 7/4/3/2 years", () => {
		const f = flat(rules);
		expect(f).toContain('理由を取扱い履歴に記録してから暗号化されたデータを担当者のブラウザに渡す');
		expect(f).toContain('取扱い履歴を【毎月】確認し');
		expect(f).toContain('廃棄証明書（PDF）を出力して保管する');
		expect(f).toContain('30秒後にクリップボードから消去');
		expect(f).toContain('15分間操作がないと鍵を自動的に閉じる');
		for (const line of ['源泉徴収票・支払調書の作成事務：退職（支払先は取引の終了）した年の翌年1月10日の翌日から7年', '雇用保険の届出事務：退職日（支払先は取引の終了日）の翌日から4年', '労災保険の請求事務：退職日（支払先は取引の終了日）の翌日から3年', '健康保険・厚生年金保険の届出事務：退職日（支払先は取引の終了日）の翌日から2年'])
			expect(text).toContain(line);
		expect(f).toContain('本人確認書類の画像は、廃棄するまで暗号化して保管する');
	});

	it('leaves 【 】 for what only the customer knows, and states a photo-retention setting when the company has one', () => {
		expect(text).toContain('【施錠できる書庫】');
		expect(text).toContain('この規程は、【　　年　　月　　日】から施行する。');
		const withDays = policyToText(buildPolicyDocument('handling_rules', input('ja', { imageRetentionDays: 30 })));
		expect(withDays).toContain('受け付けた日から30日後に本システムが自動的に削除する');
		const nobody = policyToText(buildPolicyDocument('handling_rules', input('ja', { responsible: [], clerks: [' '] })));
		expect(nobody).toContain('【事務取扱責任者の役職・氏名】');
		expect(nobody).toContain('【事務取扱担当者の役職・氏名】');
	});

	it('names the 社労士 office as the contractor when one serves the company, and stays generic otherwise', () => {
		const office = policyToText(buildPolicyDocument('handling_rules', input('ja', { officeName: 'テスト社労士事務所' })));
		expect(office).toContain('当社は、個人番号関係事務の全部又は一部をテスト社労士事務所に委託する。');
		expect(office).toContain('委託先であるテスト社労士事務所の取扱者には');
		expect(text).not.toContain('社労士事務所');
	});

	it('prints the same text as a PDF (pdftotext finds the company and the 責任者), on several pages with page numbers', async () => {
		const pdf = await renderPolicyPdf({ document: rules, japaneseFont: readFileSync(FONT) });
		const { text: lines, flat: read, pages } = pdfText(pdf, 'rules.pdf');
		expect(pages).toBeGreaterThan(2);
		expect((await PDFDocument.load(pdf)).getPageCount()).toBe(pages);
		for (const expected of ['特定個人情報等取扱規程', '株式会社テスト髙橋商事', '責任者花子（sekinin-1）', '担当太郎（tanto-a）', '第3章取得', '第7章削除・廃棄', '第27条（技術的安全管理措置）', `1/${pages}`])
			expect(read, expected).toContain(expected);
		expect(read).not.toMatch(TWELVE_DIGITS);
		// 禁則: no line starts with closing punctuation or ends with an opening bracket.
		expect(lines).not.toMatch(/^[、。）」】]/m);
		// (Not 【 here: pdftotext ends a line at the wide gap of 「【　　年　　月　　日】」.)
		expect(lines).not.toMatch(/[（「]$/m);
	});
});

describe('the basic policy (基本方針)', () => {
	it('states the entity, compliance, purposes, safety measures and the contact point, with the 法人番号', async () => {
		const doc = buildPolicyDocument('basic_policy', input('ja', { officeName: 'テスト社労士事務所' }));
		const headings = doc.chapters[0]!.articles.map((a) => a.heading);
		expect(headings).toEqual(['1．事業者の名称', '2．関係法令・ガイドライン等の遵守', '3．利用目的', '4．安全管理措置に関する事項', '5．委託先の監督', '6．継続的な改善', '7．質問及び苦情処理の窓口']);
		const text = policyToText(doc);
		expect(text).toContain('株式会社テスト髙橋商事（法人番号 7123456789012）');
		expect(text).toContain('事務取扱責任者：責任者 花子（sekinin-1）');
		expect(text).toContain('テスト社労士事務所に委託しています');
		expect(text).toContain('（6）報酬・料金等の支払調書の作成事務');
		expect(text).toContain('窓口：【部署名・担当者】');
		const { flat: read } = pdfText(await renderPolicyPdf({ document: doc, japaneseFont: readFileSync(FONT) }), 'policy.pdf');
		for (const expected of ['特定個人情報等の適正な取扱いに関する基本方針', '株式会社テスト髙橋商事', '責任者花子（sekinin-1）', '質問及び苦情処理の窓口']) expect(read, expected).toContain(expected);
		expect(read).not.toMatch(TWELVE_DIGITS);
	});

	it('uses placeholders where the company has no address', () => {
		const text = policyToText(buildPolicyDocument('basic_policy', input('ja', { address: null, corporateNumber: null })));
		expect(text).toContain('所在地：【所在地】');
		expect(text).not.toContain('法人番号');
	});
});

describe('the summary of technical measures', () => {
	it('fits on one page and states what the product does', async () => {
		for (const locale of ['ja', 'en'] as const) {
			const doc = buildPolicyDocument('technical_summary', input(locale, { imageRetentionDays: 30 }));
			const pdf = await renderPolicyPdf({ document: doc, japaneseFont: readFileSync(FONT) });
			const { flat: read, pages } = pdfText(pdf, `summary-${locale}.pdf`);
			expect(pages, locale).toBe(1);
			expect(read).toContain('株式会社テスト髙橋商事');
			expect(read).not.toMatch(TWELVE_DIGITS);
		}
		const f = flat(buildPolicyDocument('technical_summary', input('ja')));
		for (const claim of ['X25519とML-KEM-768のハイブリッド', 'XChaCha20-Poly1305', '秘密鍵も、平文の個人番号', '理由が取扱い履歴に記録されてから暗号文が渡されます', 'ハッシュチェーン', 'パスキー', '15分間操作がないときに消去', '30秒後にクリップボードから消去', '物理的に削除', '廃棄証明書', '回復キット'])
			expect(f, claim).toContain(claim);
	});

	it('names the signed checkpoints that back the hash chain, in both languages', () => {
		expect(flat(buildPolicyDocument('technical_summary', input('ja')))).toContain('チェックポイント）に電子署名');
		expect(flat(buildPolicyDocument('technical_summary', input('en')))).toContain('signsacheckpointofthechain');
	});
});

describe('the English templates', () => {
	it('are worded in English with the same company, people and structure', async () => {
		const rules = buildPolicyDocument('handling_rules', input('en', { officeName: 'Test Labour Office' }));
		expect(rules.title).toBe('Rules for Handling Specific Personal Information');
		const chapters = rules.chapters.map((c) => c.heading?.replace(/^Chapter \d+ {2}/, ''));
		for (const stage of ['Collection', 'Use', 'Storage', 'Provision', 'Deletion and disposal', 'Safety management measures']) expect(chapters).toContain(stage);
		const text = policyToText(rules);
		expect(text).toContain('Article 1 (Purpose)');
		expect(text).toContain('- 責任者 花子（sekinin-1）');
		expect(text).toContain('Withholding tax slips and payment records: 7 years from the day after 10 January');
		expect(text).toContain('Employment insurance filings: 4 years');
		expect(text).toContain('The Company entrusts all or part of its Individual Number work to Test Labour Office.');
		expect(text).not.toMatch(/第\d+条|取得|保存/);
		const policy = policyToText(buildPolicyDocument('basic_policy', input('en')));
		expect(policy).toContain('Contact point for questions and complaints');
		expect(policy).toContain('(Corporate Number 7123456789012)');
		const { flat: read } = pdfText(await renderPolicyPdf({ document: rules, japaneseFont: readFileSync(FONT) }), 'rules-en.pdf');
		for (const expected of ['RulesforHandlingSpecificPersonalInformation', '株式会社テスト髙橋商事', '責任者花子（sekinin-1）', 'Chapter3Collection']) expect(read, expected).toContain(expected);
	});

	it('writes dates in each language', () => {
		expect(buildPolicyDocument('basic_policy', input('ja')).meta).toContain('作成日：2026年4月1日');
		expect(buildPolicyDocument('basic_policy', input('en')).meta).toContain('Prepared: 1 April 2026');
		expect(() => buildPolicyDocument('basic_policy', input('ja', { date: '2026/04/01' }))).toThrow('invalid date');
	});
});

describe('no My Number in any document', () => {
	it('has no 12-digit run in any kind or language', () => {
		for (const kind of POLICY_KINDS) for (const locale of ['ja', 'en'] as const) expect(policyToText(buildPolicyDocument(kind, input(locale, { officeName: 'テスト社労士事務所', imageRetentionDays: 30 })))).not.toMatch(TWELVE_DIGITS);
	});

	it('refuses to make a document when an input carries a 12-digit number, in half- or full-width digits', () => {
		expect(() => buildPolicyDocument('handling_rules', input('ja', { clerks: ['担当 123456789018'] }))).toThrow('12-digit');
		expect(() => buildPolicyDocument('basic_policy', input('ja', { companyName: '株式会社１２３４５６７８９０１８' }))).toThrow('12-digit');
		// The 13-digit 法人番号 is not one.
		expect(() => buildPolicyDocument('basic_policy', input('ja'))).not.toThrow();
	});
});

describe('roles from the company members', () => {
	const members = [
		{ role: 'responsible' as const, active: true, displayName: '責任者 花子', loginId: 'sekinin-1', orgName: '株式会社 テスト髙橋商事' },
		{ role: 'staff' as const, active: true, displayName: '担当 太郎', loginId: 'tanto-a', orgName: 'テスト社労士事務所' },
		{ role: 'staff' as const, active: false, displayName: '元担当', loginId: 'former', orgName: '株式会社テスト髙橋商事' }
	];

	it('lists active 責任者 and 担当者, marks another office and names it as the contractor', () => {
		expect(rolesFromMembers({ members, companyName: '株式会社テスト髙橋商事', locale: 'ja' })).toEqual({
			responsible: ['責任者 花子（sekinin-1）'],
			clerks: ['担当 太郎（tanto-a・テスト社労士事務所）'],
			officeName: 'テスト社労士事務所'
		});
		expect(rolesFromMembers({ members: members.slice(0, 1), companyName: '株式会社テスト髙橋商事', locale: 'en' })).toEqual({ responsible: ['責任者 花子 (sekinin-1)'], clerks: [], officeName: null });
	});
});
