/**
 * Turns the pure input rules' errors (`$lib/person`, `$lib/mynumber`) into the messages on screen.
 *
 * @module
 */
import { normalizeNumberInput, parseIndividualNumber } from '$lib/mynumber';
import { m } from '$lib/paraglide/messages';
import type { DateError, FieldError } from '$lib/person';

export function fieldMessage(error: FieldError): string {
	switch (error.kind) {
		case 'empty':
			return m.field_error_empty();
		case 'too_long':
			return m.field_error_too_long({ max: error.max });
		case 'char':
			return m.field_error_char({ char: error.char, position: error.position });
	}
}

export function dateMessage(error: DateError): string {
	return {
		empty: m.date_error_empty,
		format: m.date_error_format,
		no_such_date: m.date_error_no_such_date,
		era_range: m.date_error_era_range,
		future: m.date_error_future,
		too_old: m.date_error_too_old
	}[error]();
}

/** The message for a typed My Number, or null when it is valid (check digit included). */
export function numberMessage(value: string): string | null {
	const parsed = parseIndividualNumber(value);
	if (parsed.ok) return null;
	switch (parsed.error) {
		case 'empty':
			return m.me_error_empty();
		case 'length':
			return m.me_error_length({ count: normalizeNumberInput(value).replace(/\D/g, '').length });
		case 'check_digit':
			return m.me_error_check_digit();
		case 'all_zero':
			return m.me_error_all_zero();
		default:
			return m.me_error_not_digits();
	}
}

/** Groups digits 4-4-4 as they are typed. */
export function groupDigits(value: string): string {
	const digits = normalizeNumberInput(value);
	return /^\d{0,12}$/.test(digits) ? digits.replace(/(\d{4})(?=\d)/g, '$1 ') : value;
}
