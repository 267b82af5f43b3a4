/** @module Ed25519 signatures (@noble/curves) and key fingerprints. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase32, utf8 } from './_encoding';

export interface SigningKeyPair {
	secretKey: Uint8Array;
	publicKey: Uint8Array;
}

/** A fresh Ed25519 key pair from the platform's CSPRNG. */
export function generateSigningKeyPair(): SigningKeyPair {
	const secretKey = ed25519.utils.randomSecretKey();
	return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

/** The public key of a 32-byte Ed25519 secret key. */
export function signingPublicKey(secretKey: Uint8Array): Uint8Array {
	return ed25519.getPublicKey(secretKey);
}

export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
	return ed25519.sign(message, secretKey);
}

/** Verifies a signature; false (never a throw) for any malformed key or signature. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
	try {
		return ed25519.verify(signature, message, publicKey);
	} catch {
		return false;
	}
}

/** Accepts a public key as bytes or base64url. @throws CryptoError('malformed'). */
export function publicKeyBytes(key: Uint8Array | string): Uint8Array {
	return typeof key === 'string' ? fromBase64Url(key) : key;
}

/**
 * A human-comparable fingerprint: SHA-256 of the key (a string is hashed as UTF-8), base32,
 * the first 32 characters in 8 groups of 4 (160 bits), e.g. `K4QF-7D2M-…`.
 */
export function fingerprint(publicKey: Uint8Array | string): string {
	const digest = sha256(typeof publicKey === 'string' ? utf8(publicKey) : publicKey);
	return (toBase32(digest).slice(0, 32).match(/.{4}/g) ?? []).join('-');
}
