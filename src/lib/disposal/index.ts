/**
 * Disposal (廃棄, issue 6 item 3, seed 4-1): the codes the server and the browser share, and the
 * retention computation (DOMAIN.md §8). Pure, so the company page and its test use the same rules.
 *
 * **Which date the retention counts from.** The statutory periods run from different events: the
 * 扶養控除等申告書 is kept 7 years from the day after 翌年1月10日 (its filing deadline after the year
 * in which it was last used); insurance documents from the completion of the procedure, which for a
 * leaver is the loss-of-qualification filing made at the end of employment. We do not know the date
 * of each filing, so we choose the rule that can never come too early:
 *
 * - 扶養控除等申告書 (`withholding`, `payment_report`): 7 years from the day after January 10th of the
 *   year after the year employment ended (the last year-end adjustment, or 支払調書, concerns that year);
 * - 雇用保険 (`employment_insurance`): 4 years from the day after the employment end date;
 * - 労災・労働保険 (`workers_comp`): 3 years from the day after the employment end date;
 * - 健康保険・厚生年金, 国民年金第3号 (`social_insurance`, `national_pension_3`): 2 years from the day after.
 *
 * A person may be disposed of once every notified purpose's period has passed: the latest date wins.
 *
 * @module
 */
// Relative, not `$lib`: the server imports this module too.
import type { Purpose } from '../purposes';

/** Why a person's data was disposed of. `other` needs a note. */
export const DISPOSAL_BASES = ['retention_expired', 'no_longer_needed', 'request', 'other'] as const;
export type DisposalBasis = (typeof DISPOSAL_BASES)[number];

/**
 * The kinds of document a disposal deleted, as recorded (never their content): the My Number
 * record, a refusal (「提供しない」), the identity-document photos, the roster entry (sealed name
 * and profile) and the sign-in credentials (password, device key, passkeys, invitations).
 */
export const DISPOSAL_DOCUMENTS = ['number_record', 'refusal_record', 'identity_images', 'roster_entry', 'sign_in'] as const;
export type DisposalDocument = (typeof DISPOSAL_DOCUMENTS)[number];

/** How a retention period is counted: whole years from the day after the end of employment, or from the day after 翌年1月10日. */
export interface RetentionRule {
	years: number;
	from: 'end_of_employment' | 'january_10_next_year';
}

/** The retention rule of each purpose's documents (see the module comment for why these start dates). */
export const RETENTION: Readonly<Record<Purpose, RetentionRule>> = {
	withholding: { years: 7, from: 'january_10_next_year' },
	payment_report: { years: 7, from: 'january_10_next_year' },
	employment_insurance: { years: 4, from: 'end_of_employment' },
	workers_comp: { years: 3, from: 'end_of_employment' },
	social_insurance: { years: 2, from: 'end_of_employment' },
	national_pension_3: { years: 2, from: 'end_of_employment' }
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date (no time zone), as `{ y, m, d }`; null when `text` is not a real YYYY-MM-DD date. */
export function parseDate(text: string | null | undefined): { y: number; m: number; d: number } | null {
	const match = text ? ISO_DATE.exec(text.trim()) : null;
	if (!match) return null;
	const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
	const check = new Date(Date.UTC(y, m - 1, d));
	if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
	return { y, m, d };
}

function iso(date: Date): string {
	return date.toISOString().slice(0, 10);
}

/**
 * The first day the documents of one retention rule may be disposed of, as YYYY-MM-DD: the day
 * after the start date, plus the years (29 February plus years lands on 1 March).
 */
export function retentionEnd(leftOn: string, rule: RetentionRule): string | null {
	const left = parseDate(leftOn);
	if (!left) return null;
	// The period starts on the day after its event (初日不算入) and ends after whole years.
	const start = rule.from === 'january_10_next_year' ? Date.UTC(left.y + 1, 0, 11) : Date.UTC(left.y, left.m - 1, left.d + 1);
	const s = new Date(start);
	return iso(new Date(Date.UTC(s.getUTCFullYear() + rule.years, s.getUTCMonth(), s.getUTCDate())));
}

/** When a person may be disposed of, and which purpose decides it. */
export interface DisposalDue {
	/** The earliest date (YYYY-MM-DD) on which every purpose's retention has passed. */
	date: string;
	/** The purpose whose period ends last. */
	purpose: Purpose;
}

/**
 * The earliest disposal date of a person who left on `leftOn` (YYYY-MM-DD), given the company's
 * notified purposes. Null when there is no valid end date (still employed: keep) or no purpose.
 */
export function disposalDueDate(leftOn: string | null | undefined, purposes: readonly Purpose[]): DisposalDue | null {
	if (!leftOn) return null;
	let due: DisposalDue | null = null;
	for (const purpose of purposes) {
		const end = retentionEnd(leftOn, RETENTION[purpose]);
		if (end && (!due || end > due.date)) due = { date: end, purpose };
	}
	return due;
}

/** Today as YYYY-MM-DD in the reader's local calendar (dates in the roster are local dates). */
export function localToday(now: Date = new Date()): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Whether a person who left on `leftOn` is due for disposal on `today` (YYYY-MM-DD). */
export function isDisposalDue(leftOn: string | null | undefined, purposes: readonly Purpose[], today: string): boolean {
	const due = disposalDueDate(leftOn, purposes);
	return due !== null && today >= due.date;
}

/**
 * Whether `today` (YYYY-MM-DD) is in the last month of the fiscal year, when the yearly disposal
 * batch is due (PPC allows 「毎年度末に廃棄」). `firstMonth` is the month the fiscal year starts
 * (1–12; April by default, so the reminder shows in March).
 */
export function isFiscalYearEndMonth(today: string, firstMonth = 4): boolean {
	const date = parseDate(today);
	if (!date) return false;
	const lastMonth = firstMonth === 1 ? 12 : firstMonth - 1;
	return date.m === lastMonth;
}

/** The last day (YYYY-MM-DD) of the fiscal year that contains `today`. */
export function fiscalYearEnd(today: string, firstMonth = 4): string | null {
	const date = parseDate(today);
	if (!date) return null;
	const endYear = date.m >= firstMonth ? date.y + 1 : date.y;
	// Day 0 of the first month is the last day of the month before it.
	return iso(new Date(Date.UTC(endYear, firstMonth - 1, 0)));
}
