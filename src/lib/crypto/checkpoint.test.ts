import { describe, expect, it } from 'vitest';
import { CryptoError, generateSigningKeyPair, openNumberMask, sealNumberMask, signCheckpoint, verifyCheckpoint } from './index';

describe('audit checkpoints', () => {
	const keys = generateSigningKeyPair();
	const statement = { seq: 42, head: 'a'.repeat(64), userId: '00000000-0000-4000-8000-000000000001', signedAt: '2026-11-23T01:02:03.000Z' };

	it('verify under the signer key and nothing else', () => {
		const signature = signCheckpoint(keys.secretKey, statement);
		expect(verifyCheckpoint(keys.publicKey, statement, signature)).toBe(true);
		expect(verifyCheckpoint(generateSigningKeyPair().publicKey, statement, signature)).toBe(false);
	});

	it('refuse any changed field: a rewritten head, another count, another signer, another time', () => {
		const signature = signCheckpoint(keys.secretKey, statement);
		expect(verifyCheckpoint(keys.publicKey, { ...statement, head: 'b'.repeat(64) }, signature)).toBe(false);
		expect(verifyCheckpoint(keys.publicKey, { ...statement, seq: 41 }, signature)).toBe(false);
		expect(verifyCheckpoint(keys.publicKey, { ...statement, userId: '00000000-0000-4000-8000-000000000002' }, signature)).toBe(false);
		expect(verifyCheckpoint(keys.publicKey, { ...statement, signedAt: '2026-11-24T01:02:03.000Z' }, signature)).toBe(false);
	});

	it('answer false, not throw, for malformed keys and signatures', () => {
		expect(verifyCheckpoint('not base64!', statement, signCheckpoint(keys.secretKey, statement))).toBe(false);
		expect(verifyCheckpoint(keys.publicKey, statement, '***')).toBe(false);
		expect(verifyCheckpoint(keys.publicKey, statement, '')).toBe(false);
	});
});

describe('number masks', () => {
	const dataKey = new Uint8Array(32).fill(3);
	const at = { companyId: 'c', employeeId: 'e', submissionId: 's' };

	it('round-trip four digits bound to their submission', () => {
		const sealed = sealNumberMask({ dataKey, epoch: 2, ...at, lastFour: '0123' });
		expect(openNumberMask({ dataKey, sealed, ...at })).toBe('0123');
		expect(() => openNumberMask({ dataKey, sealed, ...at, submissionId: 't' })).toThrow(CryptoError);
		expect(() => openNumberMask({ dataKey, sealed, ...at, employeeId: 'f' })).toThrow(CryptoError);
	});

	it('hold four digits only, never a whole number', () => {
		expect(() => sealNumberMask({ dataKey, epoch: 2, ...at, lastFour: '123456789012' })).toThrow(CryptoError);
		expect(() => sealNumberMask({ dataKey, epoch: 2, ...at, lastFour: '12a4' })).toThrow(CryptoError);
	});
});
