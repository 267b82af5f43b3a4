import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { historyStrings, type HistoryEvent } from '$lib/history';
import { renderHistoryPdf, renderHistoryXlsx, type HistoryReportHeader } from './history-report';

const FONT = 'node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf';
const ja = JSON.parse(readFileSync('messages/ja.json', 'utf8')) as Record<string, string>;
const strings = historyStrings((key) => ja[key] ?? `<missing ${key}>`);
const dir = mkdtempSync(join(tmpdir(), 'mnv-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EMPLOYEE = '6f1c2a9e-0000-4000-8000-000000000001';
const SYNTHETIC_NUMBER = '123456789018';
const header: HistoryReportHeader = {
	title: ja.history_report_title!,
	lines: [
		[ja.history_report_company!, '株式会社テスト髙橋商事'],
		[ja.history_report_period!, '2026-04-01 〜 2026-04-30'],
		[ja.history_report_filters!, '操作：番号の閲覧'],
		[ja.history_report_chain!, '改ざんなし：ハッシュチェーンを検証しました（全 1,234 件）。'],
		[ja.history_report_generated!, 'sekinin 2026-05-01 10:00:00']
	],
	pageOf: ja.history_report_page!
};
const events: HistoryEvent[] = Array.from({ length: 120 }, (_, i) => ({
	seq: 1000 - i,
	at: new Date(Date.UTC(2026, 3, 30, 9, 0, 0) - i * 60_000).toISOString(),
	actorLabel: i % 2 ? 'tanto-a' : 'sekinin',
	actorType: 'handler',
	action: i % 3 ? 'reveal' : 'login',
	targetType: i % 3 ? 'submission' : null,
	targetId: i % 3 ? '0a0b0c0d-0000-4000-8000-000000000009' : null,
	reason: i % 3 ? '源泉徴収票作成事務' : null,
	result: i === 3 ? 'denied' : 'ok',
	ip: '203.0.113.7',
	userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
	detail: i % 3 ? { employeeId: EMPLOYEE } : null
}));
const names = { employeeCode: (id: string) => (id === EMPLOYEE ? 'E-0001' : undefined) };

describe('the handling history report', () => {
	it('prints a landscape table with the header, Japanese labels and person codes, and no number', async () => {
		const pdf = await renderHistoryPdf({ header, events, strings, names, japaneseFont: readFileSync(FONT) });
		const doc = await PDFDocument.load(pdf);
		expect(doc.getPageCount()).toBeGreaterThan(2);
		const { width, height } = doc.getPage(0).getSize();
		expect(width).toBeGreaterThan(height);
		const file = join(dir, 'history.pdf');
		writeFileSync(file, pdf);
		// poppler-utils is required (.ci/run installs it).
		const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
		const pages = text.split('\f');
		for (const expected of ['取扱い履歴報告書', '株式会社テスト髙橋商事', '2026-04-01 〜 2026-04-30', '改ざんなし', '日時（日本時間）', 'IPアドレス', '番号の閲覧', 'サインイン', '従業員 E-0001', '源泉徴収票作成事務', '203.0.113.7', 'Chrome 126 / Windows', '拒否', '2026-04-30 18:00:00']) {
			expect(text).toContain(expected);
		}
		// Column headers on every page, page numbers at the foot.
		expect(pages[1]).toContain('IPアドレス');
		expect(text).toContain(`1 / ${doc.getPageCount()} ページ`);
		expect(text).not.toContain(SYNTHETIC_NUMBER);
	});

	it('writes the same rows to .xlsx, codes kept as text', async () => {
		const blob = await renderHistoryXlsx({ header, events: events.slice(0, 3), strings, names });
		const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
		const xml = Object.entries(files)
			.filter(([name]) => name.startsWith('xl/') && name.endsWith('.xml'))
			.map(([, bytes]) => strFromU8(bytes))
			.join('\n');
		for (const expected of ['取扱い履歴報告書', '株式会社テスト髙橋商事', '番号の閲覧', '従業員 E-0001', '2026-04-30 18:00:00', '1000']) expect(xml).toContain(expected);
	});
});
