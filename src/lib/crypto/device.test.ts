import { describe, expect, it } from 'vitest';
import {
	CryptoError,
	deviceRegistrationMac,
	encodeRecord,
	generateDeviceSecret,
	generateEpochKeys,
	generateSigningKeyPair,
	openDeviceSecret,
	openEnvelope,
	sealDeviceSecret,
	sealEnvelope,
	toBase64Url,
	verifyDeviceRegistration
} from './index';

const COMPANY = '0b6f2f6e-6a39-4a53-9a43-7d1f1f0c1a11';
const EMPLOYEE = '5d1c1c43-9a1e-4f57-8a56-3e2f0d0c9b10';
const OTHER = '7f0c4a1e-2b3d-4c5e-8f9a-0b1c2d3e4f50';

describe('device registration', () => {
	it('verifies a registration made with the invitation secret, and nothing else', () => {
		const secret = generateDeviceSecret();
		const device = toBase64Url(generateSigningKeyPair().publicKey);
		const mac = deviceRegistrationMac({ secret, companyId: COMPANY, employeeId: EMPLOYEE, devicePublicKey: device });
		expect(verifyDeviceRegistration({ secret, companyId: COMPANY, employeeId: EMPLOYEE, devicePublicKey: device, mac })).toBe(true);
		// Another key (a server swapping in its own), another employee, another secret, garbage.
		const swapped = toBase64Url(generateSigningKeyPair().publicKey);
		expect(verifyDeviceRegistration({ secret, companyId: COMPANY, employeeId: EMPLOYEE, devicePublicKey: swapped, mac })).toBe(false);
		expect(verifyDeviceRegistration({ secret, companyId: COMPANY, employeeId: OTHER, devicePublicKey: device, mac })).toBe(false);
		expect(verifyDeviceRegistration({ secret: generateDeviceSecret(), companyId: COMPANY, employeeId: EMPLOYEE, devicePublicKey: device, mac })).toBe(false);
		expect(verifyDeviceRegistration({ secret, companyId: COMPANY, employeeId: EMPLOYEE, devicePublicKey: device, mac: '!!' })).toBe(false);
		expect(verifyDeviceRegistration({ secret, companyId: COMPANY, employeeId: EMPLOYEE, devicePublicKey: device, mac: mac.slice(0, -4) })).toBe(false);
	});

	it('keeps the secret sealed to its employee under the data key', async () => {
		const epoch = await generateEpochKeys(1);
		const secret = generateDeviceSecret();
		const sealed = sealDeviceSecret({ dataKey: epoch.dataKey, epoch: 1, companyId: COMPANY, employeeId: EMPLOYEE, secret });
		expect(openDeviceSecret({ dataKey: epoch.dataKey, sealed, companyId: COMPANY, employeeId: EMPLOYEE })).toEqual(secret);
		expect(() => openDeviceSecret({ dataKey: epoch.dataKey, sealed, companyId: COMPANY, employeeId: OTHER })).toThrow(CryptoError);
	});

	it('refuses an envelope signed by another device or not signed at all', async () => {
		const epoch = await generateEpochKeys(1);
		const device = generateSigningKeyPair();
		const context = { companyId: COMPANY, epoch: 1, employeeId: EMPLOYEE, submissionId: OTHER, itemKind: 'record' as const, itemIndex: 0 };
		const payload = encodeRecord({ myNumber: '123456789018' });
		const devicePublicKey = toBase64Url(device.publicKey);
		const signed = await sealEnvelope({ recipient: epoch.recipient, context, payload, device });
		expect((await openEnvelope({ identities: [epoch.identity], ciphertext: signed, expected: context, devicePublicKey })).deviceVerified).toBe(true);
		const forged = await sealEnvelope({ recipient: epoch.recipient, context, payload, device: generateSigningKeyPair() });
		const unsigned = await sealEnvelope({ recipient: epoch.recipient, context, payload });
		for (const ciphertext of [forged, unsigned]) {
			await expect(openEnvelope({ identities: [epoch.identity], ciphertext, expected: context, devicePublicKey })).rejects.toMatchObject({ code: 'bad_signature' });
		}
	});
});
