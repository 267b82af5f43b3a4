import { describe, expect, it } from 'vitest';
import { countBoard, countByDepartment, filterBoard, NO_DEPARTMENT, searchKey, type EmployeeStatus } from './index';

const rows: { id: string; code: string; status: EmployeeStatus; name: string; dept?: string }[] = [
	{ id: '1', code: 'E001', status: 'not_invited', name: '山田 太郎', dept: '営業部' },
	{ id: '2', code: 'E002', status: 'invited', name: '佐藤 花子', dept: '営業部' },
	{ id: '3', code: 'E003', status: 'joined', name: 'ヤマモト ケン', dept: '総務部' },
	{ id: '4', code: 'E004', status: 'submitted', name: '鈴木 一郎', dept: '総務部' },
	{ id: '5', code: 'E005', status: 'returned', name: '高橋 二郎' },
	{ id: '6', code: 'E006', status: 'accepted', name: '田中 三郎', dept: '営業部' },
	{ id: '7', code: 'E007', status: 'declined', name: '伊藤 四郎' }
];
const lookup = { nameOf: (r: (typeof rows)[number]) => r.name, departmentOf: (r: (typeof rows)[number]) => r.dept };
const ids = (list: { id: string }[]) => list.map((r) => r.id);

describe('countBoard', () => {
	it('puts everyone in exactly one state and derives 提出済 and 未提出 from them', () => {
		expect(countBoard(rows)).toEqual({
			total: 7,
			not_requested: 1,
			requested: 2,
			waiting: 1,
			returned: 1,
			accepted: 1,
			declined: 1,
			disposed: 0,
			submitted: 3,
			outstanding: 4
		});
	});
});

describe('countByDepartment', () => {
	it('groups by the decrypted department, those without one last', () => {
		const groups = countByDepartment(rows, lookup.departmentOf);
		expect(groups.map((g) => [g.department, g.counts.total, g.counts.accepted])).toEqual([
			['営業部', 3, 1],
			['総務部', 2, 0],
			[NO_DEPARTMENT, 2, 0]
		]);
	});
});

describe('filterBoard', () => {
	const all = { filter: 'all' as const, department: null, text: '' };
	it('filters by state and by grouping', () => {
		expect(ids(filterBoard(rows, { ...all, filter: 'requested' }, lookup))).toEqual(['2', '3']);
		expect(ids(filterBoard(rows, { ...all, filter: 'waiting' }, lookup))).toEqual(['4']);
		expect(ids(filterBoard(rows, { ...all, filter: 'submitted' }, lookup))).toEqual(['4', '5', '6']);
		expect(ids(filterBoard(rows, { ...all, filter: 'outstanding' }, lookup))).toEqual(['1', '2', '3', '5']);
	});
	it('filters by department, including those without one', () => {
		expect(ids(filterBoard(rows, { ...all, department: '総務部' }, lookup))).toEqual(['3', '4']);
		expect(ids(filterBoard(rows, { ...all, department: NO_DEPARTMENT }, lookup))).toEqual(['5', '7']);
	});
	it('searches code and name whatever the width, case and spaces', () => {
		expect(ids(filterBoard(rows, { ...all, text: 'ｅ００４' }, lookup))).toEqual(['4']);
		expect(ids(filterBoard(rows, { ...all, text: 'ﾔﾏﾓﾄ' }, lookup))).toEqual(['3']);
		expect(ids(filterBoard(rows, { ...all, text: '山田太郎' }, lookup))).toEqual(['1']);
		expect(ids(filterBoard(rows, { ...all, text: '該当なし' }, lookup))).toEqual([]);
	});
	it('combines every criterion', () => {
		expect(ids(filterBoard(rows, { filter: 'outstanding', department: '営業部', text: 'e00' }, lookup))).toEqual(['1', '2']);
	});
	it('filters by kind, a row without one counting as an employee', () => {
		const mixed = [...rows, { id: '8', code: 'P001', status: 'not_invited' as const, name: '取引 五郎', kind: 'payee' as const }, { id: '9', code: 'E009', status: 'accepted' as const, name: '渡辺 六郎', kind: 'employee' as const }];
		expect(ids(filterBoard(mixed, { ...all, kind: 'payee' }, lookup))).toEqual(['8']);
		expect(ids(filterBoard(mixed, { ...all, kind: 'employee' }, lookup))).toEqual(['1', '2', '3', '4', '5', '6', '7', '9']);
		expect(ids(filterBoard(mixed, { ...all, kind: null }, lookup))).toHaveLength(9);
		expect(ids(filterBoard(mixed, { ...all, filter: 'outstanding', kind: 'payee' }, lookup))).toEqual(['8']);
		expect(ids(filterBoard(mixed, { ...all, filter: 'accepted', kind: 'payee' }, lookup))).toEqual([]);
	});
	it('treats a locked name as no match rather than failing', () => {
		expect(ids(filterBoard(rows, { ...all, text: '山田' }, { ...lookup, nameOf: () => null }))).toEqual([]);
	});
});

describe('searchKey', () => {
	it('folds full-width letters and half-width katakana', () => {
		expect(searchKey('Ｅ００１ ﾔﾏﾀﾞ')).toBe('e001ヤマダ');
	});
});
