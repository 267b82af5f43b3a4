import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeCsv, detectColumns, parseCsv, parseRoster, parseRosterWithMapping, ROSTER_ERROR_TEMPLATES, type RosterEmployee } from './index';

/** Errors as row + Japanese message (code and params are checked separately). */
function plain(errors: { row: number; message: string }[]) {
	return errors.map(({ row, message }) => ({ row, message }));
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const withBom = (s: string): Uint8Array => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(s)]);
const sjis = (s: string): Uint8Array => new Uint8Array(iconv.encode(s, 'Shift_JIS'));
const cp932 = (s: string): Uint8Array => new Uint8Array(iconv.encode(s, 'cp932'));
const csv = (...lines: string[]): string => lines.join('\r\n') + '\r\n';

const HEADER = '社員番号,氏名,フリガナ,部署,在籍区分,入社日,退職日,メールアドレス';

describe('decodeCsv', () => {
	it('decodes UTF-8 with a BOM and strips the BOM', () => {
		const d = decodeCsv(withBom('社員番号,氏名'));
		expect(d).toEqual({ encoding: 'utf-8', text: '社員番号,氏名' });
	});

	it('decodes UTF-8 without a BOM', () => {
		expect(decodeCsv(utf8('山田,太郎'))).toEqual({ encoding: 'utf-8', text: '山田,太郎' });
	});

	it('reports pure ASCII as UTF-8', () => {
		expect(decodeCsv(utf8('code,name')).encoding).toBe('utf-8');
	});

	it('falls back to Shift_JIS when the bytes are not valid UTF-8', () => {
		const text = '社員番号,氏名\r\nA001,山田　太郎\r\n';
		expect(decodeCsv(sjis(text))).toEqual({ encoding: 'shift_jis', text });
	});

	it('decodes CP932 extensions (NEC ①, IBM 髙)', () => {
		const text = '髙橋①,ﾃｽﾄ';
		const bytes = cp932(text);
		expect(Array.from(bytes.slice(0, 2))).toEqual([0xfb, 0xfc]); // really the IBM extension code
		expect(decodeCsv(bytes)).toEqual({ encoding: 'shift_jis', text });
	});
});

describe('parseCsv', () => {
	it('handles quoted fields with commas, escaped quotes and line breaks', () => {
		const { records, unclosedQuoteAt } = parseCsv('a,"b,c","say ""hi""","line1\r\nline2\nline3"\n1,2,3,4');
		expect(unclosedQuoteAt).toBeNull();
		expect(records).toEqual([
			['a', 'b,c', 'say "hi"', 'line1\r\nline2\nline3'],
			['1', '2', '3', '4']
		]);
	});

	it('accepts CRLF, LF and CR line ends', () => {
		expect(parseCsv('a,b\r\nc,d\ne,f\rg,h').records).toEqual([
			['a', 'b'],
			['c', 'd'],
			['e', 'f'],
			['g', 'h']
		]);
	});

	it('ignores trailing empty lines but keeps empty fields', () => {
		expect(parseCsv('a,\r\n,b\r\n\r\n\n\r').records).toEqual([
			['a', ''],
			['', 'b']
		]);
		expect(parseCsv('a,b,').records).toEqual([['a', 'b', '']]);
		expect(parseCsv('').records).toEqual([]);
	});

	it('keeps blank lines in the middle, so row numbers stay aligned', () => {
		expect(parseCsv('a\n\nb\n').records).toEqual([['a'], [''], ['b']]);
	});

	it('reports an unclosed quote', () => {
		const r = parseCsv('a,b\n1,"oops\n2,3\n');
		expect(r.unclosedQuoteAt).toBe(1);
		expect(r.records[1]).toEqual(['1', 'oops\n2,3\n']);
	});

	it('round-trips any table written with RFC 4180 quoting (property)', () => {
		const field = fc.string({ unit: fc.constantFrom('a', 'あ', ',', '"', '\r', '\n', ' ', '1') });
		const table = fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });
		fc.assert(
			fc.property(table, (rows) => {
				// A record that is a single empty field would be a blank line; quoted, it is data.
				const text = rows
					.map((r) => r.map((f) => (r.length === 1 || /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','))
					.join('\r\n');
				expect(parseCsv(text).records).toEqual(rows);
			})
		);
	});
});

describe('detectColumns', () => {
	it('recognises Japanese headers', () => {
		expect(detectColumns(HEADER.split(','))).toEqual({
			employeeCode: 0,
			name: 1,
			nameKana: 2,
			department: 3,
			status: 4,
			hiredOn: 5,
			leftOn: 6,
			email: 7
		});
	});

	it('recognises English and variant headers regardless of width, case and separators', () => {
		expect(detectColumns(['Employee Code', 'NAME', 'reading', 'Department', 'status', 'hire_date', 'leave_date', 'E-mail'])).toEqual({
			employeeCode: 0,
			name: 1,
			nameKana: 2,
			department: 3,
			status: 4,
			hiredOn: 5,
			leftOn: 6,
			email: 7
		});
		expect(detectColumns(['従業員コード', '従業員名', 'ﾌﾘｶﾞﾅ', '所属', '雇用状態', '入社日（YYYY/MM/DD）', 'メール'])).toEqual({
			employeeCode: 0,
			name: 1,
			nameKana: 2,
			department: 3,
			status: 4,
			hiredOn: 5,
			email: 6
		});
		expect(detectColumns(['ＣＯＤＥ', '名前', '氏名（カナ）', '部門', '状態'])).toEqual({
			employeeCode: 0,
			name: 1,
			nameKana: 2,
			department: 3,
			status: 4
		});
		expect(detectColumns(['社員番号', '氏名', 'カナ氏名', '氏名カナ'])).toEqual({ employeeCode: 0, name: 1, nameKana: 2 });
	});

	it('never takes a My Number column for the employee code', () => {
		expect(detectColumns(['個人番号', 'マイナンバー', '氏名'])).toEqual({ name: 2 });
	});
});

describe('parseRoster', () => {
	const full = csv(
		HEADER,
		'A001,山田　太郎,ヤマダ タロウ,営業部,在職,2020-04-01,,taro@example.com',
		'A002,鈴木 花子,すずき はなこ,総務部,内定,2025/4/1,,',
		'A003,佐藤 次郎,ｻﾄｳ ｼﾞﾛｳ,,退職,2010/01/05,2024/03/31,'
	);
	const expected: RosterEmployee[] = [
		{
			employeeCode: 'A001',
			name: '山田　太郎',
			nameKana: 'やまだ たろう',
			department: '営業部',
			status: 'active',
			hiredOn: '2020-04-01',
			email: 'taro@example.com',
			row: 1
		},
		{ employeeCode: 'A002', name: '鈴木 花子', nameKana: 'すずき はなこ', department: '総務部', status: 'offer', hiredOn: '2025-04-01', row: 2 },
		{ employeeCode: 'A003', name: '佐藤 次郎', nameKana: 'さとう じろう', status: 'left', hiredOn: '2010-01-05', leftOn: '2024-03-31', row: 3 }
	];

	it('parses a UTF-8 file with a BOM (the BOM does not hide the first header)', () => {
		expect(parseRoster(withBom(full))).toEqual({ encoding: 'utf-8', employees: expected, errors: [] });
	});

	it('parses a UTF-8 file without a BOM', () => {
		expect(parseRoster(utf8(full))).toEqual({ encoding: 'utf-8', employees: expected, errors: [] });
	});

	it('parses a Shift_JIS file', () => {
		expect(parseRoster(sjis(full))).toEqual({ encoding: 'shift_jis', employees: expected, errors: [] });
	});

	it('keeps CP932-only characters in names', () => {
		const r = parseRoster(cp932(csv('社員番号,氏名,部署', 'B1,髙橋 一郎,第①営業部')));
		expect(r.encoding).toBe('shift_jis');
		expect(r.errors).toEqual([]);
		expect(r.employees).toEqual([{ employeeCode: 'B1', name: '髙橋 一郎', department: '第①営業部', status: 'active', row: 1 }]);
	});

	it('reads quoted fields with commas and line breaks, counting records not lines', () => {
		const r = parseRoster(
			utf8('社員番号,氏名,部署\n"A001","山田, 太郎","営業部\n第一課"\nA002,"鈴木 ""はな"" 子",総務部\n,欠番,\n')
		);
		expect(r.employees.map((e) => [e.row, e.employeeCode, e.name, e.department])).toEqual([
			[1, 'A001', '山田, 太郎', '営業部\n第一課'],
			[2, 'A002', '鈴木 "はな" 子', '総務部']
		]);
		expect(plain(r.errors)).toEqual([{ row: 3, message: '社員番号が空です' }]);
	});

	it('normalises code, dates, status and readings; widens half-width katakana in names', () => {
		const r = parseRoster(
			utf8(
				csv(
					'社員番号,氏名,フリガナ,在籍区分,入社日,退職日',
					' Ａ－００１ , ﾔﾏﾀﾞ ﾀﾛｳ ,ヴァイオレット　エヴァーガーデン,ACTIVE,２０２０／０４／０１,',
					'e_2,太郎,たろう,Left,2019年4月1日,2024-3-31',
					'e-3,花子,,,2021/4/1,'
				)
			)
		);
		expect(r.errors).toEqual([]);
		expect(r.employees).toEqual([
			{ employeeCode: 'A-001', name: 'ヤマダ タロウ', nameKana: 'ゔぁいおれっと えゔぁーがーでん', status: 'active', hiredOn: '2020-04-01', row: 1 },
			{ employeeCode: 'e_2', name: '太郎', nameKana: 'たろう', status: 'left', hiredOn: '2019-04-01', leftOn: '2024-03-31', row: 2 },
			{ employeeCode: 'e-3', name: '花子', status: 'active', hiredOn: '2021-04-01', row: 3 }
		]);
	});

	it('reports per-row errors with exact data row numbers and leaves those rows out', () => {
		const r = parseRoster(
			utf8(
				csv(
					HEADER,
					'A001,山田 太郎,やまだ,営業,在職,2020-04-01,,', // 1 ok
					',名無し,,,,,,', // 2 missing code
					'A 002,空白入り,,,,,,', // 3 bad code
					'A0000000000000000000000000000004,三十二文字,,,,,,', // 4 ok (32 chars)
					'A00000000000000000000000000000005,三十三文字,,,,,,', // 5 too long
					'A001,重複,,,,,,', // 6 duplicate of row 1
					'A007,,,,,,,', // 7 missing name
					'A008,列不足', // 8 wrong column count
					'', // 9 blank: skipped, still counted
					'A010,日付,,,,2023/02/30,,', // 10 impossible date
					'A011,日付2,,,,April 1,,', // 11 unparseable date
					'A012,区分,,,休職,,,', // 12 unknown status
					'A013,読み,Yamada,,,,,', // 13 reading not kana
					'A014,メール,,,,,,not-an-email', // 14 bad email
					'A015,逆転,,,退職,2020-04-01,2019-03-31,', // 15 left before hired
					'A016,余分,,,,,,,,x', // 16 extra non-empty column
					'A017,末尾カンマ,,,,,,,,', // 17 trailing empty columns: fine
					',,,,,,,' // 18 all-empty record: skipped
				)
			)
		);
		expect(r.employees.map((e) => e.row)).toEqual([1, 4, 17]);
		expect(plain(r.errors)).toEqual([
			{ row: 2, message: '社員番号が空です' },
			{ row: 3, message: '社員番号「A 002」は半角英数字・ハイフン・アンダースコアの32文字以内で入力してください' },
			{ row: 5, message: '社員番号「A00000000000000000000000000000005」は半角英数字・ハイフン・アンダースコアの32文字以内で入力してください' },
			{ row: 6, message: '社員番号「A001」が重複しています（最初の出現: 1行目）' },
			{ row: 7, message: '氏名が空です' },
			{ row: 8, message: '列の数が見出し行と異なります（見出し 8 列、この行 2 列）' },
			{ row: 10, message: '入社日「2023/02/30」を日付として読み取れません（YYYY-MM-DD または YYYY/MM/DD の形式で入力してください）' },
			{ row: 11, message: '入社日「April 1」を日付として読み取れません（YYYY-MM-DD または YYYY/MM/DD の形式で入力してください）' },
			{ row: 12, message: '在籍区分「休職」を認識できません（在職・内定・退職 のいずれかを入力してください）' },
			{ row: 13, message: 'フリガナはカタカナまたはひらがなで入力してください' },
			{ row: 14, message: 'メールアドレスの形式が正しくありません' },
			{ row: 15, message: '退職日が入社日より前になっています' },
			{ row: 16, message: '列の数が見出し行と異なります（見出し 8 列、この行 10 列）' }
		]);
	});

	it('reports every problem of a row, and a duplicate against the first row even if that row had errors', () => {
		const r = parseRoster(utf8(csv('社員番号,氏名,入社日', 'X1,,bad', 'X1,二人目,')));
		expect(r.employees).toEqual([]);
		expect(plain(r.errors)).toEqual([
			{ row: 1, message: '氏名が空です' },
			{ row: 1, message: '入社日「bad」を日付として読み取れません（YYYY-MM-DD または YYYY/MM/DD の形式で入力してください）' },
			{ row: 2, message: '社員番号「X1」が重複しています（最初の出現: 1行目）' }
		]);
	});

	it('flags mojibake from bytes that are invalid in the detected encoding', () => {
		const bytes = new Uint8Array([...sjis('社員番号,氏名\r\nA1,山田\r\nA2,'), 0xa0, ...sjis('\r\n')]);
		const r = parseRoster(bytes);
		expect(r.encoding).toBe('shift_jis');
		expect(r.employees.map((e) => e.employeeCode)).toEqual(['A1']);
		expect(plain(r.errors)).toEqual([
			{ row: 2, message: '文字化けした文字が含まれています。ファイルの文字コード（UTF-8 または Shift_JIS）を確認してください' }
		]);
	});

	it('reports an unclosed quote at its row', () => {
		const r = parseRoster(utf8('社員番号,氏名\nA1,山田\nA2,"鈴木\nA3,佐藤\n'));
		expect(r.employees.map((e) => e.row)).toEqual([1]);
		expect(plain(r.errors)).toEqual([{ row: 2, message: '引用符（"）が閉じられていません。この行以降を読み取れませんでした' }]);
	});

	it('accepts English headers', () => {
		const r = parseRoster(utf8('employee_code,name,kana,department,status,hire_date,leave_date,email\nE1,Jane Doe,ジェーン,R&D,offer,2026-01-01,,jane@example.com\n'));
		expect(r.errors).toEqual([]);
		expect(r.employees).toEqual([
			{ employeeCode: 'E1', name: 'Jane Doe', nameKana: 'じぇーん', department: 'R&D', status: 'offer', hiredOn: '2026-01-01', email: 'jane@example.com', row: 1 }
		]);
	});

	describe('file-level errors (row 0)', () => {
		it('rejects an empty file', () => {
			expect(parseRoster(new Uint8Array())).toEqual({ encoding: 'utf-8', employees: [], errors: [{ row: 0, message: 'ファイルが空です', code: 'empty_file', params: {} }] });
			expect(plain(parseRoster(utf8('\r\n\r\n')).errors)).toEqual([{ row: 0, message: 'ファイルが空です' }]);
			expect(plain(parseRoster(withBom('')).errors)).toEqual([{ row: 0, message: 'ファイルが空です' }]);
		});

		it('rejects a header-only file', () => {
			expect(parseRoster(utf8('社員番号,氏名\r\n'))).toEqual({
				encoding: 'utf-8',
				employees: [],
				errors: [{ row: 0, message: 'データ行がありません（見出し行しかありません）', code: 'header_only', params: {} }]
			});
		});

		it('gives every error a code and parameters for translation, matching its Japanese message', () => {
			const r = parseRoster(utf8('社員番号,氏名,入社日\r\nA 1,試験,2020/13/01\r\nB2,,\r\nB2,試験,\r\n'));
			expect(r.errors.map((e) => [e.row, e.code, e.params])).toEqual([
				[1, 'code_invalid', { value: 'A 1' }],
				[1, 'date_invalid', { field: '入社日', value: '2020/13/01' }],
				[2, 'name_empty', {}],
				[3, 'code_duplicate', { value: 'B2', first: '2' }]
			]);
			for (const e of r.errors) {
				let text: string = ROSTER_ERROR_TEMPLATES[e.code];
				for (const [k, v] of Object.entries(e.params)) text = text.replaceAll(`{${k}}`, v);
				expect(e.message).toBe(text);
			}
		});

		it('says which required column is missing', () => {
			const r = parseRoster(utf8('氏名,部署\n山田,営業\n'));
			expect(r.employees).toEqual([]);
			expect(r.errors).toHaveLength(1);
			expect(r.errors[0].row).toBe(0);
			expect(r.errors[0].message).toContain('社員番号の列が見つかりません');
		});

		it('treats a file without a header as missing both required columns', () => {
			const r = parseRoster(utf8('A001,山田 太郎\nA002,鈴木 花子\n'));
			expect(r.employees).toEqual([]);
			expect(r.errors.map((e) => e.row)).toEqual([0, 0]);
			expect(r.errors[0].message).toContain('社員番号の列が見つかりません');
			expect(r.errors[1].message).toContain('氏名の列が見つかりません');
		});

		it('rejects UTF-16 instead of decoding it as mojibake', () => {
			const r = parseRoster(new Uint8Array([0xff, 0xfe, 0x41, 0x00]));
			expect(r.employees).toEqual([]);
			expect(r.errors).toHaveLength(1);
			expect(r.errors[0]).toMatchObject({ row: 0 });
			expect(r.errors[0].message).toContain('UTF-16');
		});
	});

	describe('mapping override', () => {
		const file = utf8(csv('列A,列B,列C', '山田 太郎,A001,やまだ', '鈴木 花子,A002,すずき'));

		it('uses the given mapping instead of header detection', () => {
			expect(parseRoster(file).errors.map((e) => e.row)).toEqual([0, 0]);
			const r = parseRoster(file, { mapping: { employeeCode: 1, name: 0, nameKana: 2 } });
			expect(r.errors).toEqual([]);
			expect(r.employees).toEqual([
				{ employeeCode: 'A001', name: '山田 太郎', nameKana: 'やまだ', status: 'active', row: 1 },
				{ employeeCode: 'A002', name: '鈴木 花子', nameKana: 'すずき', status: 'active', row: 2 }
			]);
			expect(parseRosterWithMapping(file, { employeeCode: 1, name: 0, nameKana: 2 })).toEqual(r);
		});

		it('replaces detection rather than merging, so a column can be unmapped', () => {
			const detected = utf8(csv('社員番号,氏名,部署', 'A1,山田,営業'));
			expect(parseRoster(detected, { mapping: { employeeCode: 0, name: 1 } }).employees).toEqual([
				{ employeeCode: 'A1', name: '山田', status: 'active', row: 1 }
			]);
		});

		it('rejects an index outside the header', () => {
			const r = parseRoster(file, { mapping: { employeeCode: 1, name: 3 } });
			expect(r.employees).toEqual([]);
			expect(r.errors).toHaveLength(1);
			expect(r.errors[0].row).toBe(0);
			expect(r.errors[0].message).toContain('氏名');
		});

		it('requires the employee code to be mapped', () => {
			const r = parseRoster(file, { mapping: { name: 0 } });
			expect(r.errors).toHaveLength(1);
			expect(r.errors[0].message).toContain('社員番号の列が見つかりません');
		});
	});

	it('parses 10,000 rows', () => {
		const lines = [HEADER];
		for (let i = 1; i <= 10_000; i++) {
			lines.push(`E${String(i).padStart(5, '0')},"従業員, ${i}",ジュウギョウイン,"開発部",在職,2020/4/1,,e${i}@example.com`);
		}
		const r = parseRoster(sjis(csv(...lines)));
		expect(r.errors).toEqual([]);
		expect(r.employees).toHaveLength(10_000);
		expect(r.employees[9_999]).toMatchObject({ employeeCode: 'E10000', name: '従業員, 10000', row: 10_000 });
	});

	it('never throws on random bytes (property)', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
				const r = parseRoster(bytes);
				expect(['utf-8', 'shift_jis']).toContain(r.encoding);
			}),
			{ numRuns: 500 }
		);
	});

	it('never throws on CSV-like text and keeps its invariants (property)', () => {
		const unit = fc.constantFrom('社員番号', '氏名', 'フリガナ', '入社日', 'A1', 'ｶﾅ', '2020/1/1', '在職', ',', '"', '\n', '\r', ' ', 'x', '');
		fc.assert(
			fc.property(fc.string({ unit, maxLength: 60 }), fc.boolean(), (text, bom) => {
				const r = parseRoster(bom ? withBom(text) : sjis(text));
				const rows = r.employees.map((e) => e.row);
				expect(new Set(rows).size).toBe(rows.length);
				for (const e of r.errors) expect(e.row).toBeGreaterThanOrEqual(0);
				for (const e of r.employees) expect(r.errors.some((x) => x.row === e.row)).toBe(false);
			}),
			{ numRuns: 500 }
		);
	});
});
