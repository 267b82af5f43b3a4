/**
 * The status board (issue 5 item 7, seed 1-3 STEP3): where each employee of a company stands,
 * counted per state and per department, and the filters of the roster table. Pure: the company
 * page and its test share it; names and departments are decrypted by the caller and passed in.
 *
 * @module
 */
import type { PersonKind } from '$lib/person/kind';

/** Where an employee stands, as `employee.list` reports it. */
export type EmployeeStatus = 'not_invited' | 'invited' | 'joined' | 'submitted' | 'returned' | 'accepted' | 'declined' | 'disposed';

/**
 * The board's states, each employee in exactly one: 未依頼, 依頼済 (letter issued, signed in or
 * not), 確認待ち, 差戻し, 確認済, 提供拒否, 廃棄済.
 */
export type BoardState = 'not_requested' | 'requested' | 'waiting' | 'returned' | 'accepted' | 'declined' | 'disposed';

/** Filters that group states: 提出済 (has a submission on file) and 未提出 (still has to submit). */
export type BoardFilter = 'all' | BoardState | 'submitted' | 'outstanding';

/** The exclusive states in the order the board shows them. */
export const BOARD_STATES: readonly BoardState[] = ['not_requested', 'requested', 'waiting', 'returned', 'accepted', 'declined', 'disposed'];

/** Which states each grouping filter covers. */
export const FILTER_STATES: Readonly<Record<Exclude<BoardFilter, 'all' | BoardState>, readonly BoardState[]>> = {
	submitted: ['waiting', 'returned', 'accepted'],
	outstanding: ['not_requested', 'requested', 'returned']
};

/** The board state of an employee status. */
export function boardState(status: EmployeeStatus): BoardState {
	switch (status) {
		case 'not_invited':
			return 'not_requested';
		case 'invited':
		case 'joined':
			return 'requested';
		case 'submitted':
			return 'waiting';
		default:
			return status;
	}
}

export type BoardCounts = Record<BoardState, number> & { total: number; submitted: number; outstanding: number };

function emptyCounts(): BoardCounts {
	return { total: 0, submitted: 0, outstanding: 0, not_requested: 0, requested: 0, waiting: 0, returned: 0, accepted: 0, declined: 0, disposed: 0 };
}

/** Counts per state, with the two groupings, for a list of employees. */
export function countBoard(rows: readonly { status: EmployeeStatus }[]): BoardCounts {
	const counts = emptyCounts();
	for (const row of rows) {
		const state = boardState(row.status);
		counts[state] += 1;
		counts.total += 1;
	}
	counts.submitted = FILTER_STATES.submitted.reduce((sum, s) => sum + counts[s], 0);
	counts.outstanding = FILTER_STATES.outstanding.reduce((sum, s) => sum + counts[s], 0);
	return counts;
}

/** The department key of an employee without one. */
export const NO_DEPARTMENT = '';

/** Counts per department (sorted by name, the employees without one last). */
export function countByDepartment<T extends { id: string; status: EmployeeStatus }>(
	rows: readonly T[],
	departmentOf: (row: T) => string | null | undefined
): { department: string; counts: BoardCounts }[] {
	const groups = new Map<string, T[]>();
	for (const row of rows) {
		const key = departmentOf(row)?.trim() || NO_DEPARTMENT;
		const list = groups.get(key);
		if (list) list.push(row);
		else groups.set(key, [row]);
	}
	return [...groups.entries()]
		.sort(([a], [b]) => (a === NO_DEPARTMENT ? 1 : b === NO_DEPARTMENT ? -1 : a.localeCompare(b, 'ja')))
		.map(([department, list]) => ({ department, counts: countBoard(list) }));
}

/** Folds width and case so 「ﾔﾏﾀﾞ」, 「ヤマダ」 and 「Ｅ０１」/「e01」 find each other. */
export function searchKey(text: string): string {
	return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

export interface BoardQuery {
	filter: BoardFilter;
	/** A department name, NO_DEPARTMENT for those without one, or null for every department. */
	department: string | null;
	/** Matched against the employee code and the decrypted name, ignoring width, case and spaces. */
	text: string;
	/** Employees or payees (取引先・個人事業主) only; null or absent for both. */
	kind?: PersonKind | null;
}

/** The employees a query selects, in their original order. */
export function filterBoard<T extends { id: string; code: string; status: EmployeeStatus; kind?: PersonKind }>(
	rows: readonly T[],
	query: BoardQuery,
	lookup: { nameOf: (row: T) => string | null | undefined; departmentOf: (row: T) => string | null | undefined }
): T[] {
	const states: readonly BoardState[] | null =
		query.filter === 'all' ? null : query.filter === 'submitted' || query.filter === 'outstanding' ? FILTER_STATES[query.filter] : [query.filter];
	const needle = searchKey(query.text);
	return rows.filter((row) => {
		if (states && !states.includes(boardState(row.status))) return false;
		if (query.kind && (row.kind ?? 'employee') !== query.kind) return false;
		if (query.department !== null && (lookup.departmentOf(row)?.trim() || NO_DEPARTMENT) !== query.department) return false;
		if (!needle) return true;
		return searchKey(row.code).includes(needle) || searchKey(lookup.nameOf(row) ?? '').includes(needle);
	});
}
