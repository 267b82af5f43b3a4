/**
 * Finds 個人番号 candidates in OCR output. Pure: no tesseract, no DOM, no Node APIs.
 *
 * Rules, in order:
 *
 * 1. **Characters.** Full-width digits and letters (０–９, Ａ–Ｚ) become ASCII. The usual OCR confusions are read as
 *    digits: `O o` → 0, `I l |` → 1, `S s` → 5, `B` → 8. Such a position is marked *guessed*. A group of digit-like
 *    characters counts only if at least half of it is real digits, so words like "BOSS" or "SOIL" never become numbers.
 * 2. **Groups.** Within one line, digit groups separated by spaces (half- or full-width) and at most one hyphen or
 *    dash join into a chain; any other character (kanji, 〒, 年, a letter) ends the chain.
 * 3. **Twelve digits on the 4-4-4 grid.** A reading is a run of consecutive groups with exactly 12 digits whose group
 *    boundaries fall only after the 4th and 8th digit: `123456789012`, `1234 5678 9012`, `1234-5678 9012`, and the
 *    dropped-space forms `1234 56789012` / `12345678 9012`. So an 11-digit 住民票コード, a postal code (3-4), a
 *    phone number (2-4-4) or a date is never a reading by itself, even next to stray digits, while a label that OCR
 *    turned into digits ("5 1234 5678 9018") does not hide the number behind it. Fields can still merge on one
 *    line (with a digits-only whitelist "〒100-0001 … 2035年" came out as "71000001 2035", an 8-4 reading, which
 *    for 2030 passes the check digit; hence the hyphen is whitelisted too, see `CHAR_WHITELIST` in `engine.ts`);
 *    such readings mostly fail the check digit and end up as invalid candidates.
 * 4. **Decision.** Readings whose check digit passes (`isValidIndividualNumber`) are *valid*. `number` is set only when
 *    exactly one distinct valid reading exists and no dash-joined one passes too (the documents print the number with
 *    spaces or none; a dash joins a postal code such as 〒100-0001, which OCR once read as "7100-0001 2030", a passing
 *    4-4-4 reading); dash-joined readings are offered as candidates only; two different valid numbers (a 住民票 listing a household) give
 *    `number: null` with both as candidates.
 * 5. **One-digit correction, only as a last resort.** When *no* reading passes, each failing reading whose digit
 *    confidences are all known is examined. If exactly one of its 12 digits is doubtful (confidence below
 *    {@link LOW_CONFIDENCE}, or guessed from a letter) and every other digit is sure (at least
 *    {@link HIGH_CONFIDENCE}), the other nine values are tried at the doubtful position, and the result is used
 *    only if exactly one of them passes. A failing check digit alone cannot tell *which* digit is wrong — every
 *    position has a passing value — so without one clearly doubtful digit we do not guess. A position can have 0,
 *    1 or 2 passing values (remainders 0 and 1 both give check digit 0), hence "exactly one".
 *    Measured on 90 synthetic card and 住民票 images: tesseract's LSTM is confidently wrong far more often than
 *    doubtfully wrong (wrong digits mostly score 85–99), so this rarely fires (once, correctly); a single threshold
 *    of 70 without the "others sure" condition once turned a misread line into a wrong valid number, which is why
 *    both conditions are required.
 *
 * A passing check digit does not prove the reading is right (DOMAIN.md §10.3): the user confirms it.
 *
 * @module
 */
import { isValidIndividualNumber } from '../mynumber/index';

/** Symbol confidence (0–100, as tesseract reports it) under which a digit is doubtful (rule 5). */
export const LOW_CONFIDENCE = 90;
/** Symbol confidence from which a digit is sure (rule 5). */
export const HIGH_CONFIDENCE = 95;

/** One recognised character and its confidence (0–100). */
export interface OcrSymbol {
	text: string;
	confidence: number;
}

/** One recognised word; `symbols` carry per-character confidences when the engine provides them. */
export interface OcrWord {
	text: string;
	symbols?: OcrSymbol[];
}

/** One line of recognised text, as words in reading order. */
export interface OcrLine {
	words: OcrWord[];
}

/** A 12-digit reading found in the OCR output. */
export interface Reading {
	/** Twelve ASCII digits. */
	digits: string;
	/** Per-digit confidence (0–100), `undefined` where the engine gave none. */
	confidences: (number | undefined)[];
	/** Per-digit flag: true where a letter was read as a digit (O→0, I/l/|→1, S→5, B→8). */
	guessed: boolean[];
	/** Whether `digits` passes the check digit. */
	valid: boolean;
	/**
	 * Whether a dash joins two of its groups. The three documents print the number with spaces or none;
	 * dashes join postal codes and phone numbers, so such a reading is offered, never filled in (rule 4).
	 */
	dashed?: boolean;
}

/** What {@link decide} concludes from a set of readings. */
export interface Decision {
	/** The number, only when exactly one distinct reading passes the check digit (possibly after correction). */
	number: string | null;
	/** Distinct 12-digit readings, check-digit-valid ones first, each group in order of first appearance. */
	candidates: string[];
	/** Valid numbers that exist only through the one-digit correction of rule 5. */
	corrected: string[];
}

const CONFUSABLE: Record<string, string> = { O: '0', o: '0', I: '1', l: '1', '|': '1', S: '5', s: '5', B: '8' };
const SPACE = /[\s\u3000]/;
const DASH = /[-‐‑‒–—―−ーｰ－]/;
/** Boundaries between groups may fall only here (the official 4-4-4 layout). */
const GRID = new Set([4, 8]);

interface Char {
	ch: string;
	confidence: number | undefined;
}

interface Group {
	digits: string;
	confidences: (number | undefined)[];
	guessed: boolean[];
	/** Joined to the group before it by a dash rather than a space. */
	afterDash?: boolean;
}

/** Full-width ASCII (U+FF01–FF5E) to ASCII; everything else unchanged. */
function halfWidth(ch: string): string {
	const c = ch.charCodeAt(0);
	return c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : ch;
}

/**
 * Splits plain text into lines of whitespace-separated words, without confidences. Use this for engines (or tests)
 * that give only text.
 */
export function linesFromText(text: string): OcrLine[] {
	return text.split(/\r?\n/).map((line) => ({
		words: line
			.split(/[\s\u3000]+/)
			.filter(Boolean)
			.map((text) => ({ text }))
	}));
}

/** The characters of a line with their confidences; words are separated by a space. */
function lineChars(line: OcrLine): Char[] {
	const out: Char[] = [];
	for (const word of line.words) {
		if (out.length) out.push({ ch: ' ', confidence: undefined });
		const symbols = word.symbols;
		// Trust symbol confidences only if the symbols spell the word; otherwise the positions would not line up.
		if (symbols && symbols.length && symbols.map((s) => s.text).join('') === word.text) {
			for (const s of symbols) for (const ch of s.text) out.push({ ch, confidence: s.confidence });
		} else {
			for (const ch of word.text) out.push({ ch, confidence: undefined });
		}
	}
	return out;
}

/** Cuts a line into chains of digit groups (rules 1 and 2). */
function chains(chars: Char[]): Group[][] {
	const result: Group[][] = [];
	let chain: Group[] = [];
	let group: (Group & { real: number }) | null = null;
	let dashes = 0; // dashes seen since the last group
	let dashBefore = false; // the current group follows a dash

	const endChain = (): void => {
		if (chain.length) result.push(chain);
		chain = [];
	};
	const endGroup = (): boolean => {
		if (!group) return true;
		const ok = group.real * 2 >= group.digits.length;
		if (ok) chain.push({ digits: group.digits, confidences: group.confidences, guessed: group.guessed, afterDash: chain.length > 0 && dashBefore });
		else endChain(); // a word of letters is text, not a number: it separates what is on either side
		group = null;
		dashes = 0;
		dashBefore = false;
		return ok;
	};

	for (const { ch: raw, confidence } of chars) {
		const ch = halfWidth(raw);
		const isDigit = ch >= '0' && ch <= '9';
		const mapped = isDigit ? ch : CONFUSABLE[ch];
		if (mapped !== undefined) {
			group ??= { digits: '', confidences: [], guessed: [], real: 0 };
			group.digits += mapped;
			group.confidences.push(confidence);
			group.guessed.push(!isDigit);
			if (isDigit) group.real++;
		} else if (SPACE.test(ch) || DASH.test(ch)) {
			endGroup();
			if (DASH.test(ch)) {
				dashBefore = true;
				if (++dashes > 1) endChain();
			}
		} else {
			endGroup();
			endChain();
		}
	}
	endGroup();
	endChain();
	return result;
}

/** All 12-digit readings of one line (rule 3). */
function lineReadings(line: OcrLine): Reading[] {
	const readings: Reading[] = [];
	for (const chain of chains(lineChars(line))) {
		for (let i = 0; i < chain.length; i++) {
			let length = 0;
			for (let j = i; j < chain.length; j++) {
				length += chain[j]!.digits.length;
				if (length === 12) {
					const parts = chain.slice(i, j + 1);
					const digits = parts.map((p) => p.digits).join('');
					readings.push({
						digits,
						confidences: parts.flatMap((p) => p.confidences),
						guessed: parts.flatMap((p) => p.guessed),
						valid: isValidIndividualNumber(digits),
						...(parts.slice(1).some((p) => p.afterDash) ? { dashed: true } : {})
					});
				}
				if (length >= 12 || !GRID.has(length)) break;
			}
		}
	}
	return readings;
}

/** Every 12-digit reading in the given lines, in reading order (duplicates kept: they may differ in confidences). */
export function findReadings(lines: OcrLine[]): Reading[] {
	return lines.flatMap(lineReadings);
}

/**
 * The single passing one-digit correction of a failing reading, or null (rule 5). Exported for tests.
 */
export function correctOneDigit(reading: Reading): string | null {
	if (reading.valid) return null;
	const doubtful: number[] = [];
	for (let i = 0; i < 12; i++) {
		const c = reading.confidences[i];
		if (reading.guessed[i]) doubtful.push(i);
		else if (c === undefined) return null; // confidences unknown: we cannot tell which digit is wrong
		else if (c < LOW_CONFIDENCE) doubtful.push(i);
		else if (c < HIGH_CONFIDENCE) return null; // neither sure nor clearly doubtful: too vague to point at one digit
	}
	if (doubtful.length !== 1) return null;
	const at = doubtful[0]!;
	const passing: string[] = [];
	for (let d = 0; d <= 9; d++) {
		const digit = String(d);
		if (digit === reading.digits[at]) continue;
		const next = reading.digits.slice(0, at) + digit + reading.digits.slice(at + 1);
		if (isValidIndividualNumber(next)) passing.push(next);
	}
	return passing.length === 1 ? passing[0]! : null;
}

const distinct = (xs: string[]): string[] => [...new Set(xs)];

/** Applies rules 4 and 5 to readings (possibly gathered from several OCR passes). */
export function decide(readings: Reading[]): Decision {
	const spaced = readings.filter((r) => !r.dashed);
	let valid = distinct(spaced.filter((r) => r.valid).map((r) => r.digits));
	let corrected: string[] = [];
	if (valid.length === 0) {
		corrected = distinct(spaced.map(correctOneDigit).filter((d): d is string => d !== null));
		valid = corrected;
	}
	// Dash-joined readings that pass are shown, after the others, but never decide `number`.
	const dashedValid = distinct(readings.filter((r) => r.dashed && r.valid).map((r) => r.digits)).filter((d) => !valid.includes(d));
	const invalid = distinct(readings.map((r) => r.digits)).filter((d) => !valid.includes(d) && !dashedValid.includes(d));
	return { number: valid.length === 1 && dashedValid.length === 0 ? valid[0]! : null, candidates: [...valid, ...dashedValid, ...invalid], corrected };
}

/** {@link findReadings} then {@link decide}. Plain text carries no confidences, so rule 5 never applies to it. */
export function extractMyNumber(input: string | OcrLine[]): Decision {
	return decide(findReadings(typeof input === 'string' ? linesFromText(input) : input));
}
