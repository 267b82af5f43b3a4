/**
 * My Number (個人番号) and 法人番号 rules as pure functions (DOMAIN.md §10).
 *
 * A passing check digit proves only that the input is well-formed: about 1.7 % of single-digit
 * typos still pass, so a handler must still compare the number with the document.
 *
 * @module
 */

/** A 12-digit individual number that passed `parseIndividualNumber`. */
export type MyNumber = string & { readonly __brand: 'MyNumber' };
/** A 13-digit corporate number that passed `parseCorporateNumber`. */
export type CorporateNumber = string & { readonly __brand: 'CorporateNumber' };

export type IndividualNumberError = 'empty' | 'not_digits' | 'length' | 'check_digit' | 'all_zero';
export type CorporateNumberError = 'empty' | 'not_digits' | 'length' | 'check_digit';

const SEPARATORS = /[\s\u3000\-‐‑‒–—―−ーｰ－]/g;

/**
 * Converts full-width digits (０–９) to ASCII and removes spaces (half- and full-width) and
 * hyphens or dashes of any kind. Other characters are kept, so they fail validation visibly.
 */
export function normalizeNumberInput(s: string): string {
	return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(SEPARATORS, '');
}

/**
 * The check digit of an individual number from its first 11 digits
 * (平成26年総務省令第85号 第5条).
 * @throws Error when `first11` is not exactly 11 ASCII digits.
 */
export function individualCheckDigit(first11: string): number {
	if (!/^\d{11}$/.test(first11)) throw new Error('expected 11 digits');
	let sum = 0;
	for (let n = 1; n <= 11; n++) {
		const p = Number(first11[11 - n]); // P1 is the rightmost of the 11 digits
		const q = n <= 6 ? n + 1 : n - 5;
		sum += p * q;
	}
	const r = sum % 11;
	return r <= 1 ? 0 : 11 - r;
}

/**
 * The check digit of a corporate number from its 12-digit base (digits 2–13)
 * (平成26年財務省令第70号 第2条); the mod applies to the whole sum.
 * @throws Error when `base12` is not exactly 12 ASCII digits.
 */
export function corporateCheckDigit(base12: string): number {
	if (!/^\d{12}$/.test(base12)) throw new Error('expected 12 digits');
	let sum = 0;
	for (let n = 1; n <= 12; n++) {
		const p = Number(base12[12 - n]);
		sum += p * (n % 2 === 1 ? 1 : 2);
	}
	return 9 - (sum % 9);
}

/** Normalises and validates an individual number; the error says what is wrong. */
export function parseIndividualNumber(s: string): { ok: true; value: MyNumber } | { ok: false; error: IndividualNumberError } {
	const n = normalizeNumberInput(s);
	if (n === '') return { ok: false, error: 'empty' };
	if (!/^\d+$/.test(n)) return { ok: false, error: 'not_digits' };
	if (n.length !== 12) return { ok: false, error: 'length' };
	// Σ = 0 gives check digit 0, so the all-zero string would pass the arithmetic (DOMAIN.md §10.3).
	if (/^0{12}$/.test(n)) return { ok: false, error: 'all_zero' };
	if (individualCheckDigit(n.slice(0, 11)) !== Number(n[11])) return { ok: false, error: 'check_digit' };
	return { ok: true, value: n as MyNumber };
}

/** Normalises and validates a corporate number; the first digit is the check digit (1–9). */
export function parseCorporateNumber(s: string): { ok: true; value: CorporateNumber } | { ok: false; error: CorporateNumberError } {
	const n = normalizeNumberInput(s);
	if (n === '') return { ok: false, error: 'empty' };
	if (!/^\d+$/.test(n)) return { ok: false, error: 'not_digits' };
	if (n.length !== 13) return { ok: false, error: 'length' };
	if (corporateCheckDigit(n.slice(1)) !== Number(n[0])) return { ok: false, error: 'check_digit' };
	return { ok: true, value: n as CorporateNumber };
}

/** True for a well-formed individual number (after normalisation); rejects the all-zero number. */
export function isValidIndividualNumber(s: string): boolean {
	return parseIndividualNumber(s).ok;
}

/** True for a well-formed corporate number (after normalisation). */
export function isValidCorporateNumber(s: string): boolean {
	return parseCorporateNumber(s).ok;
}

/** '123456789018' → '1234 5678 9018' (4-4-4, as on the official forms). Input is normalised first. */
export function formatIndividualNumber(n: string): string {
	const d = normalizeNumberInput(n);
	return [d.slice(0, 4), d.slice(4, 8), d.slice(8, 12)].filter(Boolean).join(' ');
}

/** '7123456789012' → '7 1234 5678 9012' (1-4-4-4). Input is normalised first. */
export function formatCorporateNumber(n: string): string {
	const d = normalizeNumberInput(n);
	return [d.slice(0, 1), d.slice(1, 5), d.slice(5, 9), d.slice(9, 13)].filter(Boolean).join(' ');
}

/** Shows only the last four digits: '**** **** 9018'. */
export function maskIndividualNumber(n: string): string {
	const d = normalizeNumberInput(n);
	return `**** **** ${d.slice(-4)}`;
}

/**
 * The last four digits of a 12-digit number (what lists may show, sealed), or null for anything
 * that is not 12 digits after normalisation.
 */
export function lastFourDigits(n: string): string | null {
	const d = normalizeNumberInput(n);
	return /^[0-9]{12}$/.test(d) ? d.slice(-4) : null;
}
