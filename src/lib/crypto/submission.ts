/**
 * A whole submission as the employee's browser seals it (CRYPTO.md "Envelopes"): each document
 * photo is its own sealed file, and the text record, sealed last, lists the photos' ciphertext
 * hashes in its signed header. The server completes a submission only when it holds exactly those
 * photos; the handler's browser checks each photo against the record before showing it.
 *
 * @module
 */
import { toBase64Url } from './_encoding';
import { CryptoError } from './errors';
import { encodeRecord, openEnvelope, sealEnvelope, type EnvelopeHeader } from './envelope';
import type { SigningKeyPair } from './signing';

/** One sealed item, ready to upload: index 0 is the record, 1…n the photos. */
export interface SealedItem {
	itemIndex: number;
	kind: 'record' | 'image';
	sealed: Uint8Array;
	/** SHA-256 of `sealed`, base64url: what the server must acknowledge before the outbox forgets the item. */
	sha256: string;
}

/** SHA-256 (WebCrypto) as base64url, the form the server and the record's header use. */
export async function ciphertextHash(bytes: Uint8Array): Promise<string> {
	return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

/**
 * Seals a submission: photos first (in the order given, indexes 1…n), then the record, whose
 * header's `siblingHashes` are the photos' ciphertext hashes.
 * @returns the items in upload order (photos, then the record last).
 */
export async function sealSubmission(p: {
	recipient: string;
	companyId: string;
	epoch: number;
	employeeId: string;
	submissionId: string;
	record: Record<string, unknown>;
	images: Uint8Array[];
	device?: SigningKeyPair;
}): Promise<SealedItem[]> {
	const context = { companyId: p.companyId, epoch: p.epoch, employeeId: p.employeeId, submissionId: p.submissionId };
	const createdAt = new Date().toISOString();
	const items: SealedItem[] = [];
	for (const [i, image] of p.images.entries()) {
		const sealed = await sealEnvelope({ recipient: p.recipient, context: { ...context, itemKind: 'image', itemIndex: i + 1 }, payload: image, createdAt, device: p.device });
		items.push({ itemIndex: i + 1, kind: 'image', sealed, sha256: await ciphertextHash(sealed) });
	}
	const record = await sealEnvelope({
		recipient: p.recipient,
		context: { ...context, itemKind: 'record', itemIndex: 0 },
		payload: encodeRecord(p.record),
		createdAt,
		siblingHashes: items.map((i) => i.sha256),
		device: p.device
	});
	items.push({ itemIndex: 0, kind: 'record', sealed: record, sha256: await ciphertextHash(record) });
	return items;
}

/**
 * Opens one photo of a submission whose record was already opened and verified: the photo's
 * ciphertext must be the one the record's signed header lists at that index, and its own header
 * must name the same submission and index.
 * @throws CryptoError `context_mismatch` for a photo the record does not list (swapped or replaced).
 */
export async function openSubmissionImage(p: {
	identities: string[];
	record: EnvelopeHeader;
	itemIndex: number;
	ciphertext: Uint8Array;
	devicePublicKey?: string;
}): Promise<Uint8Array> {
	if (p.record.siblingHashes[p.itemIndex - 1] !== (await ciphertextHash(p.ciphertext))) {
		throw new CryptoError('context_mismatch', 'photo is not the one the record lists');
	}
	const { companyId, epoch, employeeId, submissionId } = p.record;
	const opened = await openEnvelope({
		identities: p.identities,
		ciphertext: p.ciphertext,
		expected: { companyId, epoch, employeeId, submissionId, itemKind: 'image', itemIndex: p.itemIndex },
		devicePublicKey: p.devicePublicKey
	});
	return opened.payload;
}
