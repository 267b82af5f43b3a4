/**
 * CSV downloads for payroll (issue 6 item 2, seed 3-1): a saved format chooses the columns, their
 * order and header names, the encoding (UTF-8 with BOM or Shift_JIS), 西暦 or 和暦 dates, and one
 * row per person or per dependent. Pure: the page builds the file from records it opened itself;
 * the server only stores formats (validated with the same schema) and records what was exported.
 *
 * @module
 */
import { z } from 'zod';
import { toWareki } from '$lib/person';

/** Every column a format can hold, in the order a new format lists them. */
export const EXPORT_COLUMNS = [
	'employeeCode',
	'name',
	'kana',
	'birthDate',
	'postalCode',
	'address',
	'myNumber',
	'relationship',
	'dependentName',
	'dependentKana',
	'dependentBirthDate',
	'dependentMyNumber'
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

/** Columns about a dependent: filled only in per-dependent rows. */
export const DEPENDENT_COLUMNS: readonly ExportColumn[] = ['relationship', 'dependentName', 'dependentKana', 'dependentBirthDate', 'dependentMyNumber'];

/** A saved download format; stored as JSON on the server, so it is validated on both sides. */
export const exportFormatSchema = z.object({
	v: z.literal(1),
	columns: z.array(z.enum(EXPORT_COLUMNS)).min(1).max(EXPORT_COLUMNS.length).refine((c) => new Set(c).size === c.length, { message: 'export_columns_duplicate' }),
	/** Header names by column; a missing one uses the default Japanese name. Visible text: no control or bidi characters in a file payroll software reads. */
	headers: z
		.partialRecord(
			z.enum(EXPORT_COLUMNS),
			z
				.string()
				.trim()
				.min(1)
				.max(40)
				.refine((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s))
		)
		.default({}),
	encoding: z.enum(['utf-8-bom', 'shift_jis']),
	dates: z.enum(['seireki', 'wareki']),
	/** `person`: one row each (dependents left out); `dependent`: one row per dependent, the person's columns repeated (a person without dependents gets one row). */
	rows: z.enum(['person', 'dependent']),
	header: z.boolean().default(true)
});

export type ExportFormat = z.infer<typeof exportFormatSchema>;

/** A sensible first format: what most payroll imports want. */
export const DEFAULT_FORMAT: ExportFormat = {
	v: 1,
	columns: ['employeeCode', 'name', 'kana', 'birthDate', 'myNumber'],
	headers: {},
	encoding: 'shift_jis',
	dates: 'seireki',
	rows: 'person',
	header: true
};

/** A person's opened record, as the employee's phone (or the desk's entry on behalf) sealed it. */
export interface ExportPerson {
	code: string;
	record: Record<string, unknown>;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** Readings are kept in hiragana; payroll files expect フリガナ in katakana (ぁ–ゖ shift by 0x60). */
function katakana(s: string): string {
	return s.replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

/**
 * The table of a download: the header row (if the format has one), then one row per person or
 * per dependent, each cell a string.
 * @param headerOf the default header name of a column (translated by the caller)
 * @param relationshipOf the word for a relationship code (e.g. 配偶者)
 */
export function exportTable(people: readonly ExportPerson[], format: ExportFormat, headerOf: (c: ExportColumn) => string, relationshipOf: (code: string) => string): string[][] {
	const date = (iso: string) => (!iso ? '' : format.dates === 'wareki' ? toWareki(iso) : iso);
	const out: string[][] = [];
	if (format.header) out.push(format.columns.map((c) => format.headers[c] ?? headerOf(c)));
	for (const p of people) {
		const r = p.record;
		const own: Record<ExportColumn, string> = {
			employeeCode: p.code,
			name: text(r.name),
			kana: katakana(text(r.kana)),
			birthDate: date(text(r.birthDate)),
			postalCode: text(r.postalCode),
			address: text(r.address),
			myNumber: text(r.myNumber),
			relationship: '',
			dependentName: '',
			dependentKana: '',
			dependentBirthDate: '',
			dependentMyNumber: ''
		};
		const dependents = Array.isArray(r.dependents) ? (r.dependents as Record<string, unknown>[]) : [];
		if (format.rows === 'person' || dependents.length === 0) {
			out.push(format.columns.map((c) => own[c]));
			continue;
		}
		for (const d of dependents) {
			const row: Record<ExportColumn, string> = {
				...own,
				relationship: relationshipOf(text(d.relationship)),
				dependentName: text(d.name),
				dependentKana: katakana(text(d.kana)),
				dependentBirthDate: date(text(d.birthDate)),
				dependentMyNumber: text(d.myNumber)
			};
			out.push(format.columns.map((c) => row[c]));
		}
	}
	return out;
}

/**
 * RFC 4180 CSV with CRLF line ends. Every field is quoted when it holds a comma, quote, line break
 * or leading/trailing space; a field starting with = + - @ gets a leading apostrophe so a
 * spreadsheet never runs it as a formula (CSV injection).
 */
export function toCsv(table: readonly (readonly string[])[]): string {
	const cell = (v: string) => {
		const safe = /^[=+\-@\t\r]/.test(v) && !/^-?\d+$/.test(v) ? `'${v}` : v;
		return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
	};
	return table.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

let shiftJisTable: Map<string, number[]> | undefined;

/**
 * The Shift_JIS (Windows-31J) encoding table, built once from the platform's own WHATWG decoder,
 * which is the mapping every browser and Excel reader applies: exact, and no 200 KB table to ship.
 * Like the WHATWG encoder, the NEC-selected IBM rows (lead bytes 0xED, 0xEE) come after the IBM
 * extension rows, so 髙 encodes as FB FC, as Windows does.
 */
function shiftJis(): Map<string, number[]> {
	if (shiftJisTable) return shiftJisTable;
	const decoder = new TextDecoder('shift_jis', { fatal: true });
	const table = new Map<string, number[]>();
	const leads = [...range(0x81, 0x9f), ...range(0xe0, 0xfc).filter((b) => b !== 0xed && b !== 0xee), 0xed, 0xee];
	const trails = [...range(0x40, 0x7e), ...range(0x80, 0xfc)];
	const pair = new Uint8Array(2);
	for (const lead of leads) {
		for (const trail of trails) {
			pair[0] = lead;
			pair[1] = trail;
			let ch: string;
			try {
				ch = decoder.decode(pair);
			} catch {
				continue;
			}
			if ([...ch].length === 1 && !table.has(ch)) table.set(ch, [lead, trail]);
		}
	}
	for (let b = 0xa1; b <= 0xdf; b++) table.set(String.fromCharCode(0xff61 + b - 0xa1), [b]);
	table.set('\u00a5', [0x5c]);
	table.set('\u203e', [0x7e]);
	return (shiftJisTable = table);
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * Encodes the CSV text. UTF-8 gets a byte-order mark (so Excel reads it as UTF-8).
 * @returns the bytes and the characters Shift_JIS cannot hold (replaced by 〓 in the file, the
 *   convention of Japanese systems), so the page can name them before anyone relies on the file.
 */
export function encodeCsv(csv: string, encoding: ExportFormat['encoding']): { bytes: Uint8Array; unrepresentable: string[] } {
	if (encoding === 'utf-8-bom') {
		const body = new TextEncoder().encode(csv);
		const bytes = new Uint8Array(body.length + 3);
		bytes.set([0xef, 0xbb, 0xbf]);
		bytes.set(body, 3);
		return { bytes, unrepresentable: [] };
	}
	const table = shiftJis();
	const geta = table.get('〓')!;
	const out: number[] = [];
	const missing = new Set<string>();
	for (const ch of csv) {
		const code = ch.codePointAt(0)!;
		if (code < 0x80) out.push(code);
		else {
			const bytes = table.get(ch);
			if (bytes) out.push(...bytes);
			else {
				missing.add(ch);
				out.push(...geta);
			}
		}
	}
	return { bytes: Uint8Array.from(out), unrepresentable: [...missing] };
}
