/**
 * Generated sign-in IDs and initial passwords for users an administrator adds (seed M-2: IDs
 * auto-generated or typed). Characters that are easy to misread on paper (0/O, 1/l/I) are left out.
 *
 * @module
 */

const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789';

function pick(alphabet: string, length: number): string {
	// Rejection sampling keeps every character equally likely.
	const limit = 256 - (256 % alphabet.length);
	let out = '';
	while (out.length < length) {
		for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
			if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
		}
	}
	return out;
}

/** A sign-in ID like `u-k7m2qx`: half-width letters, digits and a hyphen, as user IDs require. */
export function generateLoginId(): string {
	return `u-${pick(ID_ALPHABET, 6)}`;
}

/** An initial password of 16 characters (about 92 bits); the user replaces it at the first sign-in. */
export function generateInitialPassword(): string {
	return pick(PASSWORD_ALPHABET, 16);
}
