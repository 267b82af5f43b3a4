import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDocument, wrapText } from './pdf';

const FONT = 'node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf';

describe('wrapText (Japanese line breaking)', async () => {
	const { fonts } = await createDocument(readFileSync(FONT), { title: 't' });
	const size = 10;
	const widthOf = (n: number) => fonts.jp.widthOfTextAtSize('あ'.repeat(n), size);

	it('never starts a line with closing punctuation: it hangs at the end of the previous line', () => {
		// Five characters fit; the sixth is 「、」, which must not open the second line.
		const lines = wrapText('あいうえお、かきくけこ', fonts.jp, size, widthOf(5) + 0.01);
		expect(lines).toEqual(['あいうえお、', 'かきくけこ']);
		for (const line of wrapText('委託を受け、下記のとおり特定個人情報を廃棄したことを証明します。', fonts.jp, size, widthOf(5) + 0.01)) {
			expect(line[0], line).not.toMatch(/[、。）」]/);
		}
	});

	it('never ends a line with an opening bracket: it moves to the next line', () => {
		const lines = wrapText('あいうえ「かきくけ」', fonts.jp, size, widthOf(5) + 0.01);
		expect(lines).toEqual(['あいうえ', '「かきくけ」']);
	});

	it('breaks plain text between characters as before', () => {
		expect(wrapText('あいうえおかきくけこ', fonts.jp, size, widthOf(5) + 0.01)).toEqual(['あいうえお', 'かきくけこ']);
	});
});
