import { describe, expect, it } from 'vitest';
import { CryptoError, deriveEmployeeKeys, fromBase64Url, generateSigningKeyPair, passkeyDeviceWrapKey, unwrapDeviceKey, wrapDeviceKey } from './index';

const COMPANY = '0b6f2f6e-6a39-4a53-9a43-7d1f1f0c1a11';
const EMPLOYEE = '5d1c1c43-9a1e-4f57-8a56-3e2f0d0c9b10';
const OTHER = '7f0c4a1e-2b3d-4c5e-8f9a-0b1c2d3e4f50';
const ids = { companyId: COMPANY, employeeId: EMPLOYEE };
// The real cost is 2^15; the properties under test do not depend on it.
const FAST = { logN: 10 };

function codeOf(run: () => unknown): string | undefined {
	try {
		run();
	} catch (error) {
		return error instanceof CryptoError ? error.code : 'other';
	}
	return undefined;
}

describe("the employee's password", () => {
	it('gives the server a sign-in key that is neither the password nor the wrapping key', async () => {
		const keys = await deriveEmployeeKeys('ひみつのパスワード1', ids, FAST);
		expect(fromBase64Url(keys.authKey)).toHaveLength(32);
		expect(keys.wrapKey).toHaveLength(32);
		expect(keys.authKey).not.toContain('ひみつ');
		expect(fromBase64Url(keys.authKey)).not.toEqual(keys.wrapKey);
		// Deterministic for the same employee, so any phone derives the same keys …
		expect((await deriveEmployeeKeys('ひみつのパスワード1', ids, FAST)).authKey).toBe(keys.authKey);
		// … full-width and half-width digits are the same password (NFKC), another employee is not.
		expect((await deriveEmployeeKeys('ひみつのパスワード１', ids, FAST)).authKey).toBe(keys.authKey);
		expect((await deriveEmployeeKeys('ひみつのパスワード1', { companyId: COMPANY, employeeId: OTHER }, FAST)).authKey).not.toBe(keys.authKey);
		await expect(deriveEmployeeKeys('', ids, FAST)).rejects.toThrow(CryptoError);
	});

	it('wraps the device key and the pinned fingerprint so that only the same password and employee open them', async () => {
		const device = generateSigningKeyPair();
		const { wrapKey } = await deriveEmployeeKeys('correct horse', ids, FAST);
		const wrapped = wrapDeviceKey({ ...ids, wrapKey, device, pinnedFingerprint: 'K4QF-7D2M', minEpoch: 2 });
		const opened = unwrapDeviceKey({ ...ids, wrapKey, wrapped });
		expect(opened.device.secretKey).toEqual(device.secretKey);
		expect(opened.device.publicKey).toEqual(device.publicKey);
		expect(opened).toMatchObject({ pinnedFingerprint: 'K4QF-7D2M', minEpoch: 2 });
		// The device key is not in the blob in the clear.
		expect(Buffer.from(wrapped).includes(Buffer.from(device.secretKey))).toBe(false);

		const wrong = await deriveEmployeeKeys('wrong horse', ids, FAST);
		expect(codeOf(() => unwrapDeviceKey({ ...ids, wrapKey: wrong.wrapKey, wrapped }))).toBe('wrong_passphrase');
		// Moved to another employee by the server: refused.
		expect(codeOf(() => unwrapDeviceKey({ companyId: COMPANY, employeeId: OTHER, wrapKey, wrapped }))).toBe('wrong_passphrase');
		const flipped = wrapped.slice();
		flipped[30] ^= 1;
		expect(codeOf(() => unwrapDeviceKey({ ...ids, wrapKey, wrapped: flipped }))).toBe('wrong_passphrase');
		expect(codeOf(() => unwrapDeviceKey({ ...ids, wrapKey, wrapped: wrapped.subarray(0, 20) }))).toBe('malformed');
		const future = wrapped.slice();
		future[0] = 2;
		expect(codeOf(() => unwrapDeviceKey({ ...ids, wrapKey, wrapped: future }))).toBe('unsupported_version');
	});

	it('keeps a letter without a fingerprint as such', async () => {
		const { wrapKey } = await deriveEmployeeKeys('pw-without-pin', ids, FAST);
		const wrapped = wrapDeviceKey({ ...ids, wrapKey, device: generateSigningKeyPair(), pinnedFingerprint: null, minEpoch: 1 });
		expect(unwrapDeviceKey({ ...ids, wrapKey, wrapped }).pinnedFingerprint).toBeNull();
	});

	it('derives a passkey wrapping key per credential from the PRF output', () => {
		const prf = new Uint8Array(32).fill(7);
		const key = passkeyDeviceWrapKey(prf, 'cred-A');
		expect(key).toHaveLength(32);
		expect(passkeyDeviceWrapKey(prf, 'cred-A')).toEqual(key);
		expect(passkeyDeviceWrapKey(prf, 'cred-B')).not.toEqual(key);
		expect(passkeyDeviceWrapKey(new Uint8Array(32).fill(8), 'cred-A')).not.toEqual(key);
		const device = generateSigningKeyPair();
		const wrapped = wrapDeviceKey({ ...ids, wrapKey: key, device, pinnedFingerprint: null, minEpoch: 1 });
		expect(unwrapDeviceKey({ ...ids, wrapKey: passkeyDeviceWrapKey(prf, 'cred-A'), wrapped }).device.publicKey).toEqual(device.publicKey);
		expect(codeOf(() => passkeyDeviceWrapKey(new Uint8Array(16), 'cred-A'))).toBe('malformed');
		expect(codeOf(() => passkeyDeviceWrapKey(prf, 'bad id!'))).toBe('malformed');
	});
});
