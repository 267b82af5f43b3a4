/**
 * Tamper tests (CRYPTO.md "Tests that prove it"): what a malicious server or a damaged backup can
 * do to manifests, grants, envelopes and data-key blobs, and the exact CryptoError each must
 * produce. Every case asserts a code (and where it matters the message), never just "throws".
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { Encrypter } from 'age-encryption';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	canonicalJson,
	createManifest,
	CryptoError,
	encodeRecord,
	fromBase64Url,
	generateCompanyKeys,
	generateEpochKeys,
	generateHandlerKeys,
	generateSigningKeyPair,
	manifestHash,
	openDeviceSecret,
	openEmployeeName,
	openEnvelope,
	openEpochGrant,
	sealDeviceSecret,
	sealEmployeeName,
	sealEnvelope,
	sealEpochGrant,
	sha256Hex,
	toBase64Url,
	utf8,
	verifyManifestChain,
	type CompanyKeys,
	type EnvelopeContext,
	type EpochKeys,
	type HandlerKeys,
	type SignedManifest
} from './index';
import type { SigningKeyPair } from './signing';

/** The CryptoError a call fails with; any other outcome (success, another error type) fails the test. */
async function failure(fn: () => unknown): Promise<CryptoError> {
	try {
		await fn();
	} catch (error) {
		if (error instanceof CryptoError) return error;
		throw error;
	}
	throw new Error('expected a CryptoError, but the call succeeded');
}

async function codeOf(fn: () => unknown): Promise<string> {
	return (await failure(fn)).code;
}

const COMPANY = 'company-t';
let company: CompanyKeys;
let epochs: EpochKeys[];
let chain: SignedManifest[];
let granter: HandlerKeys;
let handler: HandlerKeys;

function manifest(root: SigningKeyPair, e: EpochKeys, previous: SignedManifest | null, overrides: { previousManifestHash?: string | null } = {}): SignedManifest {
	return createManifest(root, {
		companyId: COMPANY,
		epoch: e.epoch,
		recipient: e.recipient,
		signingPublicKey: toBase64Url(e.signing.publicKey),
		previousManifestHash: 'previousManifestHash' in overrides ? overrides.previousManifestHash! : previous ? manifestHash(previous) : null,
		createdAt: `2026-11-2${e.epoch}T00:00:00.000Z`
	});
}

beforeAll(async () => {
	company = await generateCompanyKeys(COMPANY);
	epochs = [company.epochs[0]!, await generateEpochKeys(2), await generateEpochKeys(3)];
	chain = [];
	for (const e of epochs) chain.push(manifest(company.root, e, chain.at(-1) ?? null));
	[granter, handler] = await Promise.all([generateHandlerKeys(), generateHandlerKeys()]);
});

describe('manifest chain', () => {
	const verify = (c: SignedManifest[], minEpoch?: number) => verifyManifestChain(company.root.publicKey, c, { companyId: COMPANY, ...(minEpoch ? { minEpoch } : {}) });

	it('accepts the honest chain (baseline for the cases below)', () => {
		expect(verify(chain, 3).epoch).toBe(3);
		expect(verify(chain, 3).recipient).toBe(epochs[2]!.recipient);
	});

	it('refuses a chain that omits the newest manifest when the caller knows a newer epoch', async () => {
		for (const shortened of [chain.slice(0, 2), chain.slice(0, 1)]) {
			const error = await failure(() => verify(shortened, 3));
			expect(error.code).toBe('rollback');
			expect(error.message).toBe('manifest chain is older than one seen before');
		}
	});

	it('refuses an older manifest replayed as the latest', async () => {
		for (const replayed of [
			[...chain, chain[1]!],
			[...chain, chain[0]!],
			[chain[0]!, chain[1]!, chain[0]!],
			[chain[1]!, chain[0]!]
		]) {
			const error = await failure(() => verify(replayed, 3));
			expect(error.code).toBe('rollback');
			expect(error.message).toBe('manifest epochs are not consecutive');
		}
		// An older manifest alone, signed by the right root and otherwise valid.
		expect(await codeOf(() => verify([chain[1]!], 2))).toBe('rollback');
	});

	it('refuses a broken previousManifestHash link, however it is broken', async () => {
		const cases: (string | null)[] = [null, manifestHash(chain[1]!), manifestHash(chain[0]!).toUpperCase(), sha256Hex('')];
		for (const previousManifestHash of cases) {
			const broken = manifest(company.root, epochs[1]!, chain[0]!, { previousManifestHash });
			const error = await failure(() => verify([chain[0]!, broken]));
			expect(error.code).toBe('rollback');
			expect(error.message).toBe('manifest chain link broken');
		}
		// The first manifest must not claim a predecessor either.
		expect(await codeOf(() => verify([manifest(company.root, epochs[0]!, null, { previousManifestHash: manifestHash(chain[2]!) })]))).toBe('rollback');
		await fc.assert(
			fc.asyncProperty(fc.stringMatching(/^[0-9a-f]{64}$/), async (previousManifestHash) => {
				fc.pre(previousManifestHash !== manifestHash(chain[1]!));
				const broken = manifest(company.root, epochs[2]!, chain[1]!, { previousManifestHash });
				expect(await codeOf(() => verify([chain[0]!, chain[1]!, broken]))).toBe('rollback');
			}),
			{ numRuns: 50 }
		);
	});

	it('refuses a manifest signed by another root, alone or appended to the honest chain', async () => {
		const impostor = generateSigningKeyPair();
		const forgedChain: SignedManifest[] = [];
		for (const e of epochs) forgedChain.push(manifest(impostor, e, forgedChain.at(-1) ?? null));
		for (const c of [forgedChain, [forgedChain[0]!], [...chain.slice(0, 2), manifest(impostor, epochs[2]!, chain[1]!)]]) {
			const error = await failure(() => verify(c));
			expect(error.code).toBe('bad_signature');
			expect(error.message).toBe('manifest not signed by the company root key');
		}
		// The honest chain does not verify under the impostor's key either.
		expect(await codeOf(() => verifyManifestChain(impostor.publicKey, chain, { companyId: COMPANY }))).toBe('bad_signature');
	});

	it('refuses a bit flipped anywhere in a manifest body or its signature', async () => {
		await fc.assert(
			fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 }), async (at, bit, which) => {
				const m = chain[which]!;
				const i = at % m.body.length;
				const body = m.body.slice(0, i) + String.fromCharCode(m.body.charCodeAt(i) ^ (1 << bit)) + m.body.slice(i + 1);
				const c = chain.slice(0, which + 1);
				c[which] = { ...m, body };
				expect(await codeOf(() => verify(c))).toBe('bad_signature');
			}),
			{ numRuns: 50 }
		);
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 7 }), async (byte, bit) => {
				const signature = fromBase64Url(chain[2]!.signature);
				signature[byte]! ^= 1 << bit;
				const c = [...chain.slice(0, 2), { ...chain[2]!, signature: toBase64Url(signature) }];
				expect(await codeOf(() => verify(c))).toBe('bad_signature');
			}),
			{ numRuns: 50 }
		);
		expect(await codeOf(() => verify([{ ...chain[0]!, signature: 'not base64url!' }]))).toBe('bad_signature');
		expect(await codeOf(() => verify([{ ...chain[0]!, signature: '' }]))).toBe('bad_signature');
	});
});

describe('grants', () => {
	const open = (g: { ciphertext: Uint8Array; signature: string }, over: Partial<Parameters<typeof openEpochGrant>[0]> = {}) =>
		openEpochGrant({ companyId: COMPANY, epoch: 1, ...g, granterPublicKey: granter.signing.publicKey, handler, ...over });

	it('opens an honest grant (baseline)', async () => {
		const g = await sealEpochGrant({ companyId: COMPANY, epoch: epochs[0]!, toRecipient: handler.recipient, granter: granter.signing });
		expect((await open(g)).identity).toBe(epochs[0]!.identity);
	});

	it('refuses a grant signed by someone who is not the expected granter', async () => {
		const stranger = generateSigningKeyPair();
		// The stranger (say, the server with a key of its own) seals real-looking keys to the handler.
		const forged = await sealEpochGrant({ companyId: COMPANY, epoch: await generateEpochKeys(1), toRecipient: handler.recipient, granter: stranger });
		const error = await failure(() => open(forged));
		expect(error.code).toBe('bad_signature');
		expect(error.message).toBe('grant not signed by the named granter');
		// An honest ciphertext with the signature replaced by the stranger's over the same statement.
		const honest = await sealEpochGrant({ companyId: COMPANY, epoch: epochs[0]!, toRecipient: handler.recipient, granter: granter.signing });
		const statement = canonicalJson({ v: 1, kind: 'epoch-grant', companyId: COMPANY, epoch: 1, toRecipient: handler.recipient, ciphertextHash: sha256Hex(honest.ciphertext) });
		const restamped = toBase64Url(ed25519.sign(utf8(statement), stranger.secretKey));
		expect(await codeOf(() => open({ ...honest, signature: restamped }))).toBe('bad_signature');
		// The granter's own key signing a grant made for another handler.
		const other = await generateHandlerKeys();
		const forOther = await sealEpochGrant({ companyId: COMPANY, epoch: epochs[0]!, toRecipient: other.recipient, granter: granter.signing });
		expect(await codeOf(() => open(forOther))).toBe('bad_signature');
		expect(await codeOf(() => open({ ...honest, signature: 'garbage!' }))).toBe('bad_signature');
	});

	it('refuses a grant whose ciphertext was swapped, presented for another epoch, truncated or bit-flipped', async () => {
		const g1 = await sealEpochGrant({ companyId: COMPANY, epoch: epochs[0]!, toRecipient: handler.recipient, granter: granter.signing });
		const g2 = await sealEpochGrant({ companyId: COMPANY, epoch: epochs[1]!, toRecipient: handler.recipient, granter: granter.signing });
		expect(await codeOf(() => open({ ciphertext: g2.ciphertext, signature: g1.signature }))).toBe('bad_signature');
		expect(await codeOf(() => open(g1, { epoch: 2 }))).toBe('bad_signature');
		expect(await codeOf(() => open(g2, { epoch: 1 }))).toBe('bad_signature');
		expect(await codeOf(() => open(g1, { companyId: 'company-u' }))).toBe('bad_signature');
		await fc.assert(
			fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (at, bit, truncate) => {
				const ciphertext = truncate ? g1.ciphertext.slice(0, at % g1.ciphertext.length) : g1.ciphertext.slice();
				if (!truncate) ciphertext[at % ciphertext.length]! ^= 1 << bit;
				expect(await codeOf(() => open({ ciphertext, signature: g1.signature }))).toBe('bad_signature');
			}),
			{ numRuns: 50 }
		);
	});
});

describe('envelopes', () => {
	const context: EnvelopeContext = { companyId: COMPANY, epoch: 1, employeeId: 'emp-1', submissionId: 'sub-1', itemKind: 'record', itemIndex: 0 };
	const payload = encodeRecord({ myNumber: '123456789018', name: '見本　太郎' });
	let device: SigningKeyPair;
	let signed: Uint8Array;
	let devicePublicKey: string;
	/** Where the age header ends (after the `--- <mac>\n` line): the STREAM nonce starts here. */
	let macEnd: number;

	const open = (ciphertext: Uint8Array, over: { expected?: EnvelopeContext; identities?: string[]; devicePublicKey?: string } = {}) =>
		openEnvelope({ identities: over.identities ?? [epochs[0]!.identity], ciphertext, expected: over.expected ?? context, devicePublicKey: over.devicePublicKey ?? devicePublicKey });

	/** What anyone who knows the epoch's public recipient (the server) can seal: any header, any signature bytes. */
	async function forge(header: Record<string, unknown>, signature: Uint8Array, body: Uint8Array): Promise<Uint8Array> {
		const headerBytes = utf8(canonicalJson(header));
		const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
		const e = new Encrypter();
		e.addRecipient(epochs[0]!.recipient);
		return e.encrypt(new Uint8Array([...utf8('MNV1'), ...u32(headerBytes.length), ...headerBytes, ...u32(signature.length), ...signature, ...body]));
	}
	const honestHeader = () => ({ v: 1, ...context, createdAt: '2026-11-23T00:00:00.000Z', siblingHashes: [], payloadHash: sha256Hex(payload), devicePublicKey });

	beforeAll(async () => {
		device = generateSigningKeyPair();
		devicePublicKey = toBase64Url(device.publicKey);
		signed = await sealEnvelope({ recipient: epochs[0]!.recipient, context, payload, device });
		const text = new TextDecoder('latin1').decode(signed);
		macEnd = text.indexOf('\n', text.indexOf('\n--- ') + 1) + 1;
	});

	it('opens the honest envelope and a faithful forgery of its layout (baseline)', async () => {
		const opened = await open(signed);
		expect(opened.deviceVerified).toBe(true);
		expect(opened.payload).toEqual(payload);
		// forge() is faithful: with the device's real signature the forged file opens, so the refusals below are about the signature.
		const headerBytes = utf8(canonicalJson(honestHeader()));
		expect((await open(await forge(honestHeader(), ed25519.sign(headerBytes, device.secretKey), payload))).deviceVerified).toBe(true);
	});

	it('refuses a submission without a valid signature by the registered device', async () => {
		const cases: [string, Uint8Array][] = [
			['unsigned, sealed by the server', await sealEnvelope({ recipient: epochs[0]!.recipient, context, payload })],
			['signed by another device', await sealEnvelope({ recipient: epochs[0]!.recipient, context, payload, device: generateSigningKeyPair() })],
			['header names the registered device, no signature bytes', await forge(honestHeader(), new Uint8Array(0), payload)],
			['header names the registered device, random signature', await forge(honestHeader(), crypto.getRandomValues(new Uint8Array(64)), payload)],
			[
				'header names the registered device, signed by another key',
				await forge(honestHeader(), ed25519.sign(utf8(canonicalJson(honestHeader())), generateSigningKeyPair().secretKey), payload)
			]
		];
		for (const [name, ciphertext] of cases) {
			const error = await failure(() => open(ciphertext));
			expect([name, error.code, error.message]).toEqual([name, 'bad_signature', 'envelope not signed by the registered device']);
		}
		// The honest envelope, checked against another registered device.
		expect(await codeOf(() => open(signed, { devicePublicKey: toBase64Url(generateSigningKeyPair().publicKey) }))).toBe('bad_signature');
	});

	it('refuses a payload swapped under a validly signed header', async () => {
		const header = honestHeader();
		const ciphertext = await forge(header, ed25519.sign(utf8(canonicalJson(header)), device.secretKey), encodeRecord({ myNumber: '123456789000', name: '見本　太郎' }));
		const error = await failure(() => open(ciphertext));
		expect([error.code, error.message]).toEqual(['malformed', 'payload hash mismatch']);
	});

	it('refuses an envelope moved to another employee, submission, epoch, item index, kind or company', async () => {
		const moves = fc.oneof(
			fc.record({ field: fc.constant('employeeId' as const), value: fc.string({ minLength: 1 }) }),
			fc.record({ field: fc.constant('submissionId' as const), value: fc.string({ minLength: 1 }) }),
			fc.record({ field: fc.constant('companyId' as const), value: fc.string({ minLength: 1 }) }),
			fc.record({ field: fc.constant('epoch' as const), value: fc.integer({ min: 0, max: 1_000_000 }) }),
			fc.record({ field: fc.constant('itemIndex' as const), value: fc.integer({ min: 0, max: 1_000_000 }) }),
			fc.record({ field: fc.constant('itemKind' as const), value: fc.constant('image') })
		);
		await fc.assert(
			fc.asyncProperty(moves, async ({ field, value }) => {
				fc.pre(context[field] !== value);
				const error = await failure(() => open(signed, { expected: { ...context, [field]: value } }));
				expect([error.code, error.message]).toEqual(['context_mismatch', `envelope ${field} does not match the record`]);
			}),
			{ numRuns: 50 }
		);
	});

	it('refuses two items of one submission served swapped', async () => {
		const image = (i: number) => ({ ...context, itemKind: 'image' as const, itemIndex: i });
		const [first, second] = await Promise.all([1, 2].map((i) => sealEnvelope({ recipient: epochs[0]!.recipient, context: image(i), payload: utf8(`image ${i}`), device })));
		expect((await open(first!, { expected: image(1) })).payload).toEqual(utf8('image 1'));
		for (const [ciphertext, servedAs] of [[second!, image(1)], [first!, image(2)]] as const) {
			const error = await failure(() => open(ciphertext, { expected: servedAs }));
			expect([error.code, error.message]).toEqual(['context_mismatch', 'envelope itemIndex does not match the record']);
		}
	});

	it('refuses an envelope of epoch 1 served as a record of epoch 2', async () => {
		const asEpoch2 = { ...context, epoch: 2 };
		// A handler holding both epochs' identities opens it, and the header gives the move away.
		const error = await failure(() => open(signed, { expected: asEpoch2, identities: [epochs[1]!.identity, epochs[0]!.identity] }));
		expect([error.code, error.message]).toEqual(['context_mismatch', 'envelope epoch does not match the record']);
		// With only epoch 2's identity it does not open at all.
		expect(await codeOf(() => open(signed, { expected: asEpoch2, identities: [epochs[1]!.identity] }))).toBe('wrong_key');
	});

	it('refuses a truncated envelope: malformed inside the age header and nonce, wrong_key inside the payload', async () => {
		expect(macEnd).toBeGreaterThan(100);
		const expected = (n: number) => (n < macEnd + 16 ? 'malformed' : 'wrong_key');
		for (const n of [0, 1, 21, 22, macEnd - 1, macEnd, macEnd + 15, macEnd + 16, macEnd + 17, signed.length - 17, signed.length - 16, signed.length - 1]) {
			expect([n, await codeOf(() => open(signed.slice(0, n)))]).toEqual([n, expected(n)]);
		}
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: signed.length - 1 }), async (n) => {
				expect(await codeOf(() => open(signed.slice(0, n)))).toBe(expected(n));
			}),
			{ numRuns: 50 }
		);
		// Bytes appended after the final chunk are refused too.
		expect(await codeOf(() => open(new Uint8Array([...signed, 0])))).toBe('wrong_key');
	});

	it('refuses a flipped bit anywhere: wrong_key in the payload, wrong_key or malformed in the age header', async () => {
		const flip = (at: number, bit: number) => {
			const f = signed.slice();
			f[at]! ^= 1 << bit;
			return f;
		};
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: macEnd, max: signed.length - 1 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
				expect(await codeOf(() => open(flip(at, bit)))).toBe('wrong_key');
			}),
			{ numRuns: 50 }
		);
		// In the header, a flip that keeps it parseable fails the stanza unwrap or the header MAC
		// (wrong_key); one that breaks the syntax is malformed. Either way it never opens.
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: macEnd - 1 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
				expect(['malformed', 'wrong_key']).toContain(await codeOf(() => open(flip(at, bit))));
			}),
			{ numRuns: 50 }
		);
		expect(await codeOf(() => open(flip(0, 0)))).toBe('malformed');
		// Another valid base64 character in the middle of the header MAC: parseable, wrong MAC.
		const wrongMac = signed.slice();
		wrongMac[macEnd - 20] = wrongMac[macEnd - 20] === 0x41 ? 0x42 : 0x41;
		expect(await codeOf(() => open(wrongMac))).toBe('wrong_key');
	});
});

describe('data-key blobs', () => {
	const PREFIX_AND_NONCE = 1 + 4 + 24;
	let dataKey: Uint8Array;
	let name: Uint8Array;
	const sealedFor = (employeeId: string) => sealEmployeeName({ dataKey, epoch: 1, companyId: COMPANY, employeeId, name: '見本　花子' });
	const openName = (sealed: Uint8Array, over: { employeeId?: string; companyId?: string; dataKey?: Uint8Array } = {}) =>
		openEmployeeName({ dataKey: over.dataKey ?? dataKey, sealed, companyId: over.companyId ?? COMPANY, employeeId: over.employeeId ?? 'emp-1' });

	beforeAll(() => {
		dataKey = epochs[0]!.dataKey;
		name = sealedFor('emp-1');
	});

	it('opens the honest name (baseline)', () => {
		expect(openName(name)).toBe('見本　花子');
	});

	it('refuses a sealed name moved to another employee or company', async () => {
		for (const over of [{ employeeId: 'emp-2' }, { employeeId: 'emp-1 ' }, { employeeId: 'EMP-1' }, { companyId: 'company-u' }]) {
			const error = await failure(() => openName(name, over));
			expect([error.code, error.message]).toEqual(['wrong_key', 'cannot open with this data key']);
		}
		// Two employees' names swapped in the roster: each refuses the other's row.
		const other = sealedFor('emp-2');
		expect(await codeOf(() => openName(other, { employeeId: 'emp-1' }))).toBe('wrong_key');
		expect(openName(other, { employeeId: 'emp-2' })).toBe('見本　花子');
	});

	it('refuses a name relabelled to another epoch, opened with another epoch key, or used as a device secret', async () => {
		const relabelled = name.slice();
		relabelled[4] = 2;
		expect(await codeOf(() => openName(relabelled))).toBe('wrong_key');
		expect(await codeOf(() => openName(relabelled, { dataKey: epochs[1]!.dataKey }))).toBe('wrong_key');
		expect(await codeOf(() => openName(name, { dataKey: epochs[1]!.dataKey }))).toBe('wrong_key');
		// Same key, same employee, other purpose: the AAD domain keeps them apart both ways.
		expect(await codeOf(() => openDeviceSecret({ dataKey, sealed: name, companyId: COMPANY, employeeId: 'emp-1' }))).toBe('wrong_key');
		const secret = sealDeviceSecret({ dataKey, epoch: 1, companyId: COMPANY, employeeId: 'emp-1', secret: new Uint8Array(32).fill(9) });
		expect(await codeOf(() => openName(secret))).toBe('wrong_key');
	});

	it('refuses truncated and bit-flipped blobs with the exact code for where the damage is', async () => {
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
				const i = at % name.length;
				const flipped = name.slice();
				flipped[i]! ^= 1 << bit;
				// Byte 0 is the format version; everything else is authenticated (epoch via the AAD).
				expect([i, await codeOf(() => openName(flipped))]).toEqual([i, i === 0 ? 'unsupported_version' : 'wrong_key']);
			}),
			{ numRuns: 50 }
		);
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: 200 }), async (at) => {
				const n = at % name.length;
				expect([n, await codeOf(() => openName(name.slice(0, n)))]).toEqual([n, n < PREFIX_AND_NONCE + 16 ? 'malformed' : 'wrong_key']);
			}),
			{ numRuns: 50 }
		);
		expect(await codeOf(() => openName(new Uint8Array([...name, 0])))).toBe('wrong_key');
	});
});
