/**
 * Password hashing with scrypt (memory-hard) from node:crypto.
 * Format: `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>`, so the cost can rise later
 * without invalidating stored hashes.
 */
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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

/**
 * Hashes a secret the server generated itself with enough entropy that guessing it is hopeless
 * (an initial password: 12 characters from 32, 60 bits), so no slow KDF is needed: a salted
 * HMAC-SHA256. Issuing 1,000 letters then costs milliseconds instead of 1,000 scrypt runs.
 * Format: `hmac-sha256$<salt b64url>$<hash b64url>`; `verifyPassword` reads both formats.
 */
export function hashRandomSecret(secret: string): string {
	const salt = randomBytes(16);
	return ['hmac-sha256', salt.toString('base64url'), hmacOf(secret, salt).toString('base64url')].join('$');
}

function hmacOf(secret: string, salt: Buffer): Buffer {
	return createHmac('sha256', salt).update(secret.normalize('NFKC')).digest();
}

/** True when `password` matches `stored`; false for any malformed stored value. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const parts = stored.split('$');
	if (parts.length === 3 && parts[0] === 'hmac-sha256') {
		const expected = Buffer.from(parts[2]!, 'base64url');
		const actual = hmacOf(password, Buffer.from(parts[1]!, 'base64url'));
		return actual.length === expected.length && timingSafeEqual(actual, expected);
	}
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
