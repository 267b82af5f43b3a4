import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { individualCheckDigit, isValidIndividualNumber } from '../mynumber/index';
import {
	HIGH_CONFIDENCE,
	LOW_CONFIDENCE,
	correctOneDigit,
	decide,
	extractMyNumber,
	findReadings,
	linesFromText,
	type OcrLine,
	type Reading
} from './extract';

// Fictitious numbers that pass the check digit.
const A = '123456789018';
const B = '987654321018';
const C = '111122223333';
const withCheck = (first11: string): string => first11 + individualCheckDigit(first11);
const spaced = (n: string, sep = ' '): string => [n.slice(0, 4), n.slice(4, 8), n.slice(8)].join(sep);
/** The last digit changed: fails the check digit (A's check digit is not 0, so no other value passes). */
const broken = (n: string): string => n.slice(0, 11) + ((Number(n[11]) + 1) % 10);

/** One line of words whose characters all get `conf`, except the overrides (index within the line's digits). */
function lineWithConfidences(words: string[], conf: number, overrides: Record<number, number> = {}): OcrLine {
	let k = 0;
	return {
		words: words.map((text) => ({
			text,
			symbols: [...text].map((ch) => ({ text: ch, confidence: overrides[k++] ?? conf }))
		}))
	};
}

describe('extractMyNumber: dash-joined readings', () => {
	it.each([
		['4-4-4 with hyphens', spaced(A, '-')],
		['4-4-4 with a full-width hyphen and an en dash', `${A.slice(0, 4)}－${A.slice(4, 8)}–${A.slice(8)}`],
		['spaces around a hyphen', `${A.slice(0, 4)} - ${A.slice(4, 8)} - ${A.slice(8)}`]
	])('offers %s but does not fill it in (the documents print no dashes)', (_name, text) => {
		expect(extractMyNumber(text)).toEqual({ number: null, candidates: [A], corrected: [] });
	});

	it('does not fill in a postal code and a year that OCR joined into a passing 4-4-4 reading', () => {
		// Measured in Chromium: 〒 read as 7 made "7100-0001 2030" of 〒100-0001 and 2030年, and it passes the check digit.
		expect(extractMyNumber('7100-0001 2030 1 1')).toEqual({ number: null, candidates: ['710000012030'], corrected: [] });
		// Beside the printed number, neither is filled in: both are offered and the employee picks.
		expect(extractMyNumber(`${spaced(A)}\n7100-0001 2030`)).toEqual({ number: null, candidates: [A, '710000012030'], corrected: [] });
	});

	it('keeps a postal code read with its hyphen out of every reading (why engine.ts whitelists the hyphen)', () => {
		// tesseract's lines for the bench's card back 2468 1357 9021 with "〒100-0001 有効期限 2030年 1月 1日".
		const number = '2468 1357 9021';
		// Digits-only whitelist: the hyphen merged into a 0 and 〒 read as 7, so the postal code and the year make a
		// passing 8-4 reading, and the printed number is not filled in.
		expect(extractMyNumber(`${number}\n71000001 2030 18 1`).number).toBe(null);
		// Hyphen whitelisted (the same image): "100-0001" is 3-4, off the grid; a separate 7 does not join it.
		for (const line of ['7 100-0001 2030 18 1', '100-0001 20304 18 1', '100-0001 3 2030 18 11'])
			expect(extractMyNumber(`${number}\n${line}`)).toEqual({ number: '246813579021', candidates: ['246813579021'], corrected: [] });
	});
});

describe('extractMyNumber: layouts of the number', () => {
	it.each([
		['4-4-4 with spaces', spaced(A)],
		['no separators', A],
		['full-width digits and ideographic spaces', '１２３４　５６７８　９０１８'],
		['a dropped first space', `${A.slice(0, 4)} ${A.slice(4)}`],
		['a dropped second space', `${A.slice(0, 8)} ${A.slice(8)}`],
		['after a label OCR turned into digits', `5 ${spaced(A)}`],
		['after the label, with Japanese text around', `個人番号　${spaced(A)}　見本　花子`],
		['between other lines', `通知カード\n氏名 見本 一郎\n${spaced(A)}\n昭和55年 3月15日`]
	])('reads %s', (_name, text) => {
		expect(extractMyNumber(text)).toEqual({ number: A, candidates: [A], corrected: [] });
	});

	it.each([
		['3-9', `${A.slice(0, 3)} ${A.slice(3)}`],
		['2-4-4-2', `${A.slice(0, 2)} ${A.slice(2, 6)} ${A.slice(6, 10)} ${A.slice(10)}`],
		['6-6', `${A.slice(0, 6)} ${A.slice(6)}`],
		['11-1', `${A.slice(0, 11)} ${A.slice(11)}`]
	])('ignores 12 digits split off the 4-4-4 grid (%s)', (_name, text) => {
		expect(extractMyNumber(text).candidates).toEqual([]);
	});

	it('does not join groups across lines', () => {
		expect(extractMyNumber(`${A.slice(0, 8)}\n${A.slice(8)}`).candidates).toEqual([]);
	});

	it('does not join groups separated by two dashes, a letter word or other characters', () => {
		expect(extractMyNumber(`${A.slice(0, 4)}--${A.slice(4, 8)} ${A.slice(8)}`).candidates).toEqual([]);
		expect(extractMyNumber(`${A.slice(0, 4)} to ${A.slice(4, 8)} ${A.slice(8)}`).candidates).toEqual([]);
		expect(extractMyNumber(`${A.slice(0, 4)}年${A.slice(4, 8)} ${A.slice(8)}`).candidates).toEqual([]);
	});
});

describe('extractMyNumber: other numbers on the documents are ignored', () => {
	it.each([
		['an 11-digit 住民票コード', '住民票コード 12345678901'],
		['a 住民票コード after a stray digit', '1 12345678901'],
		['a 住民票コード before a stray digit', '12345678901 8'],
		['a postal code', '〒123-4567 東京都見本区見本町2丁目3番4号'],
		['a postal code read without its hyphen next to a date', '1234567 2024 4 1'],
		['a date', '2024年 4月 1日 平成元年1月8日'],
		['dates as digits', '2024 04 01 1989 01 08'],
		['a fixed-line phone number', '03-1234-5678'],
		['a mobile phone number', '090-1234-5678'],
		['a 13-digit 法人番号', '法人番号 7123456789012'],
		['a 12-digit run glued to a 13th digit', `1${A}`]
	])('%s', (_name, text) => {
		expect(extractMyNumber(text)).toEqual({ number: null, candidates: [], corrected: [] });
	});

	it('finds the number on a 住民票 among all of them', () => {
		const text = [
			'住民票の写し',
			'住所 〒123-4567 東京都見本区見本町2丁目3番4号',
			'生年月日 平成元年 1月 8日',
			'住民票コード 12345678901',
			`個人番号 ${C}`,
			'住民となった日 2024年 4月 1日',
			'電話 03-1234-5678'
		].join('\n');
		expect(extractMyNumber(text)).toEqual({ number: C, candidates: [C], corrected: [] });
	});
});

describe('extractMyNumber: decisions', () => {
	it('lists a reading that fails the check digit, without setting the number', () => {
		expect(extractMyNumber(spaced(broken(A)))).toEqual({ number: null, candidates: [broken(A)], corrected: [] });
	});

	it('rejects the all-zero number even though its arithmetic passes', () => {
		expect(extractMyNumber('0000 0000 0000')).toEqual({ number: null, candidates: ['000000000000'], corrected: [] });
	});

	it('refuses to choose between two valid numbers and lists both, valid first', () => {
		const text = `${spaced(broken(C))}\n個人番号 ${spaced(A)}\n個人番号 ${spaced(B)}`;
		expect(extractMyNumber(text)).toEqual({ number: null, candidates: [A, B, broken(C)], corrected: [] });
	});

	it('counts the same number read twice once', () => {
		expect(extractMyNumber(`${spaced(A)}\n${A}\n${spaced(A, '-')}`)).toEqual({ number: A, candidates: [A], corrected: [] });
	});

	it('keeps the valid number when a misread copy of it fails', () => {
		expect(extractMyNumber(`${spaced(A)}\n${spaced(broken(A))}`)).toEqual({
			number: A,
			candidates: [A, broken(A)],
			corrected: []
		});
	});

	it('considers every 4-4-4 window of a longer chain', () => {
		// A 16-digit run in groups has two overlapping 12-digit windows; here the second fails the check digit...
		const second = A.slice(4) + '1111';
		expect(isValidIndividualNumber(second)).toBe(false);
		expect(extractMyNumber(`${spaced(A)} 1111`)).toEqual({ number: A, candidates: [A, second], corrected: [] });
		// ...and here it passes too, so neither is chosen.
		expect(extractMyNumber(`${spaced(A)} 0000`)).toEqual({ number: null, candidates: [A, A.slice(4) + '0000'], corrected: [] });
	});

	it('returns nothing for empty or digit-free text', () => {
		expect(extractMyNumber('')).toEqual({ number: null, candidates: [], corrected: [] });
		expect(extractMyNumber('個人番号\n氏名 見本 花子')).toEqual({ number: null, candidates: [], corrected: [] });
	});
});

describe('extractMyNumber: letters OCR confuses with digits', () => {
	it('reads O, I, l, |, S and B as 0, 1, 1, 1, 5 and 8', () => {
		expect(extractMyNumber('I234 S678 9O18').number).toBe(A);
		expect(extractMyNumber('l234 5678 9o18').number).toBe(A);
		expect(extractMyNumber('|234 5678 9018').number).toBe(A);
		expect(extractMyNumber('9876 S432 1OI8').number).toBe(B);
		const n = withCheck('88881234567');
		expect(extractMyNumber(`BB88 1234 567${n[11]}`).number).toBe(n);
	});

	it('marks letter positions as guessed', () => {
		const [r] = findReadings(linesFromText('I234 5678 9O18'));
		expect(r!.guessed.map(Number).join('')).toBe('100000000100');
	});

	it('does not read words that are mostly letters as numbers', () => {
		const n = withCheck('50181234567'); // "SOIB" would read as 5018
		expect(isValidIndividualNumber(n)).toBe(true);
		expect(extractMyNumber(`SOIB ${n.slice(4, 8)} ${n.slice(8)}`).candidates).toEqual([]);
		expect(extractMyNumber(`SO1B ${n.slice(4, 8)} ${n.slice(8)}`).candidates).toEqual([]); // 1 digit of 4
		expect(extractMyNumber(`5O1B ${n.slice(4, 8)} ${n.slice(8)}`).number).toBe(n); // 2 digits of 4
	});

	it('does not let letters turn other text into digits', () => {
		expect(extractMyNumber('BOSS 1234 5678').candidates).toEqual([]);
		expect(extractMyNumber('SOIL OIL BOIL').candidates).toEqual([]);
	});
});

describe('findReadings with per-character confidences', () => {
	it('carries symbol confidences into the reading', () => {
		const [r] = findReadings([lineWithConfidences(['1234', '5678', '9018'], 99, { 5: 42 })]);
		expect(r!.digits).toBe(A);
		expect(r!.confidences[5]).toBe(42);
		expect(r!.confidences.filter((c) => c === 99)).toHaveLength(11);
		expect(r!.valid).toBe(true);
	});

	it('ignores symbols that do not spell the word (positions would not line up)', () => {
		const line: OcrLine = { words: [{ text: A, symbols: [{ text: '1234', confidence: 10 }] }] };
		expect(findReadings([line])[0]!.confidences.every((c) => c === undefined)).toBe(true);
	});
});

describe('one-digit correction (rule 5)', () => {
	const misread = A.slice(0, 6) + '3' + A.slice(7); // position 6: 7 → 3
	const words = spaced(misread).split(' ');

	it('corrects the single doubtful digit when exactly one value passes', () => {
		expect(isValidIndividualNumber(misread)).toBe(false);
		const r = decide(findReadings([lineWithConfidences(words, 99, { 6: 40 })]));
		expect(r).toEqual({ number: A, candidates: [A, misread], corrected: [A] });
	});

	it('uses the thresholds as documented', () => {
		expect(LOW_CONFIDENCE).toBeLessThan(HIGH_CONFIDENCE);
		const at = (low: number, rest: number): string | null =>
			correctOneDigit(findReadings([lineWithConfidences(words, rest, { 6: low })])[0]!);
		expect(at(LOW_CONFIDENCE - 0.1, HIGH_CONFIDENCE)).toBe(A);
		expect(at(LOW_CONFIDENCE, HIGH_CONFIDENCE)).toBe(null); // not doubtful enough
		expect(at(LOW_CONFIDENCE - 0.1, HIGH_CONFIDENCE - 0.1)).toBe(null); // the others are not sure enough
	});

	it('does not guess when two digits are doubtful', () => {
		const r = decide(findReadings([lineWithConfidences(words, 99, { 6: 40, 2: 50 })]));
		expect(r).toEqual({ number: null, candidates: [misread], corrected: [] });
	});

	it('does not guess when no digit is doubtful', () => {
		expect(decide(findReadings([lineWithConfidences(words, 99)]))).toEqual({
			number: null,
			candidates: [misread],
			corrected: []
		});
	});

	it('does not guess without confidences (plain text)', () => {
		expect(extractMyNumber(spaced(misread))).toEqual({ number: null, candidates: [misread], corrected: [] });
	});

	it('does not guess when another reading already passes', () => {
		const lines = [lineWithConfidences(words, 99, { 6: 40 }), lineWithConfidences(spaced(B).split(' '), 99)];
		expect(decide(findReadings(lines))).toEqual({ number: B, candidates: [B, misread], corrected: [] });
	});

	it('treats a letter read as a digit as the doubtful position', () => {
		// "B" (→ 8) where the card has 5; every real digit is sure.
		const r = decide(findReadings([lineWithConfidences(['1234', 'B678', '9018'], 99)]));
		expect(r).toEqual({ number: A, candidates: [A, '123486789018'], corrected: [A] });
	});

	it('does not guess when a letter and a low-confidence digit are both doubtful', () => {
		const r = decide(findReadings([lineWithConfidences(['1234', 'B678', '9018'], 99, { 9: 30 })]));
		expect(r.number).toBe(null);
		expect(r.corrected).toEqual([]);
	});

	it('gives up when two values pass at the doubtful position', () => {
		// Remainders 0 and 1 both give check digit 0, so some positions of some numbers have two passing values.
		const reading = (digits: string, at: number): Reading => ({
			digits,
			confidences: [...digits].map((_, i) => (i === at ? 10 : 99)),
			guessed: Array(12).fill(false),
			valid: isValidIndividualNumber(digits)
		});
		let found = 0;
		for (let seed = 0; seed < 2000 && found < 5; seed++) {
			const base = withCheck(String(10000000000 + seed * 7919).slice(-11));
			if (base[11] !== '0') continue;
			for (let at = 0; at < 11; at++) {
				const alternatives = [...'0123456789'].filter((d) => d !== base[at]).map((d) => base.slice(0, at) + d + base.slice(at + 1));
				// A failing variant whose position has two passing values (the original and one other).
				for (const wrong of alternatives.filter((v) => !isValidIndividualNumber(v))) {
					const passing = [...'0123456789'].map((d) => wrong.slice(0, at) + d + wrong.slice(at + 1)).filter(isValidIndividualNumber);
					if (passing.length === 2) {
						expect(correctOneDigit(reading(wrong, at))).toBe(null);
						found++;
						break;
					}
				}
			}
		}
		expect(found).toBeGreaterThan(0);
	});

	it('corrects a wrong check digit itself', () => {
		const r = decide(findReadings([lineWithConfidences(spaced(broken(A)).split(' '), 99, { 11: 20 })]));
		expect(r.number).toBe(A);
	});
});

describe('linesFromText', () => {
	it('splits lines and words on half- and full-width spaces', () => {
		expect(linesFromText('a  b\u3000c\r\n\nd')).toEqual([
			{ words: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] },
			{ words: [] },
			{ words: [{ text: 'd' }] }
		]);
	});
});

describe('properties', () => {
	const digit = fc.constantFrom(...'0123456789');
	const valid = fc
		.array(digit, { minLength: 11, maxLength: 11 })
		.map((ds) => withCheck(ds.join('')))
		.filter(isValidIndividualNumber);
	const layout = fc.constantFrom(
		(n: string) => spaced(n),
		(n: string) => spaced(n, '　'),
		(n: string) => n,
		(n: string) => spaced(n).replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
	);
	const otherLine = fc.constantFrom('', '氏名 見本　花子', '〒100-0001 東京都千代田区', '2024年4月1日', '住民票コード 12345678901', '03-1234-5678');
	// On the number's own line: its label (which OCR may turn into a stray digit) and text after it.
	const prefix = fc.constantFrom('', '個人番号', '個人番号　', '5', '88 ');
	const suffix = fc.constantFrom('', '見本　花子', '生');

	it('finds any valid number in any supported layout, whatever text surrounds it', () => {
		fc.assert(
			fc.property(valid, layout, otherLine, prefix, suffix, otherLine, (n, format, above, before, after, below) => {
				const r = extractMyNumber(`${above}\n${before} ${format(n)} ${after}\n${below}`);
				expect(r.number).toBe(n);
				expect(r.candidates).toEqual([n]);
			})
		);
	});

	it('never reports a digit run that is not 12 digits long', () => {
		const run = fc.array(digit, { minLength: 1, maxLength: 20 }).map((d) => d.join(''));
		fc.assert(
			fc.property(run.filter((r) => r.length !== 12), (r) => {
				expect(extractMyNumber(r).candidates).toEqual([]);
			})
		);
	});

	it('every candidate is 12 ASCII digits, and valid ones come first', () => {
		const junk = fc.string({ unit: fc.constantFrom(...'0123456789 -OISB年〒\n１'), maxLength: 80 });
		fc.assert(
			fc.property(junk, (text) => {
				const { number, candidates } = extractMyNumber(text);
				for (const c of candidates) expect(c).toMatch(/^\d{12}$/);
				const flags = candidates.map(isValidIndividualNumber);
				expect(flags).toEqual([...flags].sort((a, b) => Number(b) - Number(a)));
				expect(number === null || (flags.filter(Boolean).length === 1 && candidates[0] === number)).toBe(true);
			})
		);
	});

	it('a single doubtful digit is restored whenever exactly one value passes there', () => {
		fc.assert(
			fc.property(valid, fc.integer({ min: 0, max: 11 }), digit, (n, at, d) => {
				const wrong = n.slice(0, at) + d + n.slice(at + 1);
				fc.pre(!isValidIndividualNumber(wrong));
				const r = correctOneDigit({
					digits: wrong,
					confidences: [...wrong].map((_, i) => (i === at ? 30 : 99)),
					guessed: Array(12).fill(false),
					valid: false
				});
				const passing = [...'0123456789'].map((x) => wrong.slice(0, at) + x + wrong.slice(at + 1)).filter(isValidIndividualNumber);
				expect(r).toBe(passing.length === 1 ? n : null);
			})
		);
	});
});
