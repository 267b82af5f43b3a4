import { describe, expect, it } from 'vitest';
import {
	deviceRegistrationMac,
	generateDeviceSecret,
	generateSigningKeyPair,
	sealDeviceSecret,
	toBase64Url,
	type Member
} from '$lib/crypto';
import { expectedSigner, SignerRefused, type SignerTrust } from './signer';

const companyId = '11111111-1111-4111-8111-111111111111';
const employeeId = '22222222-2222-4222-8222-222222222222';

function member(userId: string, epoch: number): Member & { loginId: string; displayName: string } {
	const keys = generateSigningKeyPair();
	return { companyId, userId, role: 'staff', epoch, recipient: 'age1test', signingPublicKey: toBase64Url(keys.publicKey), loginId: userId, displayName: userId };
}

describe('expectedSigner', () => {
	const owner = member('owner', 1);
	const removed = member('removed', 1);
	const dataKey = crypto.getRandomValues(new Uint8Array(32));
	// Epoch 2 was made when `removed` lost access: its manifest lists only the owner.
	const trust: SignerTrust = {
		companyId,
		dataKeys: new Map([[1, dataKey]]),
		members: [owner, removed],
		manifests: [
			{ epoch: 1, members: ['owner'] },
			{ epoch: 2, members: ['owner'] }
		]
	};

	it('takes a handler’s key from the root-vouched statements for an epoch they held', () => {
		expect(expectedSigner(trust, employeeId, { epoch: 2, device: null, enteredBy: { userId: 'owner' } })).toEqual({
			publicKey: owner.signingPublicKey,
			enteredBy: { loginId: 'owner', displayName: 'owner' }
		});
		// Granted during epoch 1 (statement epoch 1), so epoch 1 entries by them verify even after removal.
		expect(expectedSigner(trust, employeeId, { epoch: 1, device: null, enteredBy: { userId: 'removed' } }).publicKey).toBe(removed.signingPublicKey);
	});

	it('refuses a removed handler for a newer epoch, an unknown handler, and an epoch without a manifest', () => {
		expect(() => expectedSigner(trust, employeeId, { epoch: 2, device: null, enteredBy: { userId: 'removed' } })).toThrow(SignerRefused);
		expect(() => expectedSigner(trust, employeeId, { epoch: 2, device: null, enteredBy: { userId: 'server-made-up' } })).toThrow(SignerRefused);
		expect(() => expectedSigner(trust, employeeId, { epoch: 3, device: null, enteredBy: { userId: 'owner' } })).toThrow(SignerRefused);
	});

	it('checks an employee’s device registration against the letter’s secret', () => {
		const secret = generateDeviceSecret();
		const device = generateSigningKeyPair();
		const publicKey = toBase64Url(device.publicKey);
		const registration = {
			sealedSecret: toBase64Url(sealDeviceSecret({ dataKey, epoch: 1, companyId, employeeId, secret })),
			publicKey,
			mac: deviceRegistrationMac({ secret, companyId, employeeId, devicePublicKey: publicKey })
		};
		expect(expectedSigner(trust, employeeId, { epoch: 2, device: registration, enteredBy: null })).toEqual({ publicKey, enteredBy: null });
		// A key the server swapped in has no valid MAC; no registration at all is refused too.
		const other = toBase64Url(generateSigningKeyPair().publicKey);
		expect(() => expectedSigner(trust, employeeId, { epoch: 2, device: { ...registration, publicKey: other }, enteredBy: null })).toThrow(SignerRefused);
		expect(() => expectedSigner(trust, employeeId, { epoch: 2, device: null, enteredBy: null })).toThrow(SignerRefused);
		// Bound to the employee: another employee's registration does not verify.
		expect(() => expectedSigner(trust, '33333333-3333-4333-8333-333333333333', { epoch: 2, device: registration, enteredBy: null })).toThrow(SignerRefused);
	});
});
