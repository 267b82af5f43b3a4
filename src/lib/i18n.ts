/**
 * Small formatting helpers that depend on the display language. Message texts live in
 * messages/{ja,en}.json; this file only maps codes to them and formats dates.
 */
import { formatCorporateNumber as groupCorporateNumber } from '$lib/mynumber';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

/** An ISO timestamp as a local date and time, or the given fallback when absent. */
export function formatDateTime(iso: string | null | undefined, fallback = m.common_none()): string {
	if (!iso) return fallback;
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return fallback;
	return new Intl.DateTimeFormat(getLocale() === 'ja' ? 'ja-JP' : 'en-GB', {
		dateStyle: 'medium',
		timeStyle: 'short'
	}).format(date);
}

export type EmployeeStatus = 'invited' | 'not_invited' | 'joined' | 'submitted' | 'accepted' | 'returned' | 'declined' | 'disposed';

export function employeeStatusLabel(status: EmployeeStatus): string {
	switch (status) {
		case 'not_invited':
			return m.status_not_invited();
		case 'invited':
			return m.status_invited();
		case 'joined':
			return m.status_joined();
		case 'submitted':
			return m.status_submitted();
		case 'accepted':
			return m.status_accepted();
		case 'returned':
			return m.status_returned();
		case 'declined':
			return m.status_declined();
		case 'disposed':
			return m.board_disposed();
	}
}

export function roleLabel(role: 'responsible' | 'staff'): string {
	return role === 'responsible' ? m.role_responsible() : m.role_staff();
}

/** A corporate number grouped 1-4-4-4, or "none" for a company without one. */
export function formatCorporateNumber(value: string | null): string {
	return value ? groupCorporateNumber(value) : m.common_none();
}

/**
 * The lines of a form's error summary: each failed field as "label: problem", in form order.
 * @returns null when every field is fine.
 */
export function errorSummary(fields: ReadonlyArray<readonly [label: string, error: string | null | undefined]>): string[] | null {
	const lines = fields.filter(([, error]) => error).map(([label, error]) => m.common_field_error({ label, error: error ?? '' }));
	return lines.length ? lines : null;
}
