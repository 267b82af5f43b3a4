import { describe, expect, it } from 'vitest';
import { generateInitialPassword, generateLoginId } from './generate';

describe('generated user credentials', () => {
	it('makes sign-in IDs the ID rule accepts, without look-alike characters, and different each time', () => {
		const ids = Array.from({ length: 200 }, generateLoginId);
		for (const id of ids) expect(id).toMatch(/^u-[a-hjkmnp-z2-9]{6}$/);
		expect(new Set(ids).size).toBe(ids.length);
	});
	it('makes 16-character initial passwords (the minimum is 12)', () => {
		const pw = generateInitialPassword();
		expect(pw).toMatch(/^[A-HJ-NP-Za-hjkmnp-z2-9]{16}$/);
		expect(generateInitialPassword()).not.toBe(pw);
	});
});
