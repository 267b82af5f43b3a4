import { describe, expect, it } from 'vitest';
import { normaliseTyped, showMismatch, typedMatches } from './confirm';

describe('typed confirmation', () => {
	it('matches the word whatever the width, case and spacing', () => {
		expect(typedMatches('廃棄', '廃棄')).toBe(true);
		expect(typedMatches(' 廃棄　', '廃棄')).toBe(true);
		expect(typedMatches('ＴＡＮＴＯ－２', 'tanto-2')).toBe(true);
		expect(typedMatches('Tanto-2', 'tanto-2')).toBe(true);
		expect(typedMatches('株式会社　テスト', '株式会社 テスト')).toBe(true);
		expect(typedMatches('ｶﾌﾞｼｷｶﾞｲｼｬ', 'カブシキガイシャ')).toBe(true);
	});

	it('refuses anything else, and an empty word', () => {
		expect(typedMatches('廃', '廃棄')).toBe(false);
		expect(typedMatches('廃棄する', '廃棄')).toBe(false);
		expect(typedMatches('tanto-3', 'tanto-2')).toBe(false);
		expect(typedMatches('', '')).toBe(false);
		expect(typedMatches('  ', ' ')).toBe(false);
	});

	it('says "does not match" only once enough was typed or the field was left', () => {
		expect(showMismatch('', '廃棄', true)).toBe(false);
		expect(showMismatch('廃', '廃棄', false)).toBe(false);
		expect(showMismatch('廃', '廃棄', true)).toBe(true);
		expect(showMismatch('破棄', '廃棄', false)).toBe(true);
		expect(showMismatch('廃棄', '廃棄', true)).toBe(false);
	});

	it('normalises as documented', () => {
		expect(normaliseTyped('  Ａ　 B\tc ')).toBe('a b c');
	});
});
