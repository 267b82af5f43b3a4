/**
 * Input rules for an employee's personal details (the seed's m-collector table, issue 4 item 6):
 * - 名前: full-width; hiragana, katakana, kanji, Latin letters and ゞゝヽヾ〆ー－ (and a full-width space);
 * - 名前(かな): full-width hiragana and ー only (and a full-width space);
 * - 住所: full-width; hiragana, katakana, kanji, Latin letters, digits, Roman numerals and common symbols.
 * Half-width input is converted where the intent is clear (ASCII letters and digits, half-width
 * katakana, katakana in a reading); anything else is reported with the exact character and place.
 * Pure functions: no DOM, no i18n (the UI turns errors into messages).
 *
 * @module
 */

/** Why a field was refused. `char` is the first offending character, `position` its 1-based place. */
export type FieldError = { kind: 'empty' } | { kind: 'too_long'; max: number } | { kind: 'char'; char: string; position: number };

export type FieldResult = { ok: true; value: string } | { ok: false; error: FieldError };

const HALF_KANA = 'ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ';
const FULL_KANA = 'ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';
const VOICED: Record<string, string> = { ｶ: 'ガ', ｷ: 'ギ', ｸ: 'グ', ｹ: 'ゲ', ｺ: 'ゴ', ｻ: 'ザ', ｼ: 'ジ', ｽ: 'ズ', ｾ: 'ゼ', ｿ: 'ゾ', ﾀ: 'ダ', ﾁ: 'ヂ', ﾂ: 'ヅ', ﾃ: 'デ', ﾄ: 'ド', ﾊ: 'バ', ﾋ: 'ビ', ﾌ: 'ブ', ﾍ: 'ベ', ﾎ: 'ボ', ｳ: 'ヴ' };
const SEMI_VOICED: Record<string, string> = { ﾊ: 'パ', ﾋ: 'ピ', ﾌ: 'プ', ﾍ: 'ペ', ﾎ: 'ポ' };

/** Half-width katakana (with ﾞ ﾟ marks) to full-width katakana. */
export function toFullWidthKatakana(s: string): string {
	let out = '';
	for (let i = 0; i < s.length; i++) {
		const c = s[i]!;
		const next = s[i + 1];
		if (next === 'ﾞ' && VOICED[c]) {
			out += VOICED[c];
			i++;
		} else if (next === 'ﾟ' && SEMI_VOICED[c]) {
			out += SEMI_VOICED[c];
			i++;
		} else {
			const at = HALF_KANA.indexOf(c);
			out += at >= 0 ? FULL_KANA[at] : c;
		}
	}
	return out;
}

/** Printable ASCII letters, digits and a few symbols to their full-width forms; spaces to U+3000. */
function asciiToFullWidth(s: string, symbols: string): string {
	return s.replace(/[ -~]/g, (c) => {
		if (c === ' ') return '\u3000';
		if (c === '-') return '－';
		if (/[A-Za-z0-9]/.test(c) || symbols.includes(c)) return String.fromCharCode(c.charCodeAt(0) + 0xfee0);
		return c;
	});
}

function check(value: string, max: number, allowed: RegExp): FieldResult {
	if (!value) return { ok: false, error: { kind: 'empty' } };
	const chars = [...value];
	if (chars.length > max) return { ok: false, error: { kind: 'too_long', max } };
	const bad = chars.findIndex((c) => !allowed.test(c));
	if (bad >= 0) return { ok: false, error: { kind: 'char', char: chars[bad]!, position: bad + 1 } };
	return { ok: true, value };
}

/** Trims, folds runs of spaces (half- or full-width) into one full-width space. */
function tidy(s: string): string {
	return s.normalize('NFC').trim().replace(/[\s\u3000]+/g, '\u3000');
}

const KANJI = '\\p{Script=Han}々〆ヶ';
const NAME_CHARS = new RegExp(`^[\\p{Script=Hiragana}\\p{Script=Katakana}${KANJI}Ａ-Ｚａ-ｚゞゝヽヾー－・\u3000]$`, 'u');
const KANA_CHARS = /^[ぁ-ゖー\u3000]$/u;
const ADDRESS_CHARS = new RegExp(`^[\\p{Script=Hiragana}\\p{Script=Katakana}${KANJI}Ａ-Ｚａ-ｚ０-９Ⅰ-Ⅻゞゝヽヾー－・（）／＃＆，．　]$`, 'u');

/** 氏名: converts half-width letters and katakana; refuses digits and other half-width characters. */
export function parseName(input: string): FieldResult {
	return check(tidy(asciiToFullWidth(toFullWidthKatakana(input), '')), 50, NAME_CHARS);
}

/** 氏名(かな): katakana (either width) becomes hiragana, and - ｰ － ‐ become ー. */
export function parseKana(input: string): FieldResult {
	const kana = toFullWidthKatakana(input)
		.replace(/[ァ-ヶ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
		.replace(/[-－‐ｰ―]/g, 'ー');
	return check(tidy(kana), 50, KANA_CHARS);
}

/** 住所: converts half-width letters, digits, katakana and ( ) / # & , . - to full width. */
export function parseAddress(input: string): FieldResult {
	return check(tidy(asciiToFullWidth(toFullWidthKatakana(input).replace(/[−‐―]/g, '－'), '()/#&,.')), 120, ADDRESS_CHARS);
}

// ── Dates of birth (和暦 / 西暦) ─────────────────────────────────────────────────────────

/** Japanese eras since 1912, newest first: name, initial, first day. */
export const ERAS = [
	{ name: '令和', initial: 'R', start: '2019-05-01' },
	{ name: '平成', initial: 'H', start: '1989-01-08' },
	{ name: '昭和', initial: 'S', start: '1926-12-25' },
	{ name: '大正', initial: 'T', start: '1912-07-30' }
] as const;

export type DateError = 'empty' | 'format' | 'no_such_date' | 'era_range' | 'future' | 'too_old';
export type DateResult = { ok: true; value: string } | { ok: false; error: DateError };

function iso(y: number, m: number, d: number): string | null {
	const date = new Date(Date.UTC(y, m - 1, d));
	if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
	return date.toISOString().slice(0, 10);
}

/**
 * Reads a date of birth typed as 西暦 (1990-04-01, 1990/4/1, 1990年4月1日, 19900401) or 和暦
 * (平成2年4月1日, 平成元年…, H2.4.1, h02/04/01), in either width.
 * @param today ISO date the date may not be after (tests pass a fixed one).
 * @returns the ISO date (YYYY-MM-DD).
 */
export function parseBirthDate(input: string, today = new Date().toISOString().slice(0, 10)): DateResult {
	const s = input
		.normalize('NFKC')
		.trim()
		.replace(/元年/g, '1年')
		.replace(/\s+/g, '');
	if (!s) return { ok: false, error: 'empty' };
	let value: string | null = null;
	const western = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
	if (western) {
		value = iso(Number(western[1]), Number(western[2]), Number(western[3]));
		if (!value) return { ok: false, error: 'no_such_date' };
	} else {
		const japanese = /^(令和|平成|昭和|大正|[RHST])(\d{1,2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/i.exec(s);
		if (!japanese) return { ok: false, error: 'format' };
		const key = japanese[1]!.toUpperCase();
		const index = ERAS.findIndex((e) => e.name === key || e.initial === key);
		const era = ERAS[index]!;
		const year = Number(era.start.slice(0, 4)) + Number(japanese[2]) - 1;
		value = iso(year, Number(japanese[3]), Number(japanese[4]));
		if (!value || Number(japanese[2]) < 1) return { ok: false, error: 'no_such_date' };
		const end = index > 0 ? ERAS[index - 1]!.start : null;
		if (value < era.start || (end !== null && value >= end)) return { ok: false, error: 'era_range' };
	}
	if (value > today) return { ok: false, error: 'future' };
	if (value < '1900-01-01') return { ok: false, error: 'too_old' };
	return { ok: true, value };
}

/** An ISO date as 和暦, e.g. `平成2年4月1日` (元年 for year 1). */
export function toWareki(isoDate: string): string {
	const era = ERAS.find((e) => isoDate >= e.start);
	const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
	if (!era) return `${y}年${m}月${d}日`;
	const year = y - Number(era.start.slice(0, 4)) + 1;
	return `${era.name}${year === 1 ? '元' : year}年${m}月${d}日`;
}
