/**
 * @module Context envelopes (CRYPTO.md "Envelopes"). age has no associated data, so the context
 * travels inside the plaintext:
 *
 *   'MNV1' | u32be headerLength | canonicalJson(header) | u32be signatureLength | signature | payload
 *
 * The signature (Ed25519 over the header bytes) is empty unless a device key signs. The header
 * names the payload's SHA-256, so the signature covers the payload too.
 */
import { canonicalJson, concatBytes, fromUtf8, int, parseJsonObject, readU32be, sha256HexNative, str, toBase64Url, u32be, utf8 } from './_encoding';
import { ageDecryptWithIdentities, ageEncryptTo } from './_age';
import { CryptoError } from './errors';
import { publicKeyBytes, sign, verifySignature, type SigningKeyPair } from './signing';

export type ItemKind = 'record' | 'image';

export interface EnvelopeContext {
	companyId: string;
	epoch: number;
	employeeId: string;
	submissionId: string;
	itemKind: ItemKind;
	itemIndex: number;
}

export interface EnvelopeHeader extends EnvelopeContext {
	v: 1;
	createdAt: string;
	siblingHashes: string[];
	payloadHash: string;
	devicePublicKey?: string;
}

const MAGIC = utf8('MNV1');
const CONTEXT_FIELDS = ['companyId', 'epoch', 'employeeId', 'submissionId', 'itemKind', 'itemIndex'] as const;

/** Seals a payload with its context header to one age recipient (the company's epoch key). */
export async function sealEnvelope(p: {
	recipient: string;
	context: EnvelopeContext;
	payload: Uint8Array;
	createdAt?: string;
	siblingHashes?: string[];
	device?: SigningKeyPair;
}): Promise<Uint8Array> {
	const header: EnvelopeHeader = {
		v: 1,
		...p.context,
		createdAt: p.createdAt ?? new Date().toISOString(),
		siblingHashes: p.siblingHashes ?? [],
		payloadHash: await sha256HexNative(p.payload),
		...(p.device ? { devicePublicKey: toBase64Url(p.device.publicKey) } : {})
	};
	const headerBytes = utf8(canonicalJson(header));
	const signature = p.device ? sign(p.device.secretKey, headerBytes) : new Uint8Array(0);
	const plaintext = concatBytes(MAGIC, u32be(headerBytes.length), headerBytes, u32be(signature.length), signature, p.payload);
	return ageEncryptTo(p.recipient, plaintext);
}

function parseHeader(bytes: Uint8Array): EnvelopeHeader {
	const o = parseJsonObject(fromUtf8(bytes));
	if (int(o, 'v') !== 1) throw new CryptoError('unsupported_version');
	const kind = o.itemKind;
	if (kind !== 'record' && kind !== 'image') throw new CryptoError('malformed', 'bad itemKind');
	const siblings = o.siblingHashes;
	if (!Array.isArray(siblings) || !siblings.every((s) => typeof s === 'string')) throw new CryptoError('malformed', 'bad siblingHashes');
	const device = o.devicePublicKey;
	if (device !== undefined && typeof device !== 'string') throw new CryptoError('malformed', 'bad devicePublicKey');
	return {
		v: 1,
		companyId: str(o, 'companyId'),
		epoch: int(o, 'epoch'),
		employeeId: str(o, 'employeeId'),
		submissionId: str(o, 'submissionId'),
		itemKind: kind,
		itemIndex: int(o, 'itemIndex'),
		createdAt: str(o, 'createdAt'),
		siblingHashes: siblings as string[],
		payloadHash: str(o, 'payloadHash'),
		...(device !== undefined ? { devicePublicKey: device } : {})
	};
}

/**
 * Opens an envelope and checks it belongs where it was served.
 * @throws CryptoError('wrong_key') when no identity opens it or it was altered; 'malformed' for
 *   a bad layout or payload hash; 'unsupported_version'; 'context_mismatch' naming the first field
 *   that differs from `expected` (never its value); 'bad_signature' when `devicePublicKey` is given
 *   and the envelope is not signed by that device.
 */
export async function openEnvelope(p: {
	identities: string[];
	ciphertext: Uint8Array;
	expected: EnvelopeContext;
	devicePublicKey?: string;
}): Promise<{ header: EnvelopeHeader; payload: Uint8Array; deviceVerified: boolean }> {
	const plain = await ageDecryptWithIdentities(p.identities, p.ciphertext);
	if (plain.length < 12 || MAGIC.some((b, i) => plain[i] !== b)) throw new CryptoError('malformed', 'not an envelope');
	const headerLength = readU32be(plain, 4);
	const headerEnd = 8 + headerLength;
	if (headerEnd + 4 > plain.length) throw new CryptoError('malformed', 'truncated header');
	const headerBytes = plain.subarray(8, headerEnd);
	const signatureLength = readU32be(plain, headerEnd);
	const signatureEnd = headerEnd + 4 + signatureLength;
	if (signatureEnd > plain.length) throw new CryptoError('malformed', 'truncated signature');
	const signature = plain.subarray(headerEnd + 4, signatureEnd);
	const payload = plain.slice(signatureEnd);
	const header = parseHeader(headerBytes);
	for (const field of CONTEXT_FIELDS) {
		if (header[field] !== p.expected[field]) throw new CryptoError('context_mismatch', `envelope ${field} does not match the record`);
	}
	if ((await sha256HexNative(payload)) !== header.payloadHash) throw new CryptoError('malformed', 'payload hash mismatch');
	let deviceVerified = false;
	if (p.devicePublicKey !== undefined) {
		const ok = header.devicePublicKey === p.devicePublicKey && verifySignature(publicKeyBytes(p.devicePublicKey), headerBytes, signature);
		if (!ok) throw new CryptoError('bad_signature', 'envelope not signed by the registered device');
		deviceVerified = true;
	}
	return { header, payload, deviceVerified };
}

/** UTF-8 canonical JSON of a record (the text payload of a submission). */
export function encodeRecord(value: Record<string, unknown>): Uint8Array {
	return utf8(canonicalJson(value));
}

/** @throws CryptoError('malformed') when the bytes are not a JSON object. */
export function decodeRecord(bytes: Uint8Array): Record<string, unknown> {
	return parseJsonObject(fromUtf8(bytes));
}
