/**
 * @module The symmetric layer (XChaCha20-Poly1305 under an epoch's 32-byte data key) for the
 * roster and bulk records, so that 10,000 names need no public-key operation each.
 *
 *   0x01 | u32be epoch | 24-byte nonce | ciphertext ‖ tag,   AAD = utf8(aad) ‖ 0x01 ‖ u32be epoch
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes, readU32be, u32be, utf8 } from './_encoding';
import { CryptoError } from './errors';

const VERSION = 0x01;
const NONCE = 24;
const PREFIX = 1 + 4;

/** Seals under the data key, binding the ciphertext to `aad` (e.g. company and employee ids). */
export function sealWithDataKey(p: { dataKey: Uint8Array; epoch: number; plaintext: Uint8Array; aad: string }): Uint8Array {
	if (p.dataKey.length !== 32) throw new CryptoError('malformed', 'data key must be 32 bytes');
	const prefix = concatBytes(new Uint8Array([VERSION]), u32be(p.epoch));
	const nonce = crypto.getRandomValues(new Uint8Array(NONCE));
	const sealed = xchacha20poly1305(p.dataKey, nonce, concatBytes(utf8(p.aad), prefix)).encrypt(p.plaintext);
	return concatBytes(prefix, nonce, sealed);
}

/** The epoch whose data key sealed this blob. @throws CryptoError('malformed' | 'unsupported_version'). */
export function dataKeyEpochOf(sealed: Uint8Array): number {
	if (sealed.length < PREFIX + NONCE + 16) throw new CryptoError('malformed', 'sealed data too short');
	if (sealed[0] !== VERSION) throw new CryptoError('unsupported_version');
	return readU32be(sealed, 1);
}

/**
 * Opens a blob sealed by `sealWithDataKey`.
 * @throws CryptoError('wrong_key') when the key or `aad` is wrong or a byte was changed;
 *   'malformed' for a short input.
 */
export function openWithDataKey(p: { dataKey: Uint8Array; sealed: Uint8Array; aad: string }): Uint8Array {
	dataKeyEpochOf(p.sealed);
	const prefix = p.sealed.subarray(0, PREFIX);
	const nonce = p.sealed.subarray(PREFIX, PREFIX + NONCE);
	try {
		return xchacha20poly1305(p.dataKey, nonce, concatBytes(utf8(p.aad), prefix)).decrypt(p.sealed.subarray(PREFIX + NONCE));
	} catch {
		throw new CryptoError('wrong_key', 'cannot open with this data key');
	}
}

/** The associated data that binds a roster name to its company and employee. */
function employeeNameAad(companyId: string, employeeId: string): string {
	return `mnv:employee-name:v1:${companyId}:${employeeId}`;
}

/** Seals an employee's display name under the epoch's data key, bound to company and employee. */
export function sealEmployeeName(p: { dataKey: Uint8Array; epoch: number; companyId: string; employeeId: string; name: string }): Uint8Array {
	return sealWithDataKey({ dataKey: p.dataKey, epoch: p.epoch, plaintext: utf8(p.name), aad: employeeNameAad(p.companyId, p.employeeId) });
}

/** Opens a sealed display name. @throws CryptoError('wrong_key' | 'malformed') as `openWithDataKey`. */
export function openEmployeeName(p: { dataKey: Uint8Array; sealed: Uint8Array; companyId: string; employeeId: string }): string {
	return new TextDecoder('utf-8', { fatal: true }).decode(openWithDataKey({ dataKey: p.dataKey, sealed: p.sealed, aad: employeeNameAad(p.companyId, p.employeeId) }));
}

/** The associated data that binds a verified record to its company, employee and submission. */
function verifiedRecordAad(companyId: string, employeeId: string, submissionId: string): string {
	return `mnv:verified-record:v1:${companyId}:${employeeId}:${submissionId}`;
}

/**
 * Re-seals a record a handler has verified (device signature and context checked) under the
 * epoch's data key, so bulk export opens it with one symmetric operation (issue 3 item 10).
 */
export function sealVerifiedRecord(p: { dataKey: Uint8Array; epoch: number; companyId: string; employeeId: string; submissionId: string; record: Uint8Array }): Uint8Array {
	return sealWithDataKey({ dataKey: p.dataKey, epoch: p.epoch, plaintext: p.record, aad: verifiedRecordAad(p.companyId, p.employeeId, p.submissionId) });
}

/** Opens a verified record. @throws CryptoError('wrong_key') when it was moved to another submission or altered. */
export function openVerifiedRecord(p: { dataKey: Uint8Array; sealed: Uint8Array; companyId: string; employeeId: string; submissionId: string }): Uint8Array {
	return openWithDataKey({ dataKey: p.dataKey, sealed: p.sealed, aad: verifiedRecordAad(p.companyId, p.employeeId, p.submissionId) });
}

/** Roster fields other than the name (reading, department, dates, e-mail), as one sealed JSON object. */
export interface EmployeeProfile {
	nameKana?: string;
	department?: string;
	hiredOn?: string;
	leftOn?: string;
	email?: string;
}

function employeeProfileAad(companyId: string, employeeId: string): string {
	return `mnv:employee-profile:v1:${companyId}:${employeeId}`;
}

/** Seals an employee's roster profile under the epoch's data key, bound to company and employee. */
export function sealEmployeeProfile(p: { dataKey: Uint8Array; epoch: number; companyId: string; employeeId: string; profile: EmployeeProfile }): Uint8Array {
	return sealWithDataKey({ dataKey: p.dataKey, epoch: p.epoch, plaintext: utf8(JSON.stringify(p.profile)), aad: employeeProfileAad(p.companyId, p.employeeId) });
}

/** Opens a sealed roster profile. @throws CryptoError('wrong_key' | 'malformed'). */
export function openEmployeeProfile(p: { dataKey: Uint8Array; sealed: Uint8Array; companyId: string; employeeId: string }): EmployeeProfile {
	const text = new TextDecoder('utf-8', { fatal: true }).decode(openWithDataKey({ dataKey: p.dataKey, sealed: p.sealed, aad: employeeProfileAad(p.companyId, p.employeeId) }));
	const value: unknown = JSON.parse(text);
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CryptoError('malformed', 'profile is not an object');
	return value as EmployeeProfile;
}

function numberMaskAad(companyId: string, employeeId: string, submissionId: string): string {
	return `mnv:number-mask:v1:${companyId}:${employeeId}:${submissionId}`;
}

/**
 * Seals the last four digits of a verified record's number under the data key, bound to its
 * submission, so lists show 「**** **** 1234」 without releasing the record (issue 6 item 1).
 * @throws CryptoError('malformed') unless `lastFour` is four ASCII digits.
 */
export function sealNumberMask(p: { dataKey: Uint8Array; epoch: number; companyId: string; employeeId: string; submissionId: string; lastFour: string }): Uint8Array {
	if (!/^[0-9]{4}$/.test(p.lastFour)) throw new CryptoError('malformed', 'a mask is four digits');
	return sealWithDataKey({ dataKey: p.dataKey, epoch: p.epoch, plaintext: utf8(p.lastFour), aad: numberMaskAad(p.companyId, p.employeeId, p.submissionId) });
}

/** Opens a sealed mask. @throws CryptoError('wrong_key' | 'malformed'), also for anything but four digits. */
export function openNumberMask(p: { dataKey: Uint8Array; sealed: Uint8Array; companyId: string; employeeId: string; submissionId: string }): string {
	const text = new TextDecoder('utf-8', { fatal: true }).decode(openWithDataKey({ dataKey: p.dataKey, sealed: p.sealed, aad: numberMaskAad(p.companyId, p.employeeId, p.submissionId) }));
	if (!/^[0-9]{4}$/.test(text)) throw new CryptoError('malformed', 'a mask is four digits');
	return text;
}
