import { Decrypter, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	CryptoError,
	generateHandlerKeys,
	handlerPublicInfo,
	isAgeFile,
	PASSKEY_PRF_INPUT_B64,
	passkeyIdentity,
	passkeyPrfInput,
	toBase64Url,
	unwrapHandlerKeys,
	unwrapHandlerKeysWithPasskey,
	wrapHandlerKeysForPasskey,
	type HandlerKeys
} from './index';

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
	try {
		await (typeof promise === 'function' ? promise() : promise);
	} catch (error) {
		if (error instanceof CryptoError) return error.code;
		throw error;
	}
	throw new Error('expected a CryptoError');
}

const prfA = new Uint8Array(32).map((_, i) => i + 1);
const prfB = new Uint8Array(32).map((_, i) => 200 - i);
const CRED = 'Y3JlZGVudGlhbC0x';

describe('passkey wraps (PRF → age hybrid identity)', () => {
	let keys: HandlerKeys;
	beforeAll(async () => {
		keys = await generateHandlerKeys();
	});

	it('derives the documented identity (frozen vector, checked independently with Python hmac + bech32)', async () => {
		// HKDF-SHA256(ikm = 01..20, salt = "mynumber-vault/passkey-wrap/v1", info = credential id) =
		// 4b6f8100fb2508c311aae8c61d33fe5c8f1720131684c55c05b53fed512e5c57, bech32 "AGE-SECRET-KEY-PQ-".
		expect(PASSKEY_PRF_INPUT_B64).toBe('5g5tycuqHi3_AALcwLyYfPYX0GNUg3qRCe2G1fwqgV4');
		expect(toBase64Url(passkeyPrfInput())).toBe(PASSKEY_PRF_INPUT_B64);
		const identity = passkeyIdentity(prfA, CRED);
		expect(identity).toBe('AGE-SECRET-KEY-PQ-1FDHCZQ8MY5YVXYD2ARRP6VL7TJ83WGQNZ6ZV2HQ9K5L765FWT3TS5QFVTG');
		expect(await identityToRecipient(identity)).toMatch(/^age1pq1[0-9a-z]{1900,}$/);
	});

	it('is deterministic, and separate per PRF output and per credential', () => {
		expect(passkeyIdentity(prfA, CRED)).toBe(passkeyIdentity(new Uint8Array(prfA), CRED));
		expect(passkeyIdentity(prfB, CRED)).not.toBe(passkeyIdentity(prfA, CRED));
		expect(passkeyIdentity(prfA, CRED + 'A')).not.toBe(passkeyIdentity(prfA, CRED));
	});

	it('round-trips the handler keys, to a post-quantum hybrid recipient only', async () => {
		const wrapped = await wrapHandlerKeysForPasskey(keys, prfA, CRED);
		expect(isAgeFile(wrapped)).toBe(true);
		const header = new TextDecoder().decode(wrapped.subarray(0, 200));
		expect(header).toContain('-> mlkem768x25519 ');
		expect(header).not.toContain('-> X25519 ');
		expect(header).not.toContain('-> scrypt ');
		const opened = await unwrapHandlerKeysWithPasskey(wrapped, prfA, CRED);
		expect(opened.identity).toBe(keys.identity);
		expect(handlerPublicInfo(opened)).toEqual(handlerPublicInfo(keys));
		expect(opened.signing.secretKey).toEqual(keys.signing.secretKey);
		// A standard age decrypter opens it with the derived identity too (no private format).
		const d = new Decrypter();
		d.addIdentity(passkeyIdentity(prfA, CRED));
		expect(new TextDecoder().decode(await d.decrypt(wrapped))).toContain('"kind":"handler-keys"');
	});

	it('refuses another passkey, another credential id, an altered file and a passphrase', async () => {
		const wrapped = await wrapHandlerKeysForPasskey(keys, prfA, CRED);
		expect(await codeOf(unwrapHandlerKeysWithPasskey(wrapped, prfB, CRED))).toBe('wrong_key');
		expect(await codeOf(unwrapHandlerKeysWithPasskey(wrapped, prfA, 'b3RoZXI'))).toBe('wrong_key');
		const flipped = new Uint8Array(wrapped);
		flipped[flipped.length - 5]! ^= 0x01;
		expect(await codeOf(unwrapHandlerKeysWithPasskey(flipped, prfA, CRED))).toBe('wrong_key');
		expect(await codeOf(unwrapHandlerKeys(wrapped, 'any passphrase'))).toBe('wrong_passphrase');
	});

	it('refuses a PRF output that is not 32 bytes and a malformed credential id', async () => {
		expect(await codeOf(() => passkeyIdentity(new Uint8Array(16), CRED))).toBe('malformed');
		expect(await codeOf(() => passkeyIdentity(prfA, ''))).toBe('malformed');
		expect(await codeOf(() => passkeyIdentity(prfA, 'a/b'))).toBe('malformed');
		expect(await codeOf(wrapHandlerKeysForPasskey(keys, new Uint8Array(33), CRED))).toBe('malformed');
	});

	it('refuses an age file that is not a handler key file', async () => {
		const { Encrypter } = await import('age-encryption');
		const e = new Encrypter();
		e.addRecipient(await identityToRecipient(passkeyIdentity(prfA, CRED)));
		const other = await e.encrypt('{"v":1,"kind":"something-else"}');
		expect(await codeOf(unwrapHandlerKeysWithPasskey(other, prfA, CRED))).toBe('malformed');
	});
});
