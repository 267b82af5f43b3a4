/**
 * @module The employee's own password (issue 4 item 1): it signs the employee in on any phone and
 * unlocks the device signing key, without giving the server what it would need to sign for them
 * (CRYPTO.md §6: the device key is what lets a handler tell a real submission from a forged one).
 *
 * Derivation (version 1), all in the employee's browser:
 *
 *   stretched = scrypt(NFKC(password), salt = "mynumber-vault/employee/v1:" ‖ companyId ‖ ":" ‖ employeeId,
 *                      N = 2^15, r = 8, p = 1, 32 bytes)
 *   authKey   = HKDF-SHA256(stretched, info = "auth", 32)   sent to the server, which keeps only a hash of it
 *   wrapKey   = HKDF-SHA256(stretched, info = "wrap", 32)   never leaves the browser
 *   wrapped   = 0x01 ‖ nonce(24) ‖ XChaCha20-Poly1305(wrapKey, nonce, aad, payload)
 *   payload   = canonical JSON {v: 1, key: device secret key, fingerprint: pinned company key | null, minEpoch}
 *
 * A passkey with the PRF extension can hold a second copy (`passkeyDeviceWrapKey`): the wrapping key is
 * then HKDF-SHA256(prf output, salt = "mynumber-vault/employee-passkey/v1", info = credential id, 32).
 *
 * The server stores `wrapped` and hands it out only after a sign-in with `authKey`. To open it, it
 * would have to guess the password through scrypt, the same bound as any password system. The
 * pinned company fingerprint travels inside, so a later sign-in pins the same keys as the letter did.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson, concatBytes, fromBase64Url, fromUtf8, int, parseJsonObject, toBase64Url, utf8 } from './_encoding';
import { CryptoError } from './errors';
import { signingPublicKey, type SigningKeyPair } from './signing';

const VERSION = 0x01;
const NONCE = 24;
/** scrypt cost: 32 MiB and a few hundred milliseconds on a phone, once per sign-in. */
const LOG_N = 15;

/** What an employee's password stands for: one key for the server, one that stays on the phone. */
export interface EmployeeKeys {
	/** 32 bytes, base64url: what the server checks at sign-in. */
	authKey: string;
	wrapKey: Uint8Array;
}

/** What the wrapped blob holds: the device key and the company key the letter pinned. */
export interface DeviceUnlock {
	device: SigningKeyPair;
	pinnedFingerprint: string | null;
	minEpoch: number;
}

interface Ids {
	companyId: string;
	employeeId: string;
}

function aad(p: Ids): Uint8Array {
	return utf8(`mnv:employee-device:v1:${p.companyId}:${p.employeeId}`);
}

/**
 * Stretches the password and splits it into the sign-in key and the wrapping key.
 * @throws CryptoError('malformed') for an empty password.
 */
export async function deriveEmployeeKeys(password: string, ids: Ids, opts: { logN?: number } = {}): Promise<EmployeeKeys> {
	if (!password) throw new CryptoError('malformed', 'empty password');
	const salt = utf8(`mynumber-vault/employee/v1:${ids.companyId}:${ids.employeeId}`);
	const stretched = await scryptAsync(utf8(password.normalize('NFKC')), salt, { N: 2 ** (opts.logN ?? LOG_N), r: 8, p: 1, dkLen: 32 });
	try {
		return {
			authKey: toBase64Url(hkdf(sha256, stretched, undefined, utf8('auth'), 32)),
			wrapKey: hkdf(sha256, stretched, undefined, utf8('wrap'), 32)
		};
	} finally {
		stretched.fill(0);
	}
}

/** Seals the device key (and the pinned company fingerprint) under the password's wrapping key. */
export function wrapDeviceKey(p: Ids & { wrapKey: Uint8Array } & DeviceUnlock): Uint8Array {
	const payload = utf8(canonicalJson({ v: 1, key: toBase64Url(p.device.secretKey), fingerprint: p.pinnedFingerprint, minEpoch: p.minEpoch }));
	const nonce = crypto.getRandomValues(new Uint8Array(NONCE));
	const version = new Uint8Array([VERSION]);
	return concatBytes(version, nonce, xchacha20poly1305(p.wrapKey, nonce, concatBytes(aad(p), version)).encrypt(payload));
}

/**
 * Opens what `wrapDeviceKey` sealed.
 * @throws CryptoError('wrong_passphrase') for another password, employee or a changed byte;
 *   'malformed' / 'unsupported_version' for something that is not a wrapped device key.
 */
export function unwrapDeviceKey(p: Ids & { wrapKey: Uint8Array; wrapped: Uint8Array }): DeviceUnlock {
	if (p.wrapped.length < 1 + NONCE + 16) throw new CryptoError('malformed', 'wrapped device key too short');
	if (p.wrapped[0] !== VERSION) throw new CryptoError('unsupported_version');
	let plain: Uint8Array;
	try {
		plain = xchacha20poly1305(p.wrapKey, p.wrapped.subarray(1, 1 + NONCE), concatBytes(aad(p), p.wrapped.subarray(0, 1))).decrypt(p.wrapped.subarray(1 + NONCE));
	} catch {
		throw new CryptoError('wrong_passphrase', 'wrong password');
	}
	const o = parseJsonObject(fromUtf8(plain));
	const secretKey = typeof o.key === 'string' ? fromBase64Url(o.key) : new Uint8Array();
	if (o.v !== 1 || secretKey.length !== 32) throw new CryptoError('malformed', 'not a device key');
	const fingerprint = o.fingerprint;
	if (fingerprint !== null && typeof fingerprint !== 'string') throw new CryptoError('malformed', 'bad fingerprint');
	return { device: { secretKey, publicKey: signingPublicKey(secretKey) }, pinnedFingerprint: fingerprint, minEpoch: int(o, 'minEpoch') };
}

/**
 * The wrapping key a passkey's PRF output stands for (same PRF input as handlers' passkeys,
 * `passkeyPrfInput`), bound to the credential.
 * @throws CryptoError('malformed') for a PRF output that is not 32 bytes or an odd credential id.
 */
export function passkeyDeviceWrapKey(prfOutput: Uint8Array, credentialId: string): Uint8Array {
	if (!(prfOutput instanceof Uint8Array) || prfOutput.length !== 32) throw new CryptoError('malformed', 'prf output must be 32 bytes');
	if (!/^[A-Za-z0-9_-]{1,1400}$/.test(credentialId)) throw new CryptoError('malformed', 'invalid credential id');
	return hkdf(sha256, prfOutput, utf8('mynumber-vault/employee-passkey/v1'), utf8(credentialId), 32);
}
