/** @module Thin wrappers over age-encryption that map its errors to CryptoError codes. */
import { Decrypter, Encrypter } from 'age-encryption';
import { CryptoError } from './errors';

/** Encrypts to exactly one age recipient (never mixed with a passphrase: the spec forbids it). */
export async function ageEncryptTo(recipient: string, plaintext: Uint8Array): Promise<Uint8Array> {
	const e = new Encrypter();
	try {
		e.addRecipient(recipient);
	} catch {
		throw new CryptoError('malformed', 'invalid recipient');
	}
	return e.encrypt(plaintext);
}

/** Encrypts under a passphrase with scrypt at 2^logN. */
export async function ageEncryptWithPassphrase(passphrase: string, plaintext: Uint8Array, logN: number): Promise<Uint8Array> {
	const e = new Encrypter();
	e.setPassphrase(passphrase);
	e.setScryptWorkFactor(logN);
	return e.encrypt(plaintext);
}

function mapDecryptError(error: unknown, noMatch: 'wrong_key' | 'wrong_passphrase'): CryptoError {
	const message = error instanceof Error ? error.message : '';
	if (/no identity matched/i.test(message)) return new CryptoError(noMatch);
	// A flipped byte surfaces as a failed MAC or AEAD tag: the file is not what was sealed.
	if (/tag|mac|hmac/i.test(message)) return new CryptoError('wrong_key', 'ciphertext was altered or is not for this key');
	return new CryptoError('malformed', 'not an age file');
}

/**
 * Decrypts with any of the identities.
 * @throws CryptoError('wrong_key') when none matches or the ciphertext was altered,
 *   'malformed' when it is not an age file.
 */
export async function ageDecryptWithIdentities(identities: string[], ciphertext: Uint8Array): Promise<Uint8Array> {
	const d = new Decrypter();
	try {
		for (const identity of identities) d.addIdentity(identity);
	} catch {
		throw new CryptoError('malformed', 'invalid identity');
	}
	try {
		return await d.decrypt(ciphertext);
	} catch (error) {
		throw mapDecryptError(error, 'wrong_key');
	}
}

/** @throws CryptoError('wrong_passphrase') or 'malformed'. */
export async function ageDecryptWithPassphrase(passphrase: string, ciphertext: Uint8Array): Promise<Uint8Array> {
	const d = new Decrypter();
	d.addPassphrase(passphrase);
	try {
		return await d.decrypt(ciphertext);
	} catch (error) {
		throw mapDecryptError(error, 'wrong_passphrase');
	}
}
