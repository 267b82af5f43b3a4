/**
 * Which photos an employee must provide (DOMAIN.md §3, 番号確認 + 身元確認): a マイナンバーカード
 * (front and back) alone; or a 通知カード (only while its details are unchanged) or a 住民票の写し
 * with the number, plus one photo ID or two IDs without a photo. The 個人番号通知書 is not proof of
 * the number. Pure: the page and the tests share it.
 *
 * @module
 */

/** What proves the number. `notice` (個人番号通知書) is offered only to be refused with an explanation. */
export type NumberEvidence = 'card' | 'notification_card' | 'resident_record' | 'notice';
/** What proves identity when the number document has no photo. */
export type IdentitySet = 'photo_id' | 'two_ids';

/** A photo slot; the record names each photo's slot, so the handler knows what they look at. */
export type Slot = 'card_front' | 'card_back' | 'notification_card' | 'resident_record' | 'photo_id' | 'id_1' | 'id_2' | 'dependent_number' | 'power_of_attorney';

export interface DocumentChoice {
	evidence: NumberEvidence | null;
	/** For a 通知カード: the employee confirms name and address on it are still current. */
	notificationUnchanged: boolean;
	identity: IdentitySet | null;
}

export type ChoiceError = 'evidence_missing' | 'notice_not_accepted' | 'notification_changed' | 'identity_missing';

/** Why the choice cannot go on, or null when it is a legal combination. */
export function choiceError(c: DocumentChoice): ChoiceError | null {
	if (!c.evidence) return 'evidence_missing';
	if (c.evidence === 'notice') return 'notice_not_accepted';
	if (c.evidence === 'notification_card' && !c.notificationUnchanged) return 'notification_changed';
	if (c.evidence !== 'card' && !c.identity) return 'identity_missing';
	return null;
}

/** The photo slots a legal choice needs, in the order they are shown and sealed. */
export function requiredSlots(c: DocumentChoice): Slot[] {
	if (choiceError(c)) return [];
	if (c.evidence === 'card') return ['card_front', 'card_back'];
	const numberSlot: Slot = c.evidence === 'notification_card' ? 'notification_card' : 'resident_record';
	return [numberSlot, ...(c.identity === 'photo_id' ? (['photo_id'] as Slot[]) : (['id_1', 'id_2'] as Slot[]))];
}

/** How the company learns a dependent's number is right (DOMAIN.md §4). */
export type DependentVerification = 'employee' | 'company_via_proxy';

/** Photos a dependent needs: none when the employee verifies (年末調整); the number document and a 委任状 when the company does. */
export function dependentSlots(mode: DependentVerification): Slot[] {
	return mode === 'company_via_proxy' ? ['dependent_number', 'power_of_attorney'] : [];
}

/** The default: a spouse for 国民年金第3号被保険者 needs the company's check; everyone else is the employee's to verify. */
export function defaultVerification(relationship: string, purposes: readonly string[]): DependentVerification {
	return relationship === 'spouse' && purposes.includes('national_pension_3') ? 'company_via_proxy' : 'employee';
}
