/** @module The rule for the password an employee chooses at joining (pure). */

/** The shortest own password the join form accepts. */
export const MIN_EMPLOYEE_PASSWORD = 8;

/**
 * What is wrong with a chosen password, or null. Kept simple for a phone keyboard: at least 8
 * characters, not digits only (a PIN is the cheapest thing to guess offline), not the letter's.
 */
export function ownPasswordProblem(password: string, initialPassword: string): 'short' | 'digits_only' | 'same' | null {
	const normalised = password.normalize('NFKC');
	if ([...normalised].length < MIN_EMPLOYEE_PASSWORD) return 'short';
	if (/^\d+$/.test(normalised)) return 'digits_only';
	const bare = (s: string) => s.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
	if (bare(password) === bare(initialPassword)) return 'same';
	return null;
}
