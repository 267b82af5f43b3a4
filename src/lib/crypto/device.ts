/**
 * @module Employee device keys (CRYPTO.md §6; issue 3 item 7): the invitation carries a one-time
 * secret that the handler's browser made and stored only sealed under the company's data key. The
 * employee's browser makes an Ed25519 key, registers its public key with an HMAC under that secret,
 * and signs every envelope. A handler's browser opens the secret, checks the HMAC and then the
 * signature, so a server that knows the company's public key still cannot forge a submission.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url, utf8 } from './_encoding';
import { openWithDataKey, sealWithDataKey } from './datakey';
import { CryptoError } from './errors';

/** Bytes of the one-time device secret. */
export const DEVICE_SECRET_BYTES = 32;

/** A fresh one-time secret for an invitation. */
export function generateDeviceSecret(): Uint8Array {
	return crypto.getRandomValues(new Uint8Array(DEVICE_SECRET_BYTES));
}

function secretAad(companyId: string, employeeId: string): string {
	return `mnv:device-secret:v1:${companyId}:${employeeId}`;
}

/** The secret sealed under the epoch's data key, bound to its company and employee, for the server to keep. */
export function sealDeviceSecret(p: { dataKey: Uint8Array; epoch: number; companyId: string; employeeId: string; secret: Uint8Array }): Uint8Array {
	return sealWithDataKey({ dataKey: p.dataKey, epoch: p.epoch, plaintext: p.secret, aad: secretAad(p.companyId, p.employeeId) });
}

/** @throws CryptoError('wrong_key') when the blob was made for another employee or altered. */
export function openDeviceSecret(p: { dataKey: Uint8Array; sealed: Uint8Array; companyId: string; employeeId: string }): Uint8Array {
	const secret = openWithDataKey({ dataKey: p.dataKey, sealed: p.sealed, aad: secretAad(p.companyId, p.employeeId) });
	if (secret.length !== DEVICE_SECRET_BYTES) throw new CryptoError('malformed', 'device secret has the wrong length');
	return secret;
}

/**
 * The registration MAC: HMAC-SHA256 under the one-time secret over the device public key, bound to
 * the company and employee so a registration cannot be replayed for someone else. Base64url.
 */
export function deviceRegistrationMac(p: { secret: Uint8Array; companyId: string; employeeId: string; devicePublicKey: string }): string {
	return toBase64Url(hmac(sha256, p.secret, utf8(`mnv:device-registration:v1:${p.companyId}:${p.employeeId}:${p.devicePublicKey}`)));
}

/** Constant-time check of a registration MAC; false for anything malformed. */
export function verifyDeviceRegistration(p: { secret: Uint8Array; companyId: string; employeeId: string; devicePublicKey: string; mac: string }): boolean {
	let given: Uint8Array;
	try {
		given = fromBase64Url(p.mac);
	} catch {
		return false;
	}
	const expected = fromBase64Url(deviceRegistrationMac(p));
	if (given.length !== expected.length) return false;
	let diff = 0;
	for (let i = 0; i < given.length; i++) diff |= given[i]! ^ expected[i]!;
	return diff === 0;
}
