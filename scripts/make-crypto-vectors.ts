/**
 * `npx tsx scripts/make-crypto-vectors.ts [--force]`: writes the frozen test vectors of our own
 * crypto formats to tests/vectors/*-v1.json (see tests/vectors/README.md).
 *
 * Every key is derived from a fixed label (SHA-256 of `mnv test vector v1: <label>`), so keys,
 * canonical JSON, Ed25519 signatures (deterministic), hashes, MACs and recovery-kit lines come out
 * identical on every run. age encryption and the data-key layer's nonces are random: those
 * ciphertexts were made once, and the test only checks that they still open to what was recorded.
 *
 * Vectors are frozen. The script refuses to overwrite an existing file unless given `--force`,
 * and `--force` is only for adding a new format version deliberately, never for making a failing
 * test pass: a vector that no longer opens means a format changed and old data would not open.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bech32 } from '@scure/base';
import { Decrypter, identityToRecipient } from 'age-encryption';
import {
	canonicalJson,
	createManifest,
	deviceRegistrationMac,
	encodeRecord,
	encodeRecoveryKit,
	fingerprint,
	handlerPublicInfo,
	manifestHash,
	recoveryKitFingerprint,
	sealDeviceSecret,
	sealEmployeeName,
	sealEnvelope,
	sealEpochGrant,
	sealRootKeyGrant,
	sealWithDataKey,
	sha256Hex,
	toBase64Url,
	utf8,
	wrapHandlerKeys,
	type EnvelopeContext,
	type EpochKeys,
	type HandlerKeys,
	type SignedManifest
} from '../src/lib/crypto/index';
import { signingPublicKey, type SigningKeyPair } from '../src/lib/crypto/signing';
import { sha256 } from '@noble/hashes/sha2.js';

const OUT = join(process.cwd(), 'tests', 'vectors');
const force = process.argv.includes('--force');

/** 32 bytes fixed by a label: the only source of key material in these vectors. */
function seed(label: string): Uint8Array {
	return sha256(utf8(`mnv test vector v1: ${label}`));
}

function signingKey(label: string): SigningKeyPair {
	const secretKey = seed(label);
	return { secretKey, publicKey: signingPublicKey(secretKey) };
}

/** An age ML-KEM-768 + X25519 hybrid identity from a fixed 32-byte seed (as generateHybridIdentity encodes it). */
async function hybridIdentity(label: string): Promise<{ identity: string; recipient: string }> {
	const identity = bech32.encodeFromBytes('AGE-SECRET-KEY-PQ-', seed(label)).toUpperCase();
	return { identity, recipient: await identityToRecipient(identity) };
}

async function epochKeys(epoch: number): Promise<EpochKeys> {
	return { epoch, ...(await hybridIdentity(`epoch ${epoch} identity`)), signing: signingKey(`epoch ${epoch} signing`), dataKey: seed(`epoch ${epoch} data key`) };
}

async function handlerKeys(label: string): Promise<HandlerKeys> {
	return { ...(await hybridIdentity(`${label} identity`)), signing: signingKey(`${label} signing`) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

async function ageOpen(identity: string, ciphertext: Uint8Array): Promise<Uint8Array> {
	const d = new Decrypter();
	d.addIdentity(identity);
	return d.decrypt(ciphertext);
}

function write(name: string, value: unknown) {
	const path = join(OUT, name);
	if (existsSync(path) && !force) {
		console.log(`kept ${path} (frozen; --force only for a deliberate new version)`);
		return;
	}
	writeFileSync(path, JSON.stringify(value, null, '\t') + '\n');
	console.log(`wrote ${path}`);
}

const COMPANY = '5d1c7a52-3f0e-4c1b-9a6e-2b8f0d4e7c19';
const CREATED = '2026-11-23T09:00:00.000Z';
const GENERATED_NOTE = 'Made by scripts/make-crypto-vectors.ts (see tests/vectors/README.md). Test keys only, derived from public labels: never use them for real data. Frozen: never regenerate to make a test pass.';

async function main() {
	mkdirSync(OUT, { recursive: true });
	const root = signingKey('company root');
	const epochs = [await epochKeys(1), await epochKeys(2), await epochKeys(3)];
	const keysJson = (e: EpochKeys) => ({
		epoch: e.epoch,
		identity: e.identity,
		recipient: e.recipient,
		signingSecretKey: toBase64Url(e.signing.secretKey),
		signingPublicKey: toBase64Url(e.signing.publicKey),
		dataKey: toBase64Url(e.dataKey)
	});

	// Manifests: a chain of three epochs signed by the root.
	const chain: SignedManifest[] = [];
	const manifests = [];
	for (const e of epochs) {
		const fields = {
			companyId: COMPANY,
			epoch: e.epoch,
			recipient: e.recipient,
			signingPublicKey: toBase64Url(e.signing.publicKey),
			previousManifestHash: chain.length ? manifestHash(chain[chain.length - 1]!) : null,
			createdAt: `2026-11-2${e.epoch}T00:00:00.000Z`
		};
		const signed = createManifest(root, fields);
		chain.push(signed);
		manifests.push({ fields, body: signed.body, signature: signed.signature, hash: manifestHash(signed) });
	}
	write('manifest-v1.json', {
		format: 'root-signed epoch manifest v1 (src/lib/crypto/company.ts): body = canonicalJson({v: 1, ...fields}); signature = base64url(Ed25519(root, "mnv:manifest:v1\\n" + body)); hash = sha256hex(body + "." + signature)',
		note: GENERATED_NOTE,
		companyId: COMPANY,
		root: { secretKey: toBase64Url(root.secretKey), publicKey: toBase64Url(root.publicKey), fingerprint: fingerprint(root.publicKey) },
		epochs: epochs.map(keysJson),
		manifests
	});

	// Recovery kit of the same company.
	const kit = { companyId: COMPANY, root, epochs };
	write('kit-v1.json', {
		format: 'recovery kit entries v1 (src/lib/crypto/kit.ts); same company and keys as manifest-v1.json',
		note: GENERATED_NOTE,
		companyId: COMPANY,
		lines: encodeRecoveryKit(kit),
		fingerprint: recoveryKitFingerprint(kit)
	});

	// Envelopes: a signed text record and an unsigned image with sibling hashes.
	const device = signingKey('employee device');
	const epoch1 = epochs[0]!;
	const recordContext: EnvelopeContext = { companyId: COMPANY, epoch: 1, employeeId: 'emp-0001', submissionId: 'sub-0001', itemKind: 'record', itemIndex: 0 };
	const imageContext: EnvelopeContext = { ...recordContext, itemKind: 'image', itemIndex: 1 };
	const recordPayload = encodeRecord({ myNumber: '123456789018', name: '見本　太郎', kana: 'ミホン　タロウ', birthDate: '1990-04-01', address: '東京都千代田区霞が関1-1-1' });
	const imagePayload = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...utf8('not really a jpeg'), 0xff, 0xd9]);
	const envelopeCases = [];
	for (const c of [
		{ name: 'text record signed by the registered device', context: recordContext, payload: recordPayload, siblingHashes: [sha256Hex(imagePayload)], device },
		{ name: 'image, no device signature', context: imageContext, payload: imagePayload, siblingHashes: [sha256Hex(recordPayload)], device: undefined }
	]) {
		const ciphertext = await sealEnvelope({ recipient: epoch1.recipient, context: c.context, payload: c.payload, createdAt: CREATED, siblingHashes: c.siblingHashes, device: c.device });
		const plaintext = await ageOpen(epoch1.identity, ciphertext);
		const headerLength = new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(4);
		const headerJson = Buffer.from(plaintext.subarray(8, 8 + headerLength)).toString('utf8');
		const signatureLength = new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(8 + headerLength);
		const signature = plaintext.subarray(12 + headerLength, 12 + headerLength + signatureLength);
		envelopeCases.push({
			name: c.name,
			context: c.context,
			createdAt: CREATED,
			siblingHashes: c.siblingHashes,
			signed: c.device !== undefined,
			payloadHex: hex(c.payload),
			header: JSON.parse(headerJson),
			headerJson,
			signature: toBase64Url(signature),
			plaintextHex: hex(plaintext),
			ciphertextBase64: b64(ciphertext)
		});
	}
	write('envelope-v1.json', {
		format: "envelope v1 (src/lib/crypto/envelope.ts): age(epoch recipient, 'MNV1' | u32be len | canonicalJson(header) | u32be len | Ed25519(device, header bytes) or empty | payload)",
		note: GENERATED_NOTE,
		epoch: { identity: epoch1.identity, recipient: epoch1.recipient },
		device: { secretKey: toBase64Url(device.secretKey), publicKey: toBase64Url(device.publicKey) },
		cases: envelopeCases
	});

	// Grants: epoch 1 keys and the root key, sealed to a handler, signed by the granting handler.
	const granter = await handlerKeys('granting handler');
	const handler = await handlerKeys('receiving handler');
	const epochGrant = await sealEpochGrant({ companyId: COMPANY, epoch: epoch1, toRecipient: handler.recipient, granter: granter.signing });
	const rootGrant = await sealRootKeyGrant({ companyId: COMPANY, root, toRecipient: handler.recipient, granter: granter.signing });
	const grantJson = async (kind: string, epoch: number | null, g: { ciphertext: Uint8Array; signature: string }) => ({
		kind,
		epoch,
		statementJson: canonicalJson({ v: 1, kind, companyId: COMPANY, epoch, toRecipient: handler.recipient, ciphertextHash: sha256Hex(g.ciphertext) }),
		signature: g.signature,
		plaintextJson: Buffer.from(await ageOpen(handler.identity, g.ciphertext)).toString('utf8'),
		ciphertextBase64: b64(g.ciphertext)
	});
	write('grant-v1.json', {
		format: 'grant v1 (src/lib/crypto/grants.ts): ciphertext = age(handler recipient, canonicalJson({v, kind, companyId, epoch, ...keys})); signature = base64url(Ed25519(granter, canonicalJson({v: 1, kind, companyId, epoch, toRecipient, ciphertextHash})))',
		note: GENERATED_NOTE,
		companyId: COMPANY,
		granter: { signingSecretKey: toBase64Url(granter.signing.secretKey), signingPublicKey: toBase64Url(granter.signing.publicKey) },
		handler: { identity: handler.identity, recipient: handler.recipient, signingSecretKey: toBase64Url(handler.signing.secretKey) },
		epochKeys: keysJson(epoch1),
		root: { secretKey: toBase64Url(root.secretKey), publicKey: toBase64Url(root.publicKey) },
		epochGrant: await grantJson('epoch-grant', 1, epochGrant),
		rootGrant: await grantJson('root-grant', null, rootGrant)
	});

	// A handler's keys wrapped under a passphrase (age scrypt at logN 10, for speed).
	const passphrase = 'correct horse battery staple';
	const wrapped = await wrapHandlerKeys(handler, passphrase, { logN: 10 });
	const wrappedOpen = new Decrypter();
	wrappedOpen.addPassphrase(passphrase);
	write('handler-keys-v1.json', {
		format: 'handler key wrap v1 (src/lib/crypto/handler.ts): age scrypt(passphrase, canonicalJson({v: 1, kind: "handler-keys", identity, signingSecretKey}))',
		note: GENERATED_NOTE,
		passphrase,
		logN: 10,
		publicInfo: handlerPublicInfo(handler),
		identity: handler.identity,
		signingSecretKey: toBase64Url(handler.signing.secretKey),
		plaintextJson: Buffer.from(await wrappedOpen.decrypt(wrapped)).toString('utf8'),
		wrappedBase64: b64(wrapped)
	});

	// The data-key layer: a bare blob, a roster name and a device secret; and the registration MAC.
	const dataKey = epoch1.dataKey;
	const rawPlain = utf8('roster,row,1\n');
	const raw = sealWithDataKey({ dataKey, epoch: 1, plaintext: rawPlain, aad: 'mnv:test:v1' });
	const name = '見本　花子';
	const sealedName = sealEmployeeName({ dataKey, epoch: 1, companyId: COMPANY, employeeId: 'emp-0001', name });
	const secret = seed('device secret');
	const sealedSecret = sealDeviceSecret({ dataKey, epoch: 1, companyId: COMPANY, employeeId: 'emp-0001', secret });
	write('datakey-v1.json', {
		format: 'data-key blob v1 (src/lib/crypto/datakey.ts): 0x01 | u32be epoch | 24-byte nonce | XChaCha20-Poly1305(dataKey, nonce, plaintext, aad = utf8(aad) | 0x01 | u32be epoch)',
		note: GENERATED_NOTE,
		companyId: COMPANY,
		dataKey: toBase64Url(dataKey),
		blob: { epoch: 1, aad: 'mnv:test:v1', plaintextHex: hex(rawPlain), sealedBase64: b64(raw) },
		employeeName: { epoch: 1, employeeId: 'emp-0001', name, aad: `mnv:employee-name:v1:${COMPANY}:emp-0001`, sealedBase64: b64(sealedName) },
		deviceSecret: { epoch: 1, employeeId: 'emp-0001', secret: toBase64Url(secret), aad: `mnv:device-secret:v1:${COMPANY}:emp-0001`, sealedBase64: b64(sealedSecret) },
		deviceRegistration: {
			employeeId: 'emp-0001',
			devicePublicKey: toBase64Url(device.publicKey),
			mac: deviceRegistrationMac({ secret, companyId: COMPANY, employeeId: 'emp-0001', devicePublicKey: toBase64Url(device.publicKey) })
		}
	});

	// Canonical JSON: what every signature and hash above is computed over.
	const inputs = [
		'{"b":1,"a":[{"d":2,"c":3}],"c":null}',
		'{"z":-0,"y":1.5,"x":1e21,"w":0.1,"v":-12345678901234}',
		'{"é":"é","e":"e","E":"E","日本":"語","😀":"emoji","～":"wave"}',
		'{"quote":"\\"","backslash":"\\\\","newline":"\\n","tab":"\\t","nul":"\\u0000","ls":"\\u2028","del":"\\u007f"}',
		'[{"b":true,"a":false},[],{},"",0]',
		'{"nested":{"b":{"d":1,"c":2},"a":[3,2,1]}}'
	];
	write('canonical-json-v1.json', {
		format: 'canonicalJson (src/lib/crypto/_encoding.ts): object keys sorted by UTF-16 code units, no whitespace, numbers and strings as JSON.stringify writes them',
		note: GENERATED_NOTE,
		cases: inputs.map((input) => {
			const canonical = canonicalJson(JSON.parse(input));
			return { input, canonical, sha256: sha256Hex(canonical) };
		})
	});
}

await main();
