import { describe, expect, it } from 'vitest';
import { parseAddress, parseBirthDate, parseKana, parseName, toFullWidthKatakana, toWareki } from './index';

describe('氏名', () => {
	it('keeps full-width names and folds spaces into one full-width space', () => {
		expect(parseName('  試験　 花子 ')).toEqual({ ok: true, value: '試験　花子' });
		expect(parseName('佐々木 ゞゝヽヾ〆ー')).toEqual({ ok: true, value: '佐々木　ゞゝヽヾ〆ー' });
	});
	it('converts half-width letters and katakana where the intent is clear', () => {
		expect(parseName('SMITH John')).toEqual({ ok: true, value: 'ＳＭＩＴＨ　Ｊｏｈｎ' });
		expect(parseName('ｼｹﾝ ﾊﾟﾝﾀﾞ')).toEqual({ ok: true, value: 'シケン　パンダ' });
		expect(parseName('ｶﾞｰﾃﾞﾝ')).toEqual({ ok: true, value: 'ガーデン' });
	});
	it('names the first character it cannot take and where it is', () => {
		expect(parseName('試験1号')).toEqual({ ok: false, error: { kind: 'char', char: '１', position: 3 } });
		expect(parseName('花子!')).toEqual({ ok: false, error: { kind: 'char', char: '!', position: 3 } });
		expect(parseName('😀花子')).toEqual({ ok: false, error: { kind: 'char', char: '😀', position: 1 } });
		expect(parseName('   ')).toEqual({ ok: false, error: { kind: 'empty' } });
		expect(parseName('あ'.repeat(51))).toEqual({ ok: false, error: { kind: 'too_long', max: 50 } });
	});
});

describe('氏名(かな)', () => {
	it('takes hiragana and ー, and turns katakana of either width into hiragana', () => {
		expect(parseKana('しけん はなこ')).toEqual({ ok: true, value: 'しけん　はなこ' });
		expect(parseKana('シケン　ハナコ')).toEqual({ ok: true, value: 'しけん　はなこ' });
		expect(parseKana('ｼｹﾝ ﾊﾅｺ')).toEqual({ ok: true, value: 'しけん　はなこ' });
		expect(parseKana('じぇーむず')).toEqual({ ok: true, value: 'じぇーむず' });
		expect(parseKana('じぇ-むず')).toEqual({ ok: true, value: 'じぇーむず' });
	});
	it('refuses kanji, letters and digits with the exact character', () => {
		expect(parseKana('しけん花子')).toEqual({ ok: false, error: { kind: 'char', char: '花', position: 4 } });
		expect(parseKana('hanako')).toEqual({ ok: false, error: { kind: 'char', char: 'h', position: 1 } });
		expect(parseKana('')).toEqual({ ok: false, error: { kind: 'empty' } });
	});
});

describe('住所', () => {
	it('converts half-width digits, letters, hyphens and katakana to full width', () => {
		expect(parseAddress('東京都千代田区霞が関1-2-3 ｻﾝﾌﾟﾙﾋﾞﾙ 4F')).toEqual({ ok: true, value: '東京都千代田区霞が関１－２－３　サンプルビル　４Ｆ' });
		expect(parseAddress('大阪市北区梅田3−1 (見本ハイツ#201)')).toEqual({ ok: true, value: '大阪市北区梅田３－１　（見本ハイツ＃２０１）' });
		expect(parseAddress('札幌市中央区北Ⅲ条')).toEqual({ ok: true, value: '札幌市中央区北Ⅲ条' });
	});
	it('refuses what has no full-width meaning here', () => {
		expect(parseAddress('東京都<script>')).toEqual({ ok: false, error: { kind: 'char', char: '<', position: 4 } });
		expect(parseAddress('a'.repeat(121))).toEqual({ ok: false, error: { kind: 'too_long', max: 120 } });
	});
});

describe('生年月日', () => {
	const today = '2026-11-23';
	it('reads 西暦 in the usual spellings, either width', () => {
		for (const s of ['1990-04-01', '1990/4/1', '1990年4月1日', '19900401', '１９９０年４月１日']) expect(parseBirthDate(s, today)).toEqual({ ok: true, value: '1990-04-01' });
	});
	it('reads 和暦 with names, initials and 元年', () => {
		expect(parseBirthDate('平成2年4月1日', today)).toEqual({ ok: true, value: '1990-04-01' });
		expect(parseBirthDate('H2.4.1', today)).toEqual({ ok: true, value: '1990-04-01' });
		expect(parseBirthDate('h02/04/01', today)).toEqual({ ok: true, value: '1990-04-01' });
		expect(parseBirthDate('令和元年5月1日', today)).toEqual({ ok: true, value: '2019-05-01' });
		expect(parseBirthDate('S64.1.7', today)).toEqual({ ok: true, value: '1989-01-07' });
		expect(parseBirthDate('大正15年12月24日', today)).toEqual({ ok: true, value: '1926-12-24' });
	});
	it('refuses dates outside their era, impossible, future or malformed', () => {
		expect(parseBirthDate('平成31年5月1日', today)).toEqual({ ok: false, error: 'era_range' });
		expect(parseBirthDate('令和1年4月30日', today)).toEqual({ ok: false, error: 'era_range' });
		expect(parseBirthDate('S64.1.8', today)).toEqual({ ok: false, error: 'era_range' });
		expect(parseBirthDate('2001-02-29', today)).toEqual({ ok: false, error: 'no_such_date' });
		expect(parseBirthDate('2027-01-01', today)).toEqual({ ok: false, error: 'future' });
		expect(parseBirthDate('1899-12-31', today)).toEqual({ ok: false, error: 'too_old' });
		expect(parseBirthDate('4月1日', today)).toEqual({ ok: false, error: 'format' });
		expect(parseBirthDate(' ', today)).toEqual({ ok: false, error: 'empty' });
	});
	it('prints 和暦', () => {
		expect(toWareki('1990-04-01')).toBe('平成2年4月1日');
		expect(toWareki('2019-05-01')).toBe('令和元年5月1日');
		expect(toWareki('1989-01-07')).toBe('昭和64年1月7日');
	});
	it('converts half-width katakana with voiced marks', () => {
		expect(toFullWidthKatakana('ﾊﾟﾋﾞｳﾞ')).toBe('パビヴ');
	});
});
