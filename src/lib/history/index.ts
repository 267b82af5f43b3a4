/**
 * @module The handling history (取扱い履歴, issue 6 item 4) as the desk shows and reports it: one
 * event as table cells (time, user, operation, target, result, reason, IP, browser), CSV with a
 * BOM for Excel, and the short browser names. Pure functions: the wording comes in as strings
 * (from messages/*.json), so Node tests and the browser produce the same text.
 *
 * Person names are sealed and never appear here: a person is named by their employee code.
 */
import { HISTORY_ACTIONS } from './actions';

export { ACTION_GROUPS, ACTION_GROUP_NAMES, HISTORY_ACTIONS, HISTORY_PAGE_MAX, HISTORY_REPORT_MAX, type ActionGroup, type HistoryAction } from './actions';

/** One event as `audit.search` and `audit.report` return it. */
export interface HistoryEvent {
	seq: number;
	at: string;
	actorId?: string | null;
	actorLabel: string | null;
	actorType: string;
	action: string;
	targetType: string | null;
	targetId: string | null;
	reason: string | null;
	result: string;
	ip: string | null;
	userAgent: string | null;
	detail: Record<string, string | number | boolean | null> | null;
}

/** The words of the table and its report, from the UI's messages. */
export interface HistoryStrings {
	columns: { seq: string; time: string; user: string; operation: string; target: string; result: string; reason: string; ip: string; browser: string };
	/** Labels by action code; an unknown code is shown as itself. */
	actions: Record<string, string>;
	results: { ok: string; denied: string; error: string };
	system: string;
	/** `{code}` is replaced by the employee code. */
	person: string;
	/** `{code}` is replaced by the employee code (an employee's own sign-in or upload). */
	employeeActor: string;
	company: string;
	organisation: string;
	submission: string;
}

/** What the page knows to name targets: employee codes by id, user labels by id. */
export interface HistoryNames {
	employeeCode?: (id: string) => string | undefined;
	userLabel?: (id: string) => string | undefined;
}

/** The message keys of every action's label: `history_action_<code>`. */
export const ACTION_MESSAGE_KEYS: readonly string[] = HISTORY_ACTIONS.map((a) => `history_action_${a}`);

/** The strings from a message lookup (`history_*` in messages/*.json). */
export function historyStrings(get: (key: string) => string): HistoryStrings {
	return {
		columns: {
			seq: get('history_col_seq'),
			time: get('history_col_time'),
			user: get('history_col_user'),
			operation: get('history_col_operation'),
			target: get('history_col_target'),
			result: get('history_col_result'),
			reason: get('history_col_reason'),
			ip: get('history_col_ip'),
			browser: get('history_col_browser')
		},
		actions: Object.fromEntries(HISTORY_ACTIONS.map((a) => [a, get(`history_action_${a}`)])),
		results: { ok: get('history_result_ok'), denied: get('history_result_denied'), error: get('history_result_error') },
		system: get('history_actor_system'),
		person: get('history_target_person'),
		employeeActor: get('history_actor_employee'),
		company: get('history_target_company'),
		organisation: get('history_target_organisation'),
		submission: get('history_target_submission')
	};
}

/**
 * An instant as `YYYY-MM-DD HH:mm:ss` in Japan's time zone (the law's and the offices' clock),
 * the same in every browser whatever its own zone.
 */
export function formatHistoryTime(iso: string, timeZone = 'Asia/Tokyo'): string {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	// sv-SE prints ISO-like dates (2026-04-01 09:30:00).
	return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(date);
}

/** A user agent shortened to browser and system, e.g. "Chrome 126 / Windows"; the raw text when unknown. */
export function shortBrowser(userAgent: string | null): string {
	if (!userAgent) return '';
	const browser =
		match(userAgent, /Edg(?:A|iOS)?\/(\d+)/, 'Edge') ??
		match(userAgent, /OPR\/(\d+)/, 'Opera') ??
		match(userAgent, /Firefox\/(\d+)/, 'Firefox') ??
		match(userAgent, /FxiOS\/(\d+)/, 'Firefox') ??
		match(userAgent, /CriOS\/(\d+)/, 'Chrome') ??
		match(userAgent, /Chrome\/(\d+)/, 'Chrome') ??
		match(userAgent, /Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari');
	const system = /iPhone|iPad|iPod/.test(userAgent)
		? 'iOS'
		: /Android/.test(userAgent)
			? 'Android'
			: /Windows/.test(userAgent)
				? 'Windows'
				: /Mac OS X|Macintosh/.test(userAgent)
					? 'macOS'
					: /CrOS/.test(userAgent)
						? 'ChromeOS'
						: /Linux/.test(userAgent)
							? 'Linux'
							: null;
	if (!browser) return userAgent.length > 40 ? `${userAgent.slice(0, 39)}…` : userAgent;
	return system ? `${browser} / ${system}` : browser;
}

function match(text: string, re: RegExp, name: string): string | null {
	const found = re.exec(text);
	return found ? `${name} ${found[1]}` : null;
}

function fill(template: string, code: string): string {
	return template.replace('{code}', code);
}

/** Who acted: a handler's login ID, an employee by code, or the system. */
export function historyActor(e: HistoryEvent, s: HistoryStrings): string {
	if (e.actorType === 'system') return s.system;
	if (e.actorType === 'employee') return fill(s.employeeActor, e.actorLabel ?? '');
	return e.actorLabel ?? '';
}

/**
 * What the event was about, by code or label: a person by employee code (also a submission's
 * person, from the event's `employeeId`), a user by login ID, else the kind and a short id.
 */
export function historyTarget(e: HistoryEvent, s: HistoryStrings, names: HistoryNames = {}): string {
	const personId = typeof e.detail?.employeeId === 'string' ? e.detail.employeeId : e.targetType === 'employee' ? e.targetId : null;
	if (personId) {
		const code = names.employeeCode?.(personId) ?? (typeof e.detail?.code === 'string' ? e.detail.code : undefined);
		return fill(s.person, code ?? personId.slice(0, 8));
	}
	if (!e.targetType || !e.targetId) return '';
	switch (e.targetType) {
		case 'user':
			return names.userLabel?.(e.targetId) ?? e.targetId.slice(0, 8);
		case 'company':
			return s.company;
		case 'organisation':
			return s.organisation;
		case 'submission':
			return `${s.submission} ${e.targetId.slice(0, 8)}`;
		default:
			return `${e.targetType} ${e.targetId.slice(0, 8)}`;
	}
}

/** One event as the cells of a row, in the order of `historyHeader`. */
export function historyCells(e: HistoryEvent, s: HistoryStrings, names: HistoryNames = {}): string[] {
	return [
		String(e.seq),
		formatHistoryTime(e.at),
		historyActor(e, s),
		s.actions[e.action] ?? e.action,
		historyTarget(e, s, names),
		s.results[e.result as keyof HistoryStrings['results']] ?? e.result,
		e.reason ?? '',
		e.ip ?? '',
		shortBrowser(e.userAgent)
	];
}

/** The column headers, in the order of `historyCells`. */
export function historyHeader(s: HistoryStrings): string[] {
	const c = s.columns;
	return [c.seq, c.time, c.user, c.operation, c.target, c.result, c.reason, c.ip, c.browser];
}

/**
 * One CSV field: quoted when it holds a comma, quote or line break; a field that a spreadsheet
 * would run as a formula (= + - @, tab, CR) gets a leading apostrophe, since a typed login ID or
 * reason reaches the file.
 */
export function csvField(value: string): string {
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows as CSV text: CRLF line ends and a UTF-8 BOM, so Excel in Japan opens it without mojibake. */
export function toCsv(rows: readonly (readonly string[])[]): string {
	return '\uFEFF' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The history report as CSV (header and one line per event). */
export function historyCsv(events: readonly HistoryEvent[], s: HistoryStrings, names: HistoryNames = {}): string {
	return toCsv([historyHeader(s), ...events.map((e) => historyCells(e, s, names))]);
}
