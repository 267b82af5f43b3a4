/**
 * Frozen vectors of our own formats (tests/vectors/*-v1.json, made once by
 * scripts/make-crypto-vectors.ts; see tests/vectors/README.md). age ciphertexts and data-key nonces
 * are random, so those are checked by opening them; everything deterministic (canonical JSON,
 * Ed25519 signatures, hashes, MACs, kit lines, the envelope's inner plaintext) must come out byte
 * for byte. A failure here means a format changed and data sealed before would no longer open:
 * fix the code, never the vectors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Decrypter } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import {
	canonicalJson,
	createManifest,
	dataKeyEpochOf,
	deviceRegistrationMac,
	encodeRecoveryKit,
	fingerprint,
	fromBase64Url,
	handlerPublicInfo,
	manifestHash,
	openDeviceSecret,
	openEmployeeName,
	openEnvelope,
	openEpochGrant,
	openRootKeyGrant,
	openWithDataKey,
	parseManifest,
	parseRecoveryKit,
	recoveryKitFingerprint,
	sealEnvelope,
	toBase64Url,
	unwrapHandlerKeys,
	utf8,
	verifyDeviceRegistration,
	verifyManifestChain,
	verifyRecoveryKit,
	type EnvelopeContext,
	type EpochKeys,
	type HandlerKeys,
	type SignedManifest
} from './index';

/** Reads a vector file relative to the repository root (vitest runs from there). */
function vector<T>(name: string): T {
	return JSON.parse(readFileSync(join(process.cwd(), 'tests', 'vectors', name), 'utf8')) as T;
}

const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha256Hex = (b: Uint8Array | string) => toHex(sha256(typeof b === 'string' ? utf8(b) : b));

async function ageOpen(identity: string, ciphertext: Uint8Array): Promise<Uint8Array> {
	const d = new Decrypter();
	d.addIdentity(identity);
	return d.decrypt(ciphertext);
}

interface EpochJson {
	epoch: number;
	identity: string;
	recipient: string;
	signingSecretKey: string;
	signingPublicKey: string;
	dataKey: string;
}

function epochKeys(e: EpochJson): EpochKeys {
	return {
		epoch: e.epoch,
		identity: e.identity,
		recipient: e.recipient,
		signing: { secretKey: fromBase64Url(e.signingSecretKey), publicKey: fromBase64Url(e.signingPublicKey) },
		dataKey: fromBase64Url(e.dataKey)
	};
}

const manifestVectors = vector<{
	companyId: string;
	root: { secretKey: string; publicKey: string; fingerprint: string };
	epochs: EpochJson[];
	manifests: { fields: Parameters<typeof createManifest>[1]; body: string; signature: string; hash: string }[];
}>('manifest-v1.json');

describe('canonical JSON vectors', () => {
	const v = vector<{ cases: { input: string; canonical: string; sha256: string }[] }>('canonical-json-v1.json');

	it.each(v.cases.map((c) => [c.input, c] as const))('%s', (_input, c) => {
		expect(canonicalJson(JSON.parse(c.input))).toBe(c.canonical);
		expect(sha256Hex(c.canonical)).toBe(c.sha256);
	});
});

describe('manifest vectors', () => {
	const v = manifestVectors;
	const root = { secretKey: fromBase64Url(v.root.secretKey), publicKey: fromBase64Url(v.root.publicKey) };
	const chain: SignedManifest[] = v.manifests.map((m) => ({ body: m.body, signature: m.signature }));

	it('derive the recorded root public key and fingerprint', () => {
		expect(toBase64Url(ed25519.getPublicKey(root.secretKey))).toBe(v.root.publicKey);
		expect(fingerprint(root.publicKey)).toBe(v.root.fingerprint);
	});

	it('sign to the same body and signature byte for byte, and hash to the recorded link', () => {
		expect(v.manifests).toHaveLength(3);
		for (const m of v.manifests) {
			expect(createManifest(root, m.fields)).toEqual({ body: m.body, signature: m.signature });
			expect(m.body).toBe(canonicalJson({ v: 1, ...m.fields }));
			// Independently of the module: the domain prefix and the link hash.
			expect(ed25519.verify(fromBase64Url(m.signature), utf8('mnv:manifest:v1\n' + m.body), root.publicKey)).toBe(true);
			expect(manifestHash({ body: m.body, signature: m.signature })).toBe(m.hash);
			expect(sha256Hex(`${m.body}.${m.signature}`)).toBe(m.hash);
			expect(parseManifest(m)).toEqual({ v: 1, ...m.fields });
		}
		expect(v.manifests[1]!.fields.previousManifestHash).toBe(v.manifests[0]!.hash);
		expect(v.manifests[2]!.fields.previousManifestHash).toBe(v.manifests[1]!.hash);
	});

	it('verify as a chain from the recorded root', () => {
		const latest = verifyManifestChain(v.root.publicKey, chain, { companyId: v.companyId, minEpoch: 3 });
		expect(latest).toEqual({ v: 1, ...v.manifests[2]!.fields });
		expect(latest.recipient).toBe(v.epochs[2]!.recipient);
	});
});

describe('recovery kit vectors', () => {
	const v = vector<{ companyId: string; lines: string[]; fingerprint: string }>('kit-v1.json');
	const m = manifestVectors;

	it('encode the recorded keys to the recorded lines and parse back', async () => {
		const kit = {
			companyId: m.companyId,
			root: { secretKey: fromBase64Url(m.root.secretKey), publicKey: fromBase64Url(m.root.publicKey) },
			epochs: m.epochs.map(epochKeys)
		};
		expect(encodeRecoveryKit(kit)).toEqual(v.lines);
		expect(recoveryKitFingerprint(kit)).toBe(v.fingerprint);
		const parsed = await parseRecoveryKit(v.lines.join('\n'));
		expect(parsed).toEqual(kit);
		const checked = verifyRecoveryKit(parsed, {
			companyId: v.companyId,
			rootPublicKey: m.root.publicKey,
			manifests: m.manifests.map((x) => ({ body: x.body, signature: x.signature }))
		});
		expect(checked.latest.epoch).toBe(3);
		expect(checked.missingEpochs).toEqual([]);
	});
});

describe('envelope vectors', () => {
	const v = vector<{
		epoch: { identity: string; recipient: string };
		device: { secretKey: string; publicKey: string };
		cases: {
			name: string;
			context: EnvelopeContext;
			createdAt: string;
			siblingHashes: string[];
			signed: boolean;
			payloadHex: string;
			header: Record<string, unknown>;
			headerJson: string;
			signature: string;
			plaintextHex: string;
			ciphertextBase64: string;
		}[];
	}>('envelope-v1.json');
	const device = { secretKey: fromBase64Url(v.device.secretKey), publicKey: fromBase64Url(v.device.publicKey) };

	it('has a signed and an unsigned case', () => {
		expect(v.cases.map((c) => c.signed)).toEqual([true, false]);
	});

	it.each(v.cases.map((c) => [c.name, c] as const))('%s: the frozen ciphertext still opens to the recorded header and payload', async (_name, c) => {
		const ciphertext = fromB64(c.ciphertextBase64);
		expect(toHex(await ageOpen(v.epoch.identity, ciphertext))).toBe(c.plaintextHex);
		const opened = await openEnvelope({
			identities: [v.epoch.identity],
			ciphertext,
			expected: c.context,
			...(c.signed ? { devicePublicKey: v.device.publicKey } : {})
		});
		expect(opened.header).toEqual(c.header);
		expect(toHex(opened.payload)).toBe(c.payloadHex);
		expect(opened.deviceVerified).toBe(c.signed);
	});

	it.each(v.cases.map((c) => [c.name, c] as const))('%s: sealing again gives the same inner plaintext byte for byte', async (_name, c) => {
		const payload = fromHex(c.payloadHex);
		// Independently of the module: the layout, the header and the device signature.
		const headerBytes = utf8(c.headerJson);
		expect(c.headerJson).toBe(canonicalJson(c.header));
		expect(c.header).toEqual({
			v: 1,
			...c.context,
			createdAt: c.createdAt,
			siblingHashes: c.siblingHashes,
			payloadHash: sha256Hex(payload),
			...(c.signed ? { devicePublicKey: v.device.publicKey } : {})
		});
		const signature = c.signed ? ed25519.sign(headerBytes, device.secretKey) : new Uint8Array(0);
		expect(toBase64Url(signature)).toBe(c.signature);
		const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
		const layout = new Uint8Array([...utf8('MNV1'), ...u32(headerBytes.length), ...headerBytes, ...u32(signature.length), ...signature, ...payload]);
		expect(toHex(layout)).toBe(c.plaintextHex);

		const again = await sealEnvelope({
			recipient: v.epoch.recipient,
			context: c.context,
			payload,
			createdAt: c.createdAt,
			siblingHashes: c.siblingHashes,
			...(c.signed ? { device } : {})
		});
		expect(again).not.toEqual(fromB64(c.ciphertextBase64));
		expect(toHex(await ageOpen(v.epoch.identity, again))).toBe(c.plaintextHex);
	});
});

describe('grant vectors', () => {
	const v = vector<{
		companyId: string;
		granter: { signingSecretKey: string; signingPublicKey: string };
		handler: { identity: string; recipient: string; signingSecretKey: string };
		epochKeys: EpochJson;
		root: { secretKey: string; publicKey: string };
		epochGrant: { kind: string; epoch: number; statementJson: string; signature: string; plaintextJson: string; ciphertextBase64: string };
		rootGrant: { kind: string; epoch: null; statementJson: string; signature: string; plaintextJson: string; ciphertextBase64: string };
	}>('grant-v1.json');
	const secret = fromBase64Url(v.handler.signingSecretKey);
	const handler: HandlerKeys = { identity: v.handler.identity, recipient: v.handler.recipient, signing: { secretKey: secret, publicKey: ed25519.getPublicKey(secret) } };
	const granterSecret = fromBase64Url(v.granter.signingSecretKey);

	it('sign the recorded statement byte for byte', () => {
		for (const g of [v.epochGrant, v.rootGrant]) {
			const ciphertext = fromB64(g.ciphertextBase64);
			expect(g.statementJson).toBe(
				canonicalJson({ v: 1, kind: g.kind, companyId: v.companyId, epoch: g.epoch, toRecipient: v.handler.recipient, ciphertextHash: sha256Hex(ciphertext) })
			);
			expect(toBase64Url(ed25519.sign(utf8(g.statementJson), granterSecret))).toBe(g.signature);
		}
	});

	it('open to the recorded plaintext and keys', async () => {
		const e = fromB64(v.epochGrant.ciphertextBase64);
		expect(new TextDecoder().decode(await ageOpen(handler.identity, e))).toBe(v.epochGrant.plaintextJson);
		expect(JSON.parse(v.epochGrant.plaintextJson)).toEqual({
			v: 1,
			kind: 'epoch-grant',
			companyId: v.companyId,
			epoch: 1,
			identity: v.epochKeys.identity,
			recipient: v.epochKeys.recipient,
			signingSecretKey: v.epochKeys.signingSecretKey,
			dataKey: v.epochKeys.dataKey
		});
		const opened = await openEpochGrant({
			companyId: v.companyId,
			epoch: 1,
			ciphertext: e,
			signature: v.epochGrant.signature,
			granterPublicKey: v.granter.signingPublicKey,
			handler
		});
		expect(opened).toEqual(epochKeys(v.epochKeys));

		const r = fromB64(v.rootGrant.ciphertextBase64);
		expect(new TextDecoder().decode(await ageOpen(handler.identity, r))).toBe(v.rootGrant.plaintextJson);
		const root = await openRootKeyGrant({ companyId: v.companyId, ciphertext: r, signature: v.rootGrant.signature, granterPublicKey: v.granter.signingPublicKey, handler });
		expect(toBase64Url(root.secretKey)).toBe(v.root.secretKey);
		expect(toBase64Url(root.publicKey)).toBe(v.root.publicKey);
	});
});

describe('handler key wrap vector', () => {
	const v = vector<{
		passphrase: string;
		logN: number;
		publicInfo: { recipient: string; signingPublicKey: string; fingerprint: string };
		identity: string;
		signingSecretKey: string;
		plaintextJson: string;
		wrappedBase64: string;
	}>('handler-keys-v1.json');

	it('unwraps to the recorded keys', async () => {
		const wrapped = fromB64(v.wrappedBase64);
		expect(new TextDecoder().decode(wrapped)).toContain(`-> scrypt `);
		expect(new TextDecoder().decode(wrapped)).toMatch(new RegExp(`-> scrypt \\S+ ${v.logN}\\n`));
		const keys = await unwrapHandlerKeys(wrapped, v.passphrase);
		expect(keys.identity).toBe(v.identity);
		expect(toBase64Url(keys.signing.secretKey)).toBe(v.signingSecretKey);
		expect(handlerPublicInfo(keys)).toEqual(v.publicInfo);
		expect(v.plaintextJson).toBe(canonicalJson({ v: 1, kind: 'handler-keys', identity: v.identity, signingSecretKey: v.signingSecretKey }));
	});
});

describe('data-key vectors', () => {
	const v = vector<{
		companyId: string;
		dataKey: string;
		blob: { epoch: number; aad: string; plaintextHex: string; sealedBase64: string };
		employeeName: { epoch: number; employeeId: string; name: string; aad: string; sealedBase64: string };
		deviceSecret: { epoch: number; employeeId: string; secret: string; aad: string; sealedBase64: string };
		deviceRegistration: { employeeId: string; devicePublicKey: string; mac: string };
	}>('datakey-v1.json');
	const dataKey = fromBase64Url(v.dataKey);

	/** Recomputes a blob from its recorded nonce with @noble/ciphers directly: pins layout and AAD. */
	function reseal(sealed: Uint8Array, epoch: number, aad: string, plaintext: Uint8Array): Uint8Array {
		const prefix = new Uint8Array([1, (epoch >>> 24) & 255, (epoch >>> 16) & 255, (epoch >>> 8) & 255, epoch & 255]);
		const nonce = sealed.subarray(5, 29);
		const body = xchacha20poly1305(dataKey, nonce, new Uint8Array([...utf8(aad), ...prefix])).encrypt(plaintext);
		return new Uint8Array([...prefix, ...nonce, ...body]);
	}

	it('open the recorded blob, name and device secret', () => {
		const blob = fromB64(v.blob.sealedBase64);
		expect(dataKeyEpochOf(blob)).toBe(v.blob.epoch);
		expect(toHex(openWithDataKey({ dataKey, sealed: blob, aad: v.blob.aad }))).toBe(v.blob.plaintextHex);

		const name = fromB64(v.employeeName.sealedBase64);
		expect(openEmployeeName({ dataKey, sealed: name, companyId: v.companyId, employeeId: v.employeeName.employeeId })).toBe(v.employeeName.name);

		const secret = fromB64(v.deviceSecret.sealedBase64);
		expect(toBase64Url(openDeviceSecret({ dataKey, sealed: secret, companyId: v.companyId, employeeId: v.deviceSecret.employeeId }))).toBe(v.deviceSecret.secret);
	});

	it('are byte for byte what the documented layout and AAD give', () => {
		for (const [sealed, epoch, aad, plaintext] of [
			[fromB64(v.blob.sealedBase64), v.blob.epoch, v.blob.aad, fromHex(v.blob.plaintextHex)],
			[fromB64(v.employeeName.sealedBase64), v.employeeName.epoch, v.employeeName.aad, utf8(v.employeeName.name)],
			[fromB64(v.deviceSecret.sealedBase64), v.deviceSecret.epoch, v.deviceSecret.aad, fromBase64Url(v.deviceSecret.secret)]
		] as const) {
			expect(toHex(reseal(sealed, epoch, aad, plaintext))).toBe(toHex(sealed));
		}
		expect(v.employeeName.aad).toBe(`mnv:employee-name:v1:${v.companyId}:${v.employeeName.employeeId}`);
		expect(v.deviceSecret.aad).toBe(`mnv:device-secret:v1:${v.companyId}:${v.deviceSecret.employeeId}`);
	});

	it('give the recorded device registration MAC', () => {
		const r = v.deviceRegistration;
		const secret = fromBase64Url(v.deviceSecret.secret);
		const p = { secret, companyId: v.companyId, employeeId: r.employeeId, devicePublicKey: r.devicePublicKey };
		expect(deviceRegistrationMac(p)).toBe(r.mac);
		expect(toBase64Url(hmac(sha256, secret, utf8(`mnv:device-registration:v1:${v.companyId}:${r.employeeId}:${r.devicePublicKey}`)))).toBe(r.mac);
		expect(verifyDeviceRegistration({ ...p, mac: r.mac })).toBe(true);
	});
});
