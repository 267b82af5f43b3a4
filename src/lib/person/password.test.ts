import { describe, expect, it } from 'vitest';
import { ownPasswordProblem } from './password';

describe("the employee's own password", () => {
	it('needs 8 characters, not digits only, and not the letter’s initial password', () => {
		expect(ownPasswordProblem('abc1234', 'ABCD-EFGH-JKLM')).toBe('short');
		expect(ownPasswordProblem('ひみつのあいことば', 'ABCD-EFGH-JKLM')).toBeNull();
		expect(ownPasswordProblem('12345678901', 'ABCD-EFGH-JKLM')).toBe('digits_only');
		// Full-width digits are digits too.
		expect(ownPasswordProblem('１２３４５６７８', 'ABCD-EFGH-JKLM')).toBe('digits_only');
		expect(ownPasswordProblem('abcd efgh jklm', 'ABCD-EFGH-JKLM')).toBe('same');
		expect(ownPasswordProblem('ｈａｎａｋｏ2026', 'ABCD-EFGH-JKLM')).toBeNull();
	});
});
