/**
 * @module Passkey wraps of a handler's keys (CRYPTO.md "Keys" 3): one age file per passkey,
 * opened with the passkey's WebAuthn PRF output.
 *
 * Derivation (version 1), all in the browser:
 *
 *   prfInput = SHA-256("mynumber-vault/passkey-prf/v1")            (the same 32 bytes for every credential)
 *   prf      = the authenticator's PRF output for prfInput          (32 bytes, never leaves the browser)
 *   seed     = HKDF-SHA256(ikm = prf, salt = "mynumber-vault/passkey-wrap/v1", info = credentialId, 32)
 *   identity = bech32("AGE-SECRET-KEY-PQ-", seed)                    (an age ML-KEM-768 + X25519 hybrid identity)
 *   wrap     = age file to identity's recipient (age1pq1…) holding the same plaintext as the passphrase wrap
 *
 * The PRF key is per credential inside the authenticator, so one fixed input suffices; a fixed input
 * lets a discoverable sign-in ask for PRF output before the credential is known ("one touch").
 * The credential id in HKDF's info binds each wrap to its credential. The identity is post-quantum
 * hybrid, like the handler's own key, so a stored wrap is no weaker than the key it protects.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';
import { identityToRecipient } from 'age-encryption';
import { ageDecryptWithIdentities, ageEncryptTo } from './_age';
import { toBase64Url, utf8 } from './_encoding';
import { CryptoError } from './errors';
import { decodeHandlerKeys, encodeHandlerKeys, type HandlerKeys } from './handler';

const PRF_LABEL = 'mynumber-vault/passkey-prf/v1';
const WRAP_SALT = 'mynumber-vault/passkey-wrap/v1';

/** The PRF input (WebAuthn `extensions.prf.eval.first`) for every passkey wrap of version 1. */
export function passkeyPrfInput(): Uint8Array {
	return sha256(utf8(PRF_LABEL));
}

/** `passkeyPrfInput()` as base64url, as the server records it per credential. */
export const PASSKEY_PRF_INPUT_B64 = toBase64Url(passkeyPrfInput());

function checkInputs(prfOutput: Uint8Array, credentialId: string): void {
	if (!(prfOutput instanceof Uint8Array) || prfOutput.length !== 32) throw new CryptoError('malformed', 'prf output must be 32 bytes');
	if (!/^[A-Za-z0-9_-]{1,1400}$/.test(credentialId)) throw new CryptoError('malformed', 'invalid credential id');
}

/**
 * The age identity (`AGE-SECRET-KEY-PQ-1…`) a passkey's PRF output stands for.
 * @throws CryptoError('malformed') for a PRF output that is not 32 bytes or a bad credential id.
 */
export function passkeyIdentity(prfOutput: Uint8Array, credentialId: string): string {
	checkInputs(prfOutput, credentialId);
	const seed = hkdf(sha256, prfOutput, utf8(WRAP_SALT), utf8(credentialId), 32);
	try {
		return bech32.encodeFromBytes('AGE-SECRET-KEY-PQ-', seed).toUpperCase();
	} finally {
		seed.fill(0);
	}
}

/** Seals the handler's private keys to the identity derived from a passkey's PRF output. */
export async function wrapHandlerKeysForPasskey(keys: HandlerKeys, prfOutput: Uint8Array, credentialId: string): Promise<Uint8Array> {
	const recipient = await identityToRecipient(passkeyIdentity(prfOutput, credentialId));
	const plain = encodeHandlerKeys(keys);
	try {
		return await ageEncryptTo(recipient, plain);
	} finally {
		plain.fill(0);
	}
}

/**
 * Opens a passkey wrap.
 * @throws CryptoError('wrong_key') for another passkey's output, another credential id or an altered
 *   file; 'malformed' for something that is not a handler key file.
 */
export async function unwrapHandlerKeysWithPasskey(wrapped: Uint8Array, prfOutput: Uint8Array, credentialId: string): Promise<HandlerKeys> {
	const plain = await ageDecryptWithIdentities([passkeyIdentity(prfOutput, credentialId)], wrapped);
	try {
		return await decodeHandlerKeys(plain);
	} finally {
		plain.fill(0);
	}
}
