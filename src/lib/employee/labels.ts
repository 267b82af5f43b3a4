/**
 * Translated names of purposes, photo slots and relationships (codes stay codes everywhere else).
 *
 * @module
 */
import { m } from '$lib/paraglide/messages';
import type { Slot } from './documents';

const PURPOSE_LABELS: Record<string, (inputs: Record<string, never>, options?: { locale?: 'ja' | 'en' }) => string> = {
	withholding: m.purpose_withholding,
	employment_insurance: m.purpose_employment_insurance,
	social_insurance: m.purpose_social_insurance,
	workers_comp: m.purpose_workers_comp,
	national_pension_3: m.purpose_national_pension_3,
	payment_report: m.purpose_payment_report
};

/** A purpose of use by name, in the UI's language or in `locale` (documents have their own). */
export function purposeLabel(code: string, locale?: 'ja' | 'en'): string {
	return PURPOSE_LABELS[code]?.({}, locale ? { locale } : undefined) ?? code;
}

export function slotLabel(slot: Slot): string {
	return {
		card_front: m.slot_card_front,
		card_back: m.slot_card_back,
		notification_card: m.slot_notification_card,
		resident_record: m.slot_resident_record,
		photo_id: m.slot_photo_id,
		id_1: m.slot_id_1,
		id_2: m.slot_id_2,
		dependent_number: m.slot_dependent_number,
		power_of_attorney: m.slot_power_of_attorney
	}[slot]();
}

/** The short hint under a slot: what must be in the frame. */
export function slotHint(slot: Slot): string {
	if (slot === 'card_front') return m.slot_hint_front();
	if (slot === 'card_back') return m.slot_hint_back();
	return m.slot_hint_document();
}

export function relationshipLabel(code: string): string {
	const labels: Record<string, () => string> = { spouse: m.relationship_spouse, child: m.relationship_child, parent: m.relationship_parent, other: m.relationship_other };
	return labels[code]?.() ?? code;
}
