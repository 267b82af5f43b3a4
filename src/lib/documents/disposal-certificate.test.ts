import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { disposalCertificateStrings, renderDisposalCertificatePdf, renderDisposalListXlsx, type DisposalBatch } from './disposal-certificate';

const FONT = 'node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf';
const ja = JSON.parse(readFileSync('messages/ja.json', 'utf8')) as Record<string, string>;
const strings = disposalCertificateStrings((key) => ja[key] ?? `<missing ${key}>`);
const dir = mkdtempSync(join(tmpdir(), 'mnv-disposal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const company = { name: '株式会社テスト髙橋商事', corporateNumber: '7123456789012', address: null };
const batch: DisposalBatch = {
	batchId: '5f0c8a52-3b0e-4d7c-9a51-2f6a3c1e9b10',
	disposedAt: '2027-03-31T01:00:00.000Z',
	basis: 'retention_expired',
	note: '年度末一括廃棄',
	disposedBy: { displayName: '責任者 花子', loginId: 'sekinin-1' },
	responsible: { displayName: '責任者 花子', loginId: 'sekinin-1' },
	issuer: { orgName: 'テスト社労士事務所', forClient: true },
	people: [
		{ employeeCode: 'E-0001', employeeKind: 'employee', submissions: 2, images: 3, documents: ['number_record', 'identity_images', 'roster_entry', 'sign_in'] },
		{ employeeCode: 'P-0042', employeeKind: 'payee', submissions: 1, images: 0, documents: ['refusal_record', 'roster_entry'] },
		// Enough rows to need a second page (the header repeats).
		...Array.from({ length: 60 }, (_, i) => ({ employeeCode: `S-${String(i + 100).padStart(4, '0')}`, employeeKind: 'employee' as const, submissions: 1, images: 2, documents: ['number_record', 'identity_images'] }))
	]
};

describe('the disposal certificate', () => {
	it('prints the certificate in Japanese with the office as issuer for its client, codes and counts, no name and no number', async () => {
		expect(JSON.stringify(strings)).not.toContain('<missing');
		const pdf = await renderDisposalCertificatePdf({ company, batch, issuedText: '2027年3月31日', disposedText: '2027年3月31日 10:00', strings, japaneseFont: readFileSync(FONT) });
		const doc = await PDFDocument.load(pdf);
		expect(doc.getPageCount()).toBe(2);
		const file = join(dir, 'certificate.pdf');
		writeFileSync(file, pdf);
		const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
		const flat = text.replace(/\s+/g, '');
		for (const expected of [
			'特定個人情報廃棄証明書',
			batch.batchId,
			'テスト社労士事務所は、株式会社テスト髙橋商事から特定個人情報の取扱いの委託を受け',
			'7123456789012',
			'事務取扱責任者:責任者花子（sekinin-1）',
			'法定保存期間の経過',
			'電子データを復元できない方法で消去しました（データベースから物理削除）',
			'E-0001',
			'P-0042',
			'支払先',
			'本人確認書類の画像',
			'提供拒否の記録',
			'62人'
		])
			expect(flat, expected).toContain(expected.replace(/\s+/g, ''));
		expect(text.split('\f')[1]).toContain('コード');
		// No 12-digit run anywhere: nothing like a My Number is printed.
		expect(flat).not.toMatch(/(?<!\d)\d{12}(?!\d)/);
	});

	it('says the company itself disposed when the issuer is the company', async () => {
		const own = { ...batch, people: batch.people.slice(0, 2), issuer: { orgName: '株式会社テスト髙橋商事', forClient: false } };
		const pdf = await renderDisposalCertificatePdf({ company, batch: own, issuedText: '2027年3月31日', disposedText: '2027年3月31日 10:00', strings, japaneseFont: readFileSync(FONT) });
		const file = join(dir, 'own.pdf');
		writeFileSync(file, pdf);
		const flat = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\s+/g, '');
		expect(flat).toContain('下記のとおり特定個人情報を廃棄したことを証明します。');
		expect(flat).not.toContain('委託');
	});

	it('lists the same batch as .xlsx, codes kept as text', async () => {
		const blob = await renderDisposalListXlsx({ company, batch, disposedText: '2027年3月31日 10:00', strings });
		const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
		const xml = Object.entries(files)
			.filter(([name]) => name.startsWith('xl/') && name.endsWith('.xml'))
			.map(([, bytes]) => strFromU8(bytes))
			.join('\n');
		for (const expected of ['特定個人情報廃棄証明書', batch.batchId, '株式会社テスト髙橋商事', 'テスト社労士事務所', 'E-0001', 'P-0042', 'S-0159', '本人確認書類の画像', '電子データを復元できない方法で消去しました']) expect(xml).toContain(expected);
	});
});
