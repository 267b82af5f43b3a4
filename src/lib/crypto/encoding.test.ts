import { describe, expect, it } from 'vitest';
import { createManifest, fromBase64Url, generateSigningKeyPair, toBase64Url, verifyManifestChain } from './index';

describe('base64url', () => {
	it('accepts only the canonical text of a byte string', () => {
		expect(fromBase64Url('AQ')).toEqual(new Uint8Array([1]));
		expect(() => fromBase64Url('AR')).toThrow(/non-canonical/); // same byte, nonzero unused bits
		expect(fromBase64Url('AQI')).toEqual(new Uint8Array([1, 2]));
		expect(() => fromBase64Url('AQJ')).toThrow(/non-canonical/);
		for (let n = 0; n < 40; n++) {
			const bytes = crypto.getRandomValues(new Uint8Array(n));
			expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
		}
	});

	it('so a manifest signature has one text form, and its hash-link is unique', () => {
		const root = generateSigningKeyPair();
		const companyId = '0b6f2f6e-6a39-4a53-9a43-7d1f1f0c1a11';
		const m = createManifest(root, { companyId, epoch: 1, recipient: 'age1x', signingPublicKey: 'AA', previousManifestHash: null, createdAt: '2026-11-23T00:00:00.000Z' });
		const last = m.signature.at(-1)!;
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		const twin = alphabet[alphabet.indexOf(last) | 0x03]!; // 64 bytes end in 2 characters with 4 unused bits
		expect(twin).not.toBe(last);
		const altered = { ...m, signature: m.signature.slice(0, -1) + twin };
		expect(() => verifyManifestChain(root.publicKey, [altered], { companyId })).toThrow();
		expect(verifyManifestChain(root.publicKey, [m], { companyId }).epoch).toBe(1);
	});
});
