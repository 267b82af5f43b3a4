/**
 * @module Passphrase-sealed files for people outside the app (CRYPTO.md "Where plaintext may
 * exist": a handler's CSV export "offer an age-passphrase-encrypted variant"). The result is a
 * plain binary age v1 file with a single scrypt stanza, so any age tool (the `age` CLI ≥ 1.1,
 * rage, typage) opens it with `age -d file.csv.age` and the passphrase; no part of this app is
 * needed to read it.
 */
import { ageDecryptWithPassphrase, ageEncryptWithPassphrase } from './_age';
import { CryptoError } from './errors';

/** scrypt work factor used unless a caller lowers it (age's own default). */
export const DEFAULT_PASSPHRASE_LOG_N = 18;

/**
 * Highest work factor accepted. age-encryption (our own decrypter) refuses files above 2^20, so a
 * higher one would make a file this module cannot open again.
 */
export const MAX_PASSPHRASE_LOG_N = 20;

/**
 * Seals bytes under a passphrase as a standard age file (one scrypt stanza, never beside other
 * recipients: the age spec forbids that). age encryption is randomized: sealing the same input
 * twice gives different files.
 *
 * @param plaintext the bytes to seal, e.g. a UTF-8 CSV.
 * @param passphrase the passphrase the reader will type; it is the file's only protection, so it
 *   needs real entropy (age's advice: at least 8–10 random alphanumerics or 4–5 random words).
 * @param opts.logN scrypt work factor (2^logN), 18 by default like the age CLI; an integer from 1
 *   to {@link MAX_PASSPHRASE_LOG_N}. Lower it only in tests.
 * @returns the binary (not armored) age file.
 * @throws CryptoError('malformed') for an empty passphrase or a work factor out of range.
 */
export async function sealWithPassphrase(plaintext: Uint8Array, passphrase: string, opts: { logN?: number } = {}): Promise<Uint8Array> {
	if (passphrase.length === 0) throw new CryptoError('malformed', 'empty passphrase');
	const logN = opts.logN ?? DEFAULT_PASSPHRASE_LOG_N;
	if (!Number.isInteger(logN) || logN < 1 || logN > MAX_PASSPHRASE_LOG_N) {
		throw new CryptoError('malformed', `scrypt work factor must be an integer from 1 to ${MAX_PASSPHRASE_LOG_N}`);
	}
	return ageEncryptWithPassphrase(passphrase, plaintext, logN);
}

/**
 * Opens a passphrase-sealed age file, whether made by {@link sealWithPassphrase} or by another age
 * tool (`age -p`). Binary age only: an ASCII-armored file (`age -a`) is refused as malformed.
 *
 * @returns the plaintext, only after the whole file authenticated.
 * @throws CryptoError('wrong_passphrase') when the passphrase does not open it (also for an age
 *   file sealed to recipients rather than to a passphrase); 'wrong_key' when the file was altered
 *   after sealing (failed header MAC or payload tag); 'malformed' when it is not a binary age file,
 *   is armored, or has an invalid scrypt stanza, one beside other stanzas, or a work factor above
 *   2^20.
 */
export async function openWithPassphrase(ciphertext: Uint8Array, passphrase: string): Promise<Uint8Array> {
	return ageDecryptWithPassphrase(passphrase, ciphertext);
}
