/**
 * Password hashing with scrypt (memory-hard) from node:crypto.
 * Format: `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>`, so the cost can rise later
 * without invalidating stored hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const R = 8;
const P = 1;

function scrypt(password: string, salt: Buffer, logN: number): Promise<Buffer> {
	const N = 2 ** logN;
	const options: ScryptOptions = { N, r: R, p: P, maxmem: 256 * N * R + 1024 * 1024 };
	return new Promise((resolve, reject) =>
		scryptCb(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)))
	);
}

/** Hashes a password for storage. */
export async function hashPassword(password: string, logN = 15): Promise<string> {
	const salt = randomBytes(16);
	const hash = await scrypt(password, salt, logN);
	return ['scrypt', logN, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** True when `password` matches `stored`; false for any malformed stored value. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const parts = stored.split('$');
	if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
	const logN = Number(parts[1]);
	if (!Number.isInteger(logN) || logN < 1 || logN > 20) return false;
	const salt = Buffer.from(parts[4]!, 'base64url');
	const expected = Buffer.from(parts[5]!, 'base64url');
	const actual = await scrypt(password, salt, logN);
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;
/**
 * Spends the same time as a real verification, so an unknown user ID is not revealed by a
 * faster answer.
 */
export async function burnPasswordCheck(password: string, logN: number): Promise<void> {
	dummyHash ??= hashPassword('dummy-password-for-timing', logN);
	await verifyPassword(password, await dummyHash);
}
