import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	canonicalJson,
	createManifest,
	CryptoError,
	dataKeyEpochOf,
	decodeRecord,
	encodeRecord,
	fingerprint,
	generateCompanyKeys,
	generateEpochKeys,
	generateHandlerKeys,
	generateSigningKeyPair,
	handlerPublicInfo,
	isAgeFile,
	manifestHash,
	openEnvelope,
	openEmployeeName,
	openEpochGrant,
	openRootKeyGrant,
	openWithDataKey,
	sealEnvelope,
	sealEmployeeName,
	sealEpochGrant,
	sealRootKeyGrant,
	sealWithDataKey,
	toBase64Url,
	fromBase64Url,
	unwrapHandlerKeys,
	utf8,
	verifyManifestChain,
	wrapHandlerKeys,
	type CompanyKeys,
	type EnvelopeContext,
	type HandlerKeys,
	type SignedManifest
} from './index';

/** Resolves to the CryptoError code a promise (or function) fails with. */
async function codeOf(fn: () => unknown): Promise<string> {
	try {
		await fn();
	} catch (error) {
		if (error instanceof CryptoError) return error.code;
		throw error;
	}
	throw new Error('expected a CryptoError');
}

let handler: HandlerKeys;
let other: HandlerKeys;
let company: CompanyKeys;

beforeAll(async () => {
	[handler, other, company] = await Promise.all([generateHandlerKeys(), generateHandlerKeys(), generateCompanyKeys('company-a')]);
});

function manifestFor(c: CompanyKeys, epoch = c.epochs[0]!, previous: SignedManifest | null = null): SignedManifest {
	return createManifest(c.root, {
		companyId: c.companyId,
		epoch: epoch.epoch,
		recipient: epoch.recipient,
		signingPublicKey: toBase64Url(epoch.signing.publicKey),
		previousManifestHash: previous ? manifestHash(previous) : null,
		createdAt: '2026-11-23T00:00:00.000Z'
	});
}

describe('encodings', () => {
	it('writes canonical JSON whatever the key order', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null))), (o) => {
				const reversed = Object.fromEntries(Object.entries(o).reverse());
				expect(canonicalJson(reversed)).toBe(canonicalJson(o));
				expect(JSON.parse(canonicalJson(o))).toEqual(o);
			})
		);
		expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
		expect(() => canonicalJson({ a: Number.NaN })).toThrow(CryptoError);
		expect(() => canonicalJson(new Date())).toThrow(CryptoError);
	});

	it('round-trips base64url and refuses other alphabets', () => {
		fc.assert(
			fc.property(fc.uint8Array(), (b) => {
				expect(fromBase64Url(toBase64Url(b))).toEqual(b);
			})
		);
		expect(() => fromBase64Url('ab+/')).toThrow(CryptoError);
	});

	it('makes fingerprints of 8 groups of 4 base32 characters', () => {
		expect(fingerprint('age1example')).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/);
		expect(fingerprint('age1example')).not.toBe(fingerprint('age1examplf'));
	});
});

describe('handler keys', () => {
	it('wraps under a passphrase and unwraps to the same keys', async () => {
		const wrapped = await wrapHandlerKeys(handler, 'correct passphrase', { logN: 10 });
		expect(isAgeFile(wrapped)).toBe(true);
		expect(new TextDecoder().decode(wrapped)).not.toContain(handler.identity);
		const back = await unwrapHandlerKeys(wrapped, 'correct passphrase');
		expect(back.identity).toBe(handler.identity);
		expect(back.recipient).toBe(handler.recipient);
		expect(back.signing.publicKey).toEqual(handler.signing.publicKey);
		expect(handlerPublicInfo(back)).toEqual(handlerPublicInfo(handler));
	});

	it('refuses a wrong passphrase with wrong_passphrase and garbage with malformed', async () => {
		const wrapped = await wrapHandlerKeys(handler, 'correct passphrase', { logN: 10 });
		expect(await codeOf(() => unwrapHandlerKeys(wrapped, 'wrong passphrase'))).toBe('wrong_passphrase');
		expect(await codeOf(() => unwrapHandlerKeys(utf8('not an age file at all'), 'x'))).toBe('malformed');
	});
});

describe('manifests', () => {
	it('verifies a chain from the root and returns the latest epoch', async () => {
		const first = manifestFor(company);
		const second = manifestFor(company, await generateEpochKeys(2), first);
		expect(verifyManifestChain(company.root.publicKey, [first], { companyId: 'company-a' }).epoch).toBe(1);
		const latest = verifyManifestChain(toBase64Url(company.root.publicKey), [first, second], { companyId: 'company-a', minEpoch: 2 });
		expect(latest.epoch).toBe(2);
	});

	it('refuses a manifest signed by another root', async () => {
		const impostor = await generateCompanyKeys('company-a');
		expect(await codeOf(() => verifyManifestChain(company.root.publicKey, [manifestFor(impostor)], { companyId: 'company-a' }))).toBe('bad_signature');
	});

	it('refuses an altered manifest body', () => {
		const m = manifestFor(company);
		const altered = { ...m, body: m.body.replace(company.epochs[0]!.recipient, other.recipient) };
		expect(() => verifyManifestChain(company.root.publicKey, [altered], { companyId: 'company-a' })).toThrow(/not signed by the company root/);
	});

	it('refuses a manifest of another company, a rollback and a dropped link', async () => {
		const first = manifestFor(company);
		const second = manifestFor(company, await generateEpochKeys(2), first);
		const third = manifestFor(company, await generateEpochKeys(3), second);
		expect(await codeOf(() => verifyManifestChain(company.root.publicKey, [first], { companyId: 'company-b' }))).toBe('context_mismatch');
		expect(await codeOf(() => verifyManifestChain(company.root.publicKey, [first], { companyId: 'company-a', minEpoch: 2 }))).toBe('rollback');
		expect(await codeOf(() => verifyManifestChain(company.root.publicKey, [first, third], { companyId: 'company-a' }))).toBe('rollback');
		expect(await codeOf(() => verifyManifestChain(company.root.publicKey, [second], { companyId: 'company-a' }))).toBe('rollback');
		expect(await codeOf(() => verifyManifestChain(company.root.publicKey, [], { companyId: 'company-a' }))).toBe('malformed');
	});
});

describe('grants', () => {
	it('hands epoch and root keys to a handler, signed by the granter', async () => {
		const epoch = company.epochs[0]!;
		const grant = await sealEpochGrant({ companyId: 'company-a', epoch, toRecipient: handler.recipient, granter: handler.signing });
		const opened = await openEpochGrant({ companyId: 'company-a', epoch: 1, ...grant, granterPublicKey: handler.signing.publicKey, handler });
		expect(opened).toEqual(epoch);
		const root = await sealRootKeyGrant({ companyId: 'company-a', root: company.root, toRecipient: handler.recipient, granter: handler.signing });
		expect(await openRootKeyGrant({ companyId: 'company-a', ...root, granterPublicKey: toBase64Url(handler.signing.publicKey), handler })).toEqual(company.root);
	});

	it('refuses a grant signed by someone else, sealed to someone else, or for another company', async () => {
		const epoch = company.epochs[0]!;
		const grant = await sealEpochGrant({ companyId: 'company-a', epoch, toRecipient: handler.recipient, granter: handler.signing });
		const base = { companyId: 'company-a', epoch: 1, ...grant, granterPublicKey: handler.signing.publicKey, handler };
		expect(await codeOf(() => openEpochGrant({ ...base, granterPublicKey: generateSigningKeyPair().publicKey }))).toBe('bad_signature');
		expect(await codeOf(() => openEpochGrant({ ...base, handler: other }))).toBe('bad_signature');
		const forOther = await sealEpochGrant({ companyId: 'company-a', epoch, toRecipient: other.recipient, granter: handler.signing });
		expect(await codeOf(() => openEpochGrant({ ...base, ...forOther, handler: { ...handler, recipient: other.recipient } }))).toBe('wrong_key');
		expect(await codeOf(() => openEpochGrant({ ...base, companyId: 'company-b' }))).toBe('bad_signature');
		expect(await codeOf(() => openEpochGrant({ ...base, epoch: 2 }))).toBe('bad_signature');
	});
});

describe('envelopes', () => {
	const context: EnvelopeContext = { companyId: 'company-a', epoch: 1, employeeId: 'emp-1', submissionId: 'sub-1', itemKind: 'record', itemIndex: 0 };

	it('seals a record with its context and opens it where it belongs', async () => {
		const sealed = await sealEnvelope({ recipient: company.epochs[0]!.recipient, context, payload: encodeRecord({ myNumber: '123456789018' }) });
		expect(isAgeFile(sealed)).toBe(true);
		expect(new TextDecoder().decode(sealed)).not.toContain('123456789018');
		const opened = await openEnvelope({ identities: [company.epochs[0]!.identity], ciphertext: sealed, expected: context });
		expect(decodeRecord(opened.payload)).toEqual({ myNumber: '123456789018' });
		expect(opened.header).toMatchObject({ ...context, v: 1, siblingHashes: [] });
		expect(opened.deviceVerified).toBe(false);
	});

	it('refuses a ciphertext moved to another employee, company, submission, item or epoch', async () => {
		const sealed = await sealEnvelope({ recipient: company.epochs[0]!.recipient, context, payload: encodeRecord({ myNumber: '123456789018' }) });
		const open = (expected: EnvelopeContext) => openEnvelope({ identities: [company.epochs[0]!.identity], ciphertext: sealed, expected });
		for (const [field, value] of [
			['employeeId', 'emp-2'],
			['companyId', 'company-b'],
			['submissionId', 'sub-0'],
			['itemIndex', 1],
			['epoch', 2],
			['itemKind', 'image']
		] as const) {
			await expect(open({ ...context, [field]: value })).rejects.toThrow(new RegExp(`envelope ${field} does not match`));
		}
	});

	it('refuses a flipped byte and the wrong key', async () => {
		const sealed = await sealEnvelope({ recipient: company.epochs[0]!.recipient, context, payload: encodeRecord({ a: 1 }) });
		const flipped = sealed.slice();
		flipped[flipped.length - 5]! ^= 0x01;
		expect(await codeOf(() => openEnvelope({ identities: [company.epochs[0]!.identity], ciphertext: flipped, expected: context }))).toBe('wrong_key');
		expect(await codeOf(() => openEnvelope({ identities: [handler.identity], ciphertext: sealed, expected: context }))).toBe('wrong_key');
	});

	it('checks a device signature when the device is known', async () => {
		const device = generateSigningKeyPair();
		const sealed = await sealEnvelope({ recipient: company.epochs[0]!.recipient, context, payload: encodeRecord({ a: 1 }), device });
		const identities = [company.epochs[0]!.identity];
		const ok = await openEnvelope({ identities, ciphertext: sealed, expected: context, devicePublicKey: toBase64Url(device.publicKey) });
		expect(ok.deviceVerified).toBe(true);
		const stranger = toBase64Url(generateSigningKeyPair().publicKey);
		expect(await codeOf(() => openEnvelope({ identities, ciphertext: sealed, expected: context, devicePublicKey: stranger }))).toBe('bad_signature');
		const unsigned = await sealEnvelope({ recipient: company.epochs[0]!.recipient, context, payload: encodeRecord({ a: 1 }) });
		expect(await codeOf(() => openEnvelope({ identities, ciphertext: unsigned, expected: context, devicePublicKey: toBase64Url(device.publicKey) }))).toBe('bad_signature');
	});
});

describe('data-key layer', () => {
	const dataKey = new Uint8Array(32).fill(7);

	it('round-trips any bytes and records the epoch', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 2048 }), fc.string(), fc.integer({ min: 1, max: 1000 }), (plaintext, aad, epoch) => {
				const sealed = sealWithDataKey({ dataKey, epoch, plaintext, aad });
				expect(dataKeyEpochOf(sealed)).toBe(epoch);
				expect(openWithDataKey({ dataKey, sealed, aad })).toEqual(plaintext);
			}),
			{ numRuns: 50 }
		);
	});

	it('refuses a wrong aad, a wrong key, a flipped byte and a short input', async () => {
		const sealed = sealWithDataKey({ dataKey, epoch: 1, plaintext: utf8('見本　太郎'), aad: 'mnv:employee-name:v1:c:e1' });
		expect(await codeOf(() => openWithDataKey({ dataKey, sealed, aad: 'mnv:employee-name:v1:c:e2' }))).toBe('wrong_key');
		expect(await codeOf(() => openWithDataKey({ dataKey: new Uint8Array(32), sealed, aad: 'mnv:employee-name:v1:c:e1' }))).toBe('wrong_key');
		const flipped = sealed.slice();
		flipped[flipped.length - 1]! ^= 1;
		expect(await codeOf(() => openWithDataKey({ dataKey, sealed: flipped, aad: 'mnv:employee-name:v1:c:e1' }))).toBe('wrong_key');
		expect(await codeOf(() => openWithDataKey({ dataKey, sealed: sealed.slice(0, 10), aad: 'x' }))).toBe('malformed');
	});
});

describe('roster names', () => {
	it('open only under the company and employee they were sealed for', async () => {
		const dataKey = company.epochs[0]!.dataKey;
		const sealed = sealEmployeeName({ dataKey, epoch: 1, companyId: 'company-a', employeeId: 'emp-1', name: '見本　太郎' });
		expect(openEmployeeName({ dataKey, sealed, companyId: 'company-a', employeeId: 'emp-1' })).toBe('見本　太郎');
		expect(await codeOf(() => openEmployeeName({ dataKey, sealed, companyId: 'company-a', employeeId: 'emp-2' }))).toBe('wrong_key');
		expect(await codeOf(() => openEmployeeName({ dataKey, sealed, companyId: 'company-b', employeeId: 'emp-1' }))).toBe('wrong_key');
	});
});

describe('isAgeFile', () => {
	it('tells age files from plaintext, random bytes and truncated files', async () => {
		const sealed = await sealEnvelope({ recipient: company.epochs[0]!.recipient, context: { companyId: 'c', epoch: 1, employeeId: 'e', submissionId: 's', itemKind: 'record', itemIndex: 0 }, payload: utf8('x') });
		expect(isAgeFile(sealed)).toBe(true);
		expect(isAgeFile(new Uint8Array(0))).toBe(false);
		expect(isAgeFile(utf8('123456789018'))).toBe(false);
		expect(isAgeFile(crypto.getRandomValues(new Uint8Array(4096)))).toBe(false);
		const headerEnd = new TextDecoder().decode(sealed).indexOf('\n---');
		expect(isAgeFile(sealed.slice(0, headerEnd))).toBe(false);
		expect(isAgeFile(utf8('age-encryption.org/v1\n--- abc\n' + 'x'.repeat(40)))).toBe(false);
	});
});
