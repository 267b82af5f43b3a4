import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMAT, encodeCsv, exportFormatSchema, exportTable, toCsv, type ExportColumn, type ExportPerson } from './index';

const header = (c: ExportColumn) => ({ employeeCode: '社員番号', name: '氏名', kana: 'フリガナ', birthDate: '生年月日', myNumber: '個人番号', relationship: '続柄', dependentName: '扶養親族氏名', dependentMyNumber: '扶養親族個人番号' })[c as 'name'] ?? c;
const relationship = (code: string) => ({ spouse: '配偶者', child: '子' })[code] ?? code;

const people: ExportPerson[] = [
	{
		code: 'E-001',
		record: {
			myNumber: '123456789018',
			name: '髙橋　一郎',
			kana: 'たかはし　いちろう',
			birthDate: '1990-04-01',
			address: '東京都千代田区見本町1-2-3',
			dependents: [
				{ relationship: 'spouse', name: '髙橋　花子', kana: 'たかはし　はなこ', birthDate: '1991-05-02', myNumber: '987654321000' },
				{ relationship: 'child', name: '髙橋　次郎', kana: 'たかはし　じろう', birthDate: '2020-06-01', myNumber: '234567890125' }
			]
		}
	},
	{ code: 'E-002', record: { myNumber: '345678901231', name: '見本, "花子"', kana: 'みほん', birthDate: '1985-01-01', address: '' } }
];

describe('exportTable', () => {
	it('writes one row per person with the chosen columns, headers, katakana readings and 和暦 dates', () => {
		const table = exportTable(people, { ...DEFAULT_FORMAT, dates: 'wareki', headers: { myNumber: 'マイナンバー' } }, header, relationship);
		expect(table).toEqual([
			['社員番号', '氏名', 'フリガナ', '生年月日', 'マイナンバー'],
			['E-001', '髙橋　一郎', 'タカハシ　イチロウ', '平成2年4月1日', '123456789018'],
			['E-002', '見本, "花子"', 'ミホン', '昭和60年1月1日', '345678901231']
		]);
	});

	it('writes one row per dependent, repeating the person, and keeps a person without dependents', () => {
		const format = { ...DEFAULT_FORMAT, columns: ['employeeCode', 'relationship', 'dependentName', 'dependentMyNumber'] as ExportColumn[], rows: 'dependent' as const, header: false };
		expect(exportTable(people, format, header, relationship)).toEqual([
			['E-001', '配偶者', '髙橋　花子', '987654321000'],
			['E-001', '子', '髙橋　次郎', '234567890125'],
			['E-002', '', '', '']
		]);
	});
});

describe('toCsv and encodeCsv', () => {
	it('quotes what needs quoting, ends lines with CRLF and defuses spreadsheet formulas', () => {
		expect(toCsv([['a', 'b,c', 'say "hi"', ' x', '=SUM(A1)', '-12', 'line\nbreak']])).toBe('a,"b,c","say ""hi"""," x",\'=SUM(A1),-12,"line\nbreak"\r\n');
	});

	it('Shift_JIS output round-trips through a decoder, 髙 and half-width kana included', () => {
		const csv = toCsv(exportTable(people, DEFAULT_FORMAT, header, relationship)) + 'ｶﾀｶﾅ,①,～,＼\r\n';
		const { bytes, unrepresentable } = encodeCsv(csv, 'shift_jis');
		expect(unrepresentable).toEqual([]);
		expect(iconv.decode(Buffer.from(bytes), 'cp932')).toBe(csv);
		expect(new TextDecoder('shift_jis').decode(bytes)).toBe(csv);
		// 髙 as Windows writes it (IBM extension), not the NEC-selected duplicate.
		const taka = encodeCsv('髙', 'shift_jis').bytes;
		expect([...taka]).toEqual([0xfb, 0xfc]);
	});

	it('names the characters Shift_JIS cannot hold and writes 〓 for them', () => {
		const { bytes, unrepresentable } = encodeCsv('𠮷野家,😀\r\n', 'shift_jis');
		expect(unrepresentable).toEqual(['𠮷', '😀']);
		expect(iconv.decode(Buffer.from(bytes), 'cp932')).toBe('〓野家,〓\r\n');
	});

	it('puts a BOM before UTF-8', () => {
		const { bytes } = encodeCsv('氏名\r\n', 'utf-8-bom');
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(new TextDecoder().decode(bytes.subarray(3))).toBe('氏名\r\n');
	});
});

describe('exportFormatSchema', () => {
	it('accepts the default and refuses duplicates, unknown columns and empty headers', () => {
		expect(exportFormatSchema.parse(DEFAULT_FORMAT)).toEqual(DEFAULT_FORMAT);
		expect(exportFormatSchema.safeParse({ ...DEFAULT_FORMAT, columns: ['name', 'name'] }).success).toBe(false);
		expect(exportFormatSchema.safeParse({ ...DEFAULT_FORMAT, columns: ['salary'] }).success).toBe(false);
		expect(exportFormatSchema.safeParse({ ...DEFAULT_FORMAT, headers: { name: '  ' } }).success).toBe(false);
		expect(exportFormatSchema.safeParse({ ...DEFAULT_FORMAT, headers: { name: '氏\u202e名' } }).success).toBe(false);
		expect(exportFormatSchema.safeParse({ ...DEFAULT_FORMAT, headers: { name: '氏\t名' } }).success).toBe(false);
	});
});
