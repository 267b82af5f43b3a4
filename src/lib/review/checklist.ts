/**
 * What a handler must confirm before accepting a submission (issue 5 item 6; DOMAIN.md §3,
 * 番号法16条): 番号確認 (the number is right) and 身元確認 (the person is its owner), for the
 * document combination the employee chose, plus the proxy checks for each dependent the company
 * verifies. Pure: the review page and its test share it; the codes go into the audit trail.
 *
 * @module
 */
import type { IdentitySet, NumberEvidence, Slot } from '$lib/employee/documents';

/** One thing to confirm; `dependent` (0-based) for a dependent's check. */
export interface Check {
	/** Unique in a checklist and safe for the audit trail: `code` or `code:dependent`. */
	id: string;
	code: CheckCode;
	/** 番号確認, 身元確認, or a dependent's (proxy) check. */
	group: 'number' | 'identity' | 'dependent';
	dependent?: number;
}

export type CheckCode =
	/** The typed number equals the one on the number document (the OCR cross-check helps here). */
	| 'number_matches'
	/** The card back shows a number and is a マイナンバーカード. */
	| 'card_back'
	/** 通知カード: name, address and birth date on it are the current (typed) ones. */
	| 'notification_current'
	/** 住民票の写し (or 記載事項証明書) that shows the 個人番号. */
	| 'resident_record_number'
	/** Card front: the face photo and name, address, birth date match the typed details; not expired. */
	| 'card_front'
	/** One photo ID (運転免許証, 旅券, 在留カード …): photo present, name and birth date or address match, valid. */
	| 'photo_id'
	/** Two IDs without a photo: each shows the name and the birth date or address. */
	| 'two_ids'
	/** A dependent's number document matches the number typed for them. */
	| 'dependent_number'
	/** The 委任状 (power of attorney) names the dependent and the employee and is signed. */
	| 'power_of_attorney';

/** The parts of a sealed record the checklist depends on (record version 2, see the employee page). */
export interface ReviewableRecord {
	identityEvidence?: { evidence?: NumberEvidence | string | null; identity?: IdentitySet | string | null } | null;
	dependents?: { verification?: string }[] | null;
}

/**
 * The checks a submission needs, in the order they are shown.
 * An unknown or missing combination yields the generic checks, so nothing is skipped silently.
 */
export function checklistFor(record: ReviewableRecord): Check[] {
	const checks: Check[] = [{ id: 'number_matches', code: 'number_matches', group: 'number' }];
	const evidence = record.identityEvidence?.evidence;
	const identity = record.identityEvidence?.identity;
	if (evidence === 'card') {
		checks.push({ id: 'card_back', code: 'card_back', group: 'number' }, { id: 'card_front', code: 'card_front', group: 'identity' });
	} else {
		checks.push(
			evidence === 'notification_card'
				? { id: 'notification_current', code: 'notification_current', group: 'number' }
				: { id: 'resident_record_number', code: 'resident_record_number', group: 'number' }
		);
		checks.push(identity === 'two_ids' ? { id: 'two_ids', code: 'two_ids', group: 'identity' } : { id: 'photo_id', code: 'photo_id', group: 'identity' });
	}
	(record.dependents ?? []).forEach((d, i) => {
		if (d?.verification !== 'company_via_proxy') return;
		checks.push(
			{ id: `dependent_number:${i}`, code: 'dependent_number', group: 'dependent', dependent: i },
			{ id: `power_of_attorney:${i}`, code: 'power_of_attorney', group: 'dependent', dependent: i }
		);
	});
	return checks;
}

/** The photo of the employee's own number document, the one the OCR cross-check reads. */
export const NUMBER_SLOTS: readonly Slot[] = ['card_back', 'notification_card', 'resident_record'];

/** How the handler-side OCR reading compares with the typed number. */
export type OcrComparison = 'match' | 'mismatch' | 'unread';

/**
 * Compares an OCR result with the typed number. `match` only when the one reading that passed the
 * check digit, or one of the candidates, equals it; `unread` when nothing was read.
 */
export function compareOcr(typed: string, result: { number: string | null; candidates: readonly string[] }): OcrComparison {
	if (result.number === typed || result.candidates.includes(typed)) return 'match';
	if (result.number === null && result.candidates.length === 0) return 'unread';
	return 'mismatch';
}
