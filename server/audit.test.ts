import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, signCheckpoint, toBase64Url } from '../src/lib/crypto/index';
import { checkpointSignatureValid } from './audit';

describe('checkpoint signatures checked with node:crypto', () => {
	const keys = generateSigningKeyPair();
	const publicKey = toBase64Url(keys.publicKey);
	const statement = { seq: 7, head: 'c'.repeat(64), userId: '00000000-0000-4000-8000-000000000007', signedAt: '2026-11-23T10:00:00.000Z' };
	const signature = signCheckpoint(keys.secretKey, statement);

	it('accept what the browser library signed, twice (the second time from memory)', () => {
		expect(checkpointSignatureValid(publicKey, statement, signature)).toBe(true);
		expect(checkpointSignatureValid(publicKey, statement, signature)).toBe(true);
	});

	it('refuse another statement, another key, a malformed key or signature', () => {
		expect(checkpointSignatureValid(publicKey, { ...statement, head: 'd'.repeat(64) }, signature)).toBe(false);
		expect(checkpointSignatureValid(publicKey, { ...statement, seq: 8 }, signature)).toBe(false);
		expect(checkpointSignatureValid(toBase64Url(generateSigningKeyPair().publicKey), statement, signature)).toBe(false);
		expect(checkpointSignatureValid('AAAA', statement, signature)).toBe(false);
		expect(checkpointSignatureValid(publicKey, statement, 'AAAA')).toBe(false);
	});
});
