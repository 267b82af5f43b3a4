import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../../tests/vectors/mynumber.json';
import {
	corporateCheckDigit,
	formatCorporateNumber,
	formatIndividualNumber,
	individualCheckDigit,
	isValidCorporateNumber,
	isValidIndividualNumber,
	lastFourDigits,
	maskIndividualNumber,
	normalizeNumberInput,
	parseCorporateNumber,
	parseIndividualNumber
} from './index';

describe('individual numbers', () => {
	for (const v of vectors.individual) {
		it(`${v.valid ? 'accepts' : 'rejects'} ${JSON.stringify(v.input)}${v.note ? ` (${v.note})` : ''}`, () => {
			expect(isValidIndividualNumber(v.input)).toBe(v.valid);
			const parsed = parseIndividualNumber(v.input);
			if (v.valid) expect(parsed).toEqual({ ok: true, value: normalizeNumberInput(v.input) });
			else expect(parsed).toEqual({ ok: false, error: v.error });
		});
	}

	it('computes the documented check digits', () => {
		expect(individualCheckDigit('12345678901')).toBe(8);
		expect(individualCheckDigit('12345678900')).toBe(0);
	});

	it('has exactly one passing check digit for every 11-digit base', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^\d{11}$/), (base) => {
				const passing = [...'0123456789'].filter((d) => isValidIndividualNumber(base + d));
				if (base === '00000000000') expect(passing).toEqual([]);
				else expect(passing).toEqual([String(individualCheckDigit(base))]);
			})
		);
	});

	it('catches most single-digit typos (the rest is why handlers compare with the document)', () => {
		let caught = 0;
		let total = 0;
		fc.assert(
			fc.property(fc.stringMatching(/^[1-9]\d{10}$/), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), (base, at, delta) => {
				const valid = base + individualCheckDigit(base);
				const typo = valid.slice(0, at) + ((Number(valid[at]) + delta) % 10) + valid.slice(at + 1);
				total++;
				if (!isValidIndividualNumber(typo)) caught++;
			}),
			{ numRuns: 2000 }
		);
		expect(caught / total).toBeGreaterThan(0.95);
		expect(caught).toBeLessThan(total); // DOMAIN.md §10.3: about 1.7 % pass unnoticed
	});

	it('formats 4-4-4 and masks all but the last four digits', () => {
		expect(formatIndividualNumber('１２３４５６７８９０１８')).toBe('1234 5678 9018');
		expect(maskIndividualNumber('123456789018')).toBe('**** **** 9018');
		// Lists hold only the sealed last four digits, and mask them the same way.
		expect(lastFourDigits('１２３４ ５６７８ ９０１８')).toBe('9018');
		expect(lastFourDigits('12345678901')).toBeNull();
		expect(maskIndividualNumber('9018')).toBe('**** **** 9018');
	});
});

describe('corporate numbers', () => {
	for (const v of vectors.corporate) {
		it(`${v.valid ? 'accepts' : 'rejects'} ${JSON.stringify(v.input)}`, () => {
			expect(isValidCorporateNumber(v.input)).toBe(v.valid);
			const parsed = parseCorporateNumber(v.input);
			expect(parsed.ok).toBe(v.valid);
			if (!parsed.ok) expect(parsed.error).toBe(v.error);
		});
	}

	it('applies the mod to the whole sum (NTA example)', () => {
		expect(corporateCheckDigit('123456789012')).toBe(7);
	});

	it('formats 1-4-4-4', () => {
		expect(formatCorporateNumber('7123456789012')).toBe('7 1234 5678 9012');
	});
});

describe('normalisation', () => {
	it('turns full-width digits into ASCII and drops every kind of separator', () => {
		expect(normalizeNumberInput('１２３ ４‐５−６ー７－８')).toBe('12345678');
		expect(normalizeNumberInput('12a')).toBe('12a');
	});
});
