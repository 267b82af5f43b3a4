/**
 * Roster (従業員名簿) import: the pure core that turns a CSV exported by a Japanese payroll or HR
 * system into validated employees. No I/O, no framework imports, so the browser and tests share it.
 *
 * Conventions callers rely on:
 * - `row` in errors and employees is the 1-based data record number, header excluded. It counts
 *   CSV records, not physical lines, so a quoted field spanning two lines is still one row; blank
 *   records in the middle of the data are skipped but still counted, so numbers match what the
 *   handler sees in a spreadsheet (data row N = spreadsheet row N + 1 when the header is on row 1).
 * - `row: 0` means the file or its header as a whole (empty file, missing column, bad mapping…).
 * - A row with any error is left out of `employees`; all of its problems are reported.
 * - Readings (フリガナ) are stored in hiragana, whatever the file used.
 *
 * @module
 */

/** The roster fields a column can be mapped to. */
export type RosterField =
	| 'employeeCode'
	| 'name'
	| 'nameKana'
	| 'department'
	| 'status'
	| 'hiredOn'
	| 'leftOn'
	| 'email';

export type RosterStatus = 'active' | 'offer' | 'left';

export interface RosterEmployee {
	employeeCode: string;
	name: string;
	/** Reading, normalised to hiragana. */
	nameKana?: string;
	department?: string;
	status: RosterStatus;
	/** YYYY-MM-DD */
	hiredOn?: string;
	/** YYYY-MM-DD */
	leftOn?: string;
	email?: string;
	/** 1-based data row (header excluded). */
	row: number;
}

/** A problem found in the file; `row` is the 1-based data row, or 0 for the file / header as a whole. */
export interface RosterError {
	row: number;
	/** The problem in Japanese (the handlers' language); UIs translate `code` + `params` instead. */
	message: string;
	/** What is wrong, for translation (`roster_err_<code>` in messages/*.json). */
	code: RosterErrorCode;
	/** Values for the message: `field`, `value`, `first`, `header`, `row`, `index`. */
	params: Record<string, string>;
}

/** Every kind of roster problem, with its Japanese template (`{name}` marks a parameter). */
export const ROSTER_ERROR_TEMPLATES = {
	empty_file: 'ファイルが空です',
	utf16: 'UTF-16 のファイルには対応していません。CSV（UTF-8 または Shift_JIS）で保存し直してください',
	header_quote: '見出し行の引用符（"）が閉じられていません',
	bad_mapping: '列の割り当てが正しくありません: {field}に存在しない列（{index}）が指定されています',
	missing_column: '{field}の列が見つかりません。1行目が見出し行で、「{field}」などの列名があるか確認してください',
	header_only: 'データ行がありません（見出し行しかありません）',
	unclosed_quote: '引用符（"）が閉じられていません。この行以降を読み取れませんでした',
	column_count: '列の数が見出し行と異なります（見出し {header} 列、この行 {row} 列）',
	mojibake: '文字化けした文字が含まれています。ファイルの文字コード（UTF-8 または Shift_JIS）を確認してください',
	code_empty: '社員番号が空です',
	code_invalid: '社員番号「{value}」は半角英数字・ハイフン・アンダースコアの32文字以内で入力してください',
	code_duplicate: '社員番号「{value}」が重複しています（最初の出現: {first}行目）',
	name_empty: '氏名が空です',
	kana_invalid: 'フリガナはカタカナまたはひらがなで入力してください',
	status_unknown: '在籍区分「{value}」を認識できません（在職・内定・退職 のいずれかを入力してください）',
	date_invalid: '{field}「{value}」を日付として読み取れません（YYYY-MM-DD または YYYY/MM/DD の形式で入力してください）',
	dates_order: '退職日が入社日より前になっています',
	email_invalid: 'メールアドレスの形式が正しくありません'
} as const;

export type RosterErrorCode = keyof typeof ROSTER_ERROR_TEMPLATES;

/** A problem of `row` (0 = the file or its header) with its Japanese message. */
function problem(row: number, code: RosterErrorCode, params: Record<string, string> = {}): RosterError {
	const message = ROSTER_ERROR_TEMPLATES[code].replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
	return { row, message, code, params };
}

export interface RosterParseResult {
	encoding: 'utf-8' | 'shift_jis';
	employees: RosterEmployee[];
	errors: RosterError[];
}

/** Column index (0-based, into the header row) for each mapped field. */
export type ColumnMapping = Partial<Record<RosterField, number>>;

export interface ParseRosterOptions {
	/**
	 * Replaces header detection entirely (it is not merged), so a mapping screen can also unmap a
	 * column. Prefill it with {@link detectColumns}. The first record is still treated as the header.
	 */
	mapping?: ColumnMapping;
}

export interface DecodedCsv {
	encoding: 'utf-8' | 'shift_jis';
	/** Decoded text without the byte-order mark. */
	text: string;
}

export interface CsvParseResult {
	/** Records as arrays of raw field values; trailing blank lines are removed. */
	records: string[][];
	/** 0-based index into `records` of a record whose quoted field is never closed, else null. */
	unclosedQuoteAt: number | null;
}

/** Every field, in the order a mapping screen should list them. */
export const ROSTER_FIELDS: readonly RosterField[] = [
	'employeeCode',
	'name',
	'nameKana',
	'department',
	'status',
	'hiredOn',
	'leftOn',
	'email'
];

/** Japanese labels, used in messages and available to the mapping screen. */
export const ROSTER_FIELD_LABELS: Readonly<Record<RosterField, string>> = {
	employeeCode: '社員番号',
	name: '氏名',
	nameKana: 'フリガナ',
	department: '部署',
	status: '在籍区分',
	hiredOn: '入社日',
	leftOn: '退職日',
	email: 'メールアドレス'
};

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes CSV bytes as UTF-8 (BOM optional) or, failing that, Shift_JIS.
 *
 * Strict UTF-8 decoding almost never succeeds on Japanese Shift_JIS text, so a failed strict decode
 * is a reliable signal. The WHATWG `shift_jis` decoder is in fact CP932 (NEC and IBM extensions such
 * as ① and 髙), which is what Windows and Excel write. Bytes that are invalid in the chosen encoding
 * become U+FFFD; {@link parseRoster} reports rows containing it. Pure ASCII is reported as UTF-8.
 */
export function decodeCsv(bytes: Uint8Array): DecodedCsv {
	const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
	if (hasBom) {
		// A BOM states the intent; decode leniently so a few bad bytes show up as row errors
		// instead of turning the whole file into Shift_JIS mojibake.
		return { encoding: 'utf-8', text: new TextDecoder('utf-8').decode(bytes) };
	}
	try {
		return { encoding: 'utf-8', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
	} catch {
		return { encoding: 'shift_jis', text: new TextDecoder('shift_jis').decode(bytes) };
	}
}

// ---------------------------------------------------------------------------------------------
// CSV

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Index of the next comma, CR or LF at or after `i`, or `text.length`. */
function nextDelimiter(text: string, i: number): number {
	const n = text.length;
	while (i < n) {
		const c = text.charCodeAt(i);
		if (c === COMMA || c === LF || c === CR) return i;
		i++;
	}
	return n;
}

/**
 * Parses CSV text (RFC 4180): quoted fields, `""` escapes, commas and line breaks inside quotes,
 * CRLF / LF / CR line ends. Trailing blank lines are dropped. Never throws.
 *
 * Leniency, because real exports are not always well-formed: a quote inside an unquoted field is
 * kept literally, text after a closing quote is appended to the field, and an unclosed quote runs
 * to the end of the text (and is reported in `unclosedQuoteAt`).
 */
export function parseCsv(text: string): CsvParseResult {
	const records: string[][] = [];
	let unclosedQuoteAt: number | null = null;
	const n = text.length;
	if (n === 0) return { records, unclosedQuoteAt };

	let record: string[] = [];
	// Records that are literally empty lines at the end; a quoted "" is data and is kept.
	let trailingEmptyLines = 0;
	const pushRecord = (quoted: boolean): void => {
		trailingEmptyLines = !quoted && record.length === 1 && record[0] === '' ? trailingEmptyLines + 1 : 0;
		records.push(record);
	};
	let i = 0;
	for (;;) {
		let value: string;
		const quoted = text.charCodeAt(i) === QUOTE;
		if (quoted) {
			value = '';
			let j = i + 1;
			for (;;) {
				const q = text.indexOf('"', j);
				if (q === -1) {
					value += text.slice(j);
					unclosedQuoteAt = records.length;
					i = n;
					break;
				}
				if (text.charCodeAt(q + 1) === QUOTE) {
					value += text.slice(j, q + 1);
					j = q + 2;
					continue;
				}
				value += text.slice(j, q);
				i = q + 1;
				break;
			}
			if (i < n) {
				const end = nextDelimiter(text, i);
				if (end > i) value += text.slice(i, end);
				i = end;
			}
		} else {
			const end = nextDelimiter(text, i);
			value = text.slice(i, end);
			i = end;
		}
		record.push(value);

		if (i >= n) {
			pushRecord(quoted);
			break;
		}
		const c = text.charCodeAt(i);
		if (c === COMMA) {
			i++;
			if (i >= n) {
				record.push('');
				pushRecord(false);
				break;
			}
			continue;
		}
		i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
		pushRecord(quoted);
		record = [];
		if (i >= n) break;
	}

	records.length -= trailingEmptyLines;
	return { records, unclosedQuoteAt };
}

// ---------------------------------------------------------------------------------------------
// Header detection

/** Aliases per field, matched after {@link normalizeHeader}. */
const HEADER_ALIASES: Record<RosterField, string[]> = {
	employeeCode: [
		'社員番号',
		'従業員番号',
		'社員コード',
		'従業員コード',
		'社員No',
		'従業員No',
		'社員ID',
		'従業員ID',
		'職員番号',
		'職員コード',
		'employee_code',
		'employee code',
		'employee_id',
		'employee_no',
		'employee_number',
		'emp_code',
		'emp_no',
		'code'
	],
	name: ['氏名', '名前', '従業員名', '社員名', '職員名', '氏名(漢字)', '漢字氏名', 'name', 'full_name', 'employee_name'],
	nameKana: [
		'フリガナ',
		'ふりがな',
		'氏名カナ',
		'カナ氏名',
		'氏名フリガナ',
		'氏名(カナ)',
		'氏名(フリガナ)',
		'氏名(ふりがな)',
		'カナ',
		'よみがな',
		'読み',
		'読み仮名',
		'reading',
		'kana',
		'name_kana',
		'furigana'
	],
	department: ['部署', '所属', '部門', '部署名', '所属部署', '所属部門', '所属名', 'department', 'dept'],
	status: ['在籍区分', '雇用状態', '状態', '在職区分', '在籍状況', 'ステータス', 'status', 'employment_status'],
	hiredOn: ['入社日', '入社年月日', '雇用開始日', 'hire_date', 'hired_on', 'hired_date', 'start_date'],
	leftOn: ['退職日', '退職年月日', '雇用終了日', 'leave_date', 'left_on', 'left_date', 'termination_date', 'end_date'],
	email: ['メール', 'メールアドレス', 'Eメール', 'email', 'e-mail', 'mail', 'email_address']
};

const HEADER_NOISE = /[\s_\-.・*＊※]/g;
const HEADER_BRACKETS = /\(.*?\)|\[.*?\]|【.*?】/g;

/**
 * NFKC (full-width and half-width forms), lower case, and no spaces, underscores, hyphens, dots or
 * "required" marks, so "Employee Code", "employee_code" and "ｼｬｲﾝ番号" style variants meet.
 */
function normalizeHeader(h: string): string {
	return h.replace(/\uFEFF/g, '').normalize('NFKC').toLowerCase().replace(HEADER_NOISE, '');
}

const ALIAS_TO_FIELD: ReadonlyMap<string, RosterField> = (() => {
	const m = new Map<string, RosterField>();
	for (const field of ROSTER_FIELDS) for (const a of HEADER_ALIASES[field]) m.set(normalizeHeader(a), field);
	return m;
})();

/**
 * Maps header cells to roster fields by name (Japanese and English aliases, any width or case).
 * An unknown header is ignored; when two headers name the same field the first wins. Annotations
 * in brackets are ignored as a fallback, so "入社日(YYYY/MM/DD)" still maps. Deliberately has no
 * alias for 個人番号 / マイナンバー, so a My Number column is never taken for the employee code.
 */
export function detectColumns(headers: string[]): ColumnMapping {
	const mapping: ColumnMapping = {};
	headers.forEach((h, index) => {
		const key = normalizeHeader(h);
		const field = ALIAS_TO_FIELD.get(key) ?? ALIAS_TO_FIELD.get(key.replace(HEADER_BRACKETS, ''));
		if (field !== undefined && mapping[field] === undefined) mapping[field] = index;
	});
	return mapping;
}

// ---------------------------------------------------------------------------------------------
// Field normalisation and validation

const EMPLOYEE_CODE = /^[A-Za-z0-9_-]{1,32}$/;
const HALF_WIDTH_KATAKANA = /[\uFF61-\uFF9F]+/g;
const KATAKANA_WITH_HIRAGANA = /[\u30A1-\u30F6]/g;
// Hiragana, ゝゞ, ー, ・, ヷ–ヺ (no hiragana form), and single spaces between given and family name.
const READING = /^[\u3041-\u3096\u309D\u309E\u30FC\u30FB\u30F7-\u30FA ]+$/;
const WHITESPACE_RUN = /\s+/g;
const DATE = /^(\d{4})(?:[-/](\d{1,2})[-/](\d{1,2})|年(\d{1,2})月(\d{1,2})日)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REPLACEMENT_CHAR = '\uFFFD';

const STATUS_VALUES: ReadonlyMap<string, RosterStatus> = new Map([
	['在職', 'active'],
	['在職中', 'active'],
	['在籍', 'active'],
	['active', 'active'],
	['内定', 'offer'],
	['内定者', 'offer'],
	['入社予定', 'offer'],
	['offer', 'offer'],
	['退職', 'left'],
	['退職済', 'left'],
	['退職済み', 'left'],
	['退職者', 'left'],
	['left', 'left']
]);

/** Half-width katakana → full-width only; everything else in a name stays as typed. */
function widenKatakana(s: string): string {
	return s.replace(HALF_WIDTH_KATAKANA, (run) => run.normalize('NFKC'));
}

function toHiragana(s: string): string {
	return s.replace(KATAKANA_WITH_HIRAGANA, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** Quotes a value in a message, shortened so a stray long field cannot flood the error list. */
/** A value as quoted in a message, cut at 40 characters. */
function shown(value: string): string {
	return value.length > 40 ? value.slice(0, 40) + '…' : value;
}

/** YYYY-MM-DD for a real calendar date in the accepted formats (after NFKC), else null. */
function parseDate(value: string): string | null {
	const m = DATE.exec(value);
	if (!m) return null;
	const y = Number(m[1]);
	const mo = Number(m[2] ?? m[4]);
	const d = Number(m[3] ?? m[5]);
	if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || d < 1) return null;
	const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
	if (d > daysInMonth) return null;
	return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Roster

function isBlank(record: string[]): boolean {
	for (const f of record) if (f.trim() !== '') return false;
	return true;
}

/**
 * Checks a mapping given by a caller: each index must be an integer column of the header.
 * Returns error messages (empty when valid).
 */
function mappingErrors(mapping: ColumnMapping, columns: number): RosterError[] {
	const out: RosterError[] = [];
	for (const field of ROSTER_FIELDS) {
		const idx = mapping[field];
		if (idx === undefined) continue;
		if (!Number.isInteger(idx) || idx < 0 || idx >= columns) {
			out.push(problem(0, 'bad_mapping', { field: ROSTER_FIELD_LABELS[field], index: String(idx) }));
		}
	}
	return out;
}

/**
 * Decodes, parses and validates a roster CSV.
 *
 * The first non-blank record is the header. Columns come from {@link detectColumns} unless
 * `options.mapping` is given. 社員番号 and 氏名 columns are required; without them, or for an
 * empty or header-only file, the result has no employees and an error with `row: 0`.
 *
 * Per row: the employee code is NFKC-normalised and must be 1–32 half-width letters, digits, `-`
 * or `_`, unique within the file; the name is trimmed, half-width katakana widened; the reading is
 * converted to hiragana; dates accept YYYY-MM-DD, YYYY/MM/DD, YYYY/M/D and YYYY年M月D日 (full-width
 * digits too) and are returned as YYYY-MM-DD; status accepts 在職/内定/退職 and active/offer/left,
 * empty meaning active. Never throws, whatever the bytes.
 */
export function parseRoster(file: Uint8Array, options?: ParseRosterOptions): RosterParseResult {
	const employees: RosterEmployee[] = [];
	const errors: RosterError[] = [];
	const fail = (code: RosterErrorCode, encoding: RosterParseResult['encoding'] = 'utf-8'): RosterParseResult => ({
		encoding,
		employees: [],
		errors: [problem(0, code)]
	});

	if (file.length === 0) return fail('empty_file');
	if (file.length >= 2 && ((file[0] === 0xff && file[1] === 0xfe) || (file[0] === 0xfe && file[1] === 0xff))) {
		// Excel's "Unicode テキスト" is UTF-16; decoding it as Shift_JIS would only produce mojibake.
		return fail('utf16');
	}

	const { encoding, text } = decodeCsv(file);
	const { records, unclosedQuoteAt } = parseCsv(text);

	let h = 0;
	while (h < records.length && isBlank(records[h])) h++;
	if (h >= records.length) return fail('empty_file', encoding);
	const header = records[h];
	const columns = header.length;

	if (unclosedQuoteAt === h) {
		return fail('header_quote', encoding);
	}

	const mapping = options?.mapping ?? detectColumns(header);
	if (options?.mapping) {
		const bad = mappingErrors(mapping, columns);
		if (bad.length > 0) return { encoding, employees, errors: bad };
	}
	for (const field of ['employeeCode', 'name'] as const) {
		if (mapping[field] === undefined) {
			errors.push(problem(0, 'missing_column', { field: ROSTER_FIELD_LABELS[field] }));
		}
	}
	if (errors.length > 0) return { encoding, employees, errors };
	if (h === records.length - 1) return fail('header_only', encoding);

	const col = {
		code: mapping.employeeCode!,
		name: mapping.name!,
		kana: mapping.nameKana,
		department: mapping.department,
		status: mapping.status,
		hiredOn: mapping.hiredOn,
		leftOn: mapping.leftOn,
		email: mapping.email
	};
	const mappedColumns = ROSTER_FIELDS.map((f) => mapping[f]).filter((i): i is number => i !== undefined);
	const firstRowOfCode = new Map<string, number>();

	for (let r = h + 1; r < records.length; r++) {
		const record = records[r];
		const row = r - h;
		if (r === unclosedQuoteAt) {
			errors.push(problem(row, 'unclosed_quote'));
			break;
		}
		if (isBlank(record)) continue;

		// Trailing empty cells (a common export artefact) are harmless; anything else means
		// the fields are shifted, so nothing else in the row can be trusted.
		let extraFilled = false;
		for (let k = columns; k < record.length; k++) if (record[k].trim() !== '') extraFilled = true;
		if (record.length < columns || extraFilled) {
			errors.push(problem(row, 'column_count', { header: String(columns), row: String(record.length) }));
			continue;
		}

		const rowErrors: RosterError[] = [];
		const add = (code: RosterErrorCode, params: Record<string, string> = {}): void => {
			rowErrors.push(problem(row, code, params));
		};
		for (const k of mappedColumns) {
			if (record[k].includes(REPLACEMENT_CHAR)) {
				add('mojibake');
				break;
			}
		}

		const code = record[col.code].normalize('NFKC').trim();
		if (code === '') add('code_empty');
		else if (!EMPLOYEE_CODE.test(code)) {
			add('code_invalid', { value: shown(code) });
		} else {
			const first = firstRowOfCode.get(code);
			if (first !== undefined) add('code_duplicate', { value: shown(code), first: String(first) });
			else firstRowOfCode.set(code, row);
		}

		const name = widenKatakana(record[col.name].trim());
		if (name === '') add('name_empty');

		let nameKana: string | undefined;
		if (col.kana !== undefined) {
			const raw = record[col.kana].normalize('NFKC').trim().replace(WHITESPACE_RUN, ' ');
			if (raw !== '') {
				nameKana = toHiragana(raw);
				if (!READING.test(nameKana)) add('kana_invalid');
			}
		}

		let department: string | undefined;
		if (col.department !== undefined) {
			const d = widenKatakana(record[col.department].trim());
			if (d !== '') department = d;
		}

		let status: RosterStatus = 'active';
		if (col.status !== undefined) {
			const s = record[col.status].normalize('NFKC').trim();
			if (s !== '') {
				const known = STATUS_VALUES.get(s.toLowerCase());
				if (known) status = known;
				else add('status_unknown', { value: shown(s) });
			}
		}

		const date = (index: number | undefined, label: string): string | undefined => {
			if (index === undefined) return undefined;
			const s = record[index].normalize('NFKC').trim();
			if (s === '') return undefined;
			const d = parseDate(s);
			if (d === null) add('date_invalid', { field: label, value: shown(s) });
			return d ?? undefined;
		};
		const hiredOn = date(col.hiredOn, '入社日');
		const leftOn = date(col.leftOn, '退職日');
		if (hiredOn && leftOn && leftOn < hiredOn) add('dates_order');

		let email: string | undefined;
		if (col.email !== undefined) {
			const e = record[col.email].normalize('NFKC').trim();
			if (e !== '') {
				if (EMAIL.test(e)) email = e;
				else add('email_invalid');
			}
		}

		if (rowErrors.length > 0) {
			errors.push(...rowErrors);
			continue;
		}
		const employee: RosterEmployee = { employeeCode: code, name, status, row };
		if (nameKana !== undefined) employee.nameKana = nameKana;
		if (department !== undefined) employee.department = department;
		if (hiredOn !== undefined) employee.hiredOn = hiredOn;
		if (leftOn !== undefined) employee.leftOn = leftOn;
		if (email !== undefined) employee.email = email;
		employees.push(employee);
	}

	return { encoding, employees, errors };
}

/**
 * {@link parseRoster} with an explicit column mapping (from a mapping screen) instead of header
 * detection. The first record is still skipped as the header.
 */
export function parseRosterWithMapping(file: Uint8Array, mapping: ColumnMapping): RosterParseResult {
	return parseRoster(file, { mapping });
}
