import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCompanyKeys, generateEpochKeys, parseRecoveryKit, recoveryKitFingerprint, toBase64Url, type RecoveryKit } from '$lib/crypto';
import { kitTextFromPdf, recoveryKitStrings, renderRecoveryKitPdf } from './recovery-kit';

const FONT = 'node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf';
const ja = JSON.parse(readFileSync('messages/ja.json', 'utf8')) as Record<string, string>;
const strings = recoveryKitStrings((key) => ja[key] ?? `<missing ${key}>`);
const hasPoppler = (() => {
	try {
		execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();

let kit: RecoveryKit;
let pdf: Uint8Array;
const dir = mkdtempSync(join(tmpdir(), 'mnv-kit-'));

beforeAll(async () => {
	const company = await generateCompanyKeys('0b6f2f6e-6a39-4a53-9a43-7d1f1f0c1a11');
	company.epochs.push(await generateEpochKeys(2));
	kit = { companyId: company.companyId, root: company.root, epochs: company.epochs };
	pdf = await renderRecoveryKitPdf({
		kit,
		companyName: '株式会社テスト髙橋商事',
		createdAt: new Date('2026-11-23T01:02:03Z'),
		createdAtText: '2026年11月23日 10:02',
		strings,
		japaneseFont: readFileSync(FONT)
	});
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recovery kit PDF', () => {
	it('uses only messages that exist', () => {
		expect(JSON.stringify(strings)).not.toContain('<missing');
	});

	it('carries the kit as an attachment that parses back to the same keys', async () => {
		const text = await kitTextFromPdf(pdf);
		expect(text).not.toBeNull();
		const back = await parseRecoveryKit(text!);
		expect(back.companyId).toBe(kit.companyId);
		expect(toBase64Url(back.root.secretKey)).toBe(toBase64Url(kit.root.secretKey));
		expect(back.epochs.map((e) => [e.epoch, e.identity, toBase64Url(e.dataKey)])).toEqual(kit.epochs.map((e) => [e.epoch, e.identity, toBase64Url(e.dataKey)]));
	});

	it('has no attachment in an ordinary PDF', async () => {
		const plain = await PDFDocument.create();
		plain.addPage();
		expect(await kitTextFromPdf(await plain.save())).toBeNull();
	});

	it.skipIf(!hasPoppler && !process.env.CI)('prints Japanese text and every entry so that the printed text alone recovers the kit', async () => {
		const file = join(dir, 'kit.pdf');
		writeFileSync(file, pdf);
		const text = execFileSync('pdftotext', ['-q', '-layout', file, '-'], { encoding: 'utf8' });
		expect(text).toContain('復旧キット');
		expect(text).toContain('株式会社テスト髙橋商事');
		expect(text).toContain(recoveryKitFingerprint(kit));
		// A copy-paste of the printed page is a valid kit too (layout adds words around the entries).
		const fromPaper = await parseRecoveryKit(text.replace(/[^\x20-\x7e\n]/g, ' '));
		expect(toBase64Url(fromPaper.epochs[1]!.dataKey)).toBe(toBase64Url(kit.epochs[1]!.dataKey));
		// Instructions and root key on the first sheet, epoch entries after: two sheets for two epochs.
		const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
		expect(info).toMatch(/Pages:\s+2\b/);
	});
});
