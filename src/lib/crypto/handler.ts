/** @module A handler's personal keys and their passphrase wrapping (CRYPTO.md "Keys" 3). */
import { generateHybridIdentity, identityToRecipient } from 'age-encryption';
import { canonicalJson, fromBase64Url, fromUtf8, int, parseJsonObject, str, toBase64Url, utf8 } from './_encoding';
import { ageDecryptWithPassphrase, ageEncryptWithPassphrase } from './_age';
import { CryptoError } from './errors';
import { fingerprint, generateSigningKeyPair, signingPublicKey, type SigningKeyPair } from './signing';

/** A handler's private keys: an age hybrid (ML-KEM-768 + X25519) identity and an Ed25519 key. */
export interface HandlerKeys {
	identity: string;
	recipient: string;
	signing: SigningKeyPair;
}

/** Makes a handler's keys in the current process (the browser, in production). */
export async function generateHandlerKeys(): Promise<HandlerKeys> {
	const identity = await generateHybridIdentity();
	return { identity, recipient: await identityToRecipient(identity), signing: generateSigningKeyPair() };
}

/** What the server may store about a handler's keys. */
export function handlerPublicInfo(k: HandlerKeys): { recipient: string; signingPublicKey: string; fingerprint: string } {
	return { recipient: k.recipient, signingPublicKey: toBase64Url(k.signing.publicKey), fingerprint: fingerprint(k.recipient) };
}

/**
 * Seals the private keys under a passphrase (age scrypt file). The server stores this file and
 * can only brute-force the passphrase at full scrypt cost.
 * @param opts.logN scrypt work factor, 18 by default (≈ 1–2 s); lower only in tests.
 */
export async function wrapHandlerKeys(k: HandlerKeys, passphrase: string, opts: { logN?: number } = {}): Promise<Uint8Array> {
	return ageEncryptWithPassphrase(passphrase, encodeHandlerKeys(k), opts.logN ?? 18);
}

/** The plaintext inside every wrap of a handler's keys (passphrase or passkey). */
export function encodeHandlerKeys(k: HandlerKeys): Uint8Array {
	return utf8(canonicalJson({ v: 1, kind: 'handler-keys', identity: k.identity, signingSecretKey: toBase64Url(k.signing.secretKey) }));
}

/**
 * Opens a wrapped key file.
 * @throws CryptoError('wrong_passphrase') for a wrong passphrase, 'malformed' for anything that
 *   is not a handler key file, 'unsupported_version' for a newer format.
 */
export async function unwrapHandlerKeys(wrapped: Uint8Array, passphrase: string): Promise<HandlerKeys> {
	return decodeHandlerKeys(await ageDecryptWithPassphrase(passphrase, wrapped));
}

/**
 * Reads the plaintext of a wrap.
 * @throws CryptoError('malformed') or 'unsupported_version'.
 */
export async function decodeHandlerKeys(plain: Uint8Array): Promise<HandlerKeys> {
	const o = parseJsonObject(fromUtf8(plain));
	if (int(o, 'v') !== 1) throw new CryptoError('unsupported_version');
	if (o.kind !== 'handler-keys') throw new CryptoError('malformed', 'not a handler key file');
	const identity = str(o, 'identity');
	const secretKey = fromBase64Url(str(o, 'signingSecretKey'));
	if (secretKey.length !== 32) throw new CryptoError('malformed', 'bad signing key');
	let recipient: string;
	try {
		recipient = await identityToRecipient(identity);
	} catch {
		throw new CryptoError('malformed', 'bad identity');
	}
	return { identity, recipient, signing: { secretKey, publicKey: signingPublicKey(secretKey) } };
}
