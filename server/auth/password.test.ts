import { describe, expect, it } from 'vitest';
import { hashPassword, hashRandomSecret, verifyPassword } from './password';

describe('password hashes', () => {
	it('verifies a scrypt hash and refuses a wrong password', async () => {
		const stored = await hashPassword('correct horse battery', 10);
		expect(stored.startsWith('scrypt$10$')).toBe(true);
		expect(await verifyPassword('correct horse battery', stored)).toBe(true);
		expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
	});

	it('hashes a generated initial password with a salted HMAC that verifyPassword reads', async () => {
		const a = hashRandomSecret('ABCD-EFGH-JKLM');
		const b = hashRandomSecret('ABCD-EFGH-JKLM');
		expect(a).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
		// Salted: the same secret never gives the same stored value.
		expect(a).not.toBe(b);
		expect(await verifyPassword('ABCD-EFGH-JKLM', a)).toBe(true);
		// Typed with a Japanese IME (full-width) it is the same password, as with scrypt.
		expect(await verifyPassword('ＡＢＣＤ－ＥＦＧＨ－ＪＫＬＭ', a)).toBe(true);
		expect(await verifyPassword('ABCD-EFGH-JKLN', a)).toBe(false);
	});

	it('refuses malformed stored values', async () => {
		for (const stored of ['', 'hmac-sha256$x', 'md5$a$b', 'scrypt$99$8$1$a$b']) expect(await verifyPassword('x', stored)).toBe(false);
	});
});
