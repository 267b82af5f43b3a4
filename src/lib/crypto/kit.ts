/**
 * @module The recovery kit (CRYPTO.md "Recovery and exit"): a company's root key and every epoch
 * identity and data key, as short text lines that survive printing, QR codes and copy-paste.
 *
 *   MNVKIT1 ROOT <companyId> <rootSecretKey b64url> <check>
 *   MNVKIT1 EPOCH <companyId> <epoch> <age identity> <dataKey b64url> <signingSecretKey b64url> <check>
 *
 * `check` is the first 8 hex digits of SHA-256 over the entry before it, so a mistyped or
 * truncated entry is named instead of producing wrong keys. Entries may appear anywhere in a text
 * (a QR scan, a pasted PDF text, the file attached to the kit PDF); everything else is ignored.
 */
import { identityToRecipient } from 'age-encryption';
import { fromBase64Url, sha256Hex, toBase64Url } from './_encoding';
import { verifyManifestChain, type EpochKeys, type Manifest, type SignedManifest } from './company';
import { CryptoError } from './errors';
import { fingerprint, signingPublicKey, type SigningKeyPair } from './signing';

/** Everything needed to open a company's data without the server or any handler. */
export interface RecoveryKit {
	companyId: string;
	root: SigningKeyPair;
	/** Ascending by epoch, starting at 1. */
	epochs: EpochKeys[];
}

const PREFIX = 'MNVKIT1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

function withCheck(body: string): string {
	return `${body} ${sha256Hex(body).slice(0, 8)}`;
}

/** The kit's lines, root first, then each epoch. */
export function encodeRecoveryKit(kit: RecoveryKit): string[] {
	return [
		withCheck(`${PREFIX} ROOT ${kit.companyId} ${toBase64Url(kit.root.secretKey)}`),
		...kit.epochs.map((e) =>
			withCheck(`${PREFIX} EPOCH ${kit.companyId} ${e.epoch} ${e.identity} ${toBase64Url(e.dataKey)} ${toBase64Url(e.signing.secretKey)}`)
		)
	];
}

function key32(b64: string, what: string, entry: number): Uint8Array {
	let bytes: Uint8Array;
	try {
		bytes = B64URL.test(b64) ? fromBase64Url(b64) : new Uint8Array(0);
	} catch {
		bytes = new Uint8Array(0);
	}
	if (bytes.length !== 32) throw new CryptoError('malformed', `recovery kit entry ${entry}: ${what} is not a 32-byte key`);
	return bytes;
}

/** Tokens each entry has after `MNVKIT1`, including its kind and check. */
const ENTRY_TOKENS: Record<string, number> = { ROOT: 4, EPOCH: 7 };

/**
 * Reads a kit from any text that contains its entries: whitespace, line breaks (a PDF's text
 * wraps long lines) and surrounding words are ignored, so a copy-paste of the printed kit works.
 * @throws CryptoError('malformed') naming the first bad entry (1-based) and what is wrong with
 *   it, for a missing root entry, entries of two companies, a duplicate or missing epoch.
 *   Never echoes key material.
 */
export async function parseRecoveryKit(text: string): Promise<RecoveryKit> {
	let companyId: string | null = null;
	let root: SigningKeyPair | null = null;
	const epochs = new Map<number, EpochKeys>();
	const words = text.split(/\s+/);
	let entry = 0;
	for (let w = 0; w < words.length; w++) {
		if (words[w] !== PREFIX) continue;
		entry++;
		const kind = words[w + 1] ?? '';
		const count = ENTRY_TOKENS[kind];
		if (!count) throw new CryptoError('malformed', `recovery kit entry ${entry}: unknown entry kind`);
		const tokens = words.slice(w, w + 1 + count);
		w += count;
		const check = tokens.pop() ?? '';
		if (tokens.length !== count || sha256Hex(tokens.join(' ')).slice(0, 8) !== check.toLowerCase()) {
			throw new CryptoError('malformed', `recovery kit entry ${entry}: check digits do not match (mistyped or cut off)`);
		}
		const id = tokens[2]!;
		if (!UUID.test(id)) throw new CryptoError('malformed', `recovery kit entry ${entry}: bad company id`);
		if (companyId !== null && id !== companyId) throw new CryptoError('malformed', `recovery kit entry ${entry}: belongs to another company`);
		companyId = id;
		if (kind === 'ROOT') {
			const secretKey = key32(tokens[3]!, 'root key', entry);
			root = { secretKey, publicKey: signingPublicKey(secretKey) };
			continue;
		}
		const epoch = Number(tokens[3]);
		if (!Number.isSafeInteger(epoch) || epoch < 1) throw new CryptoError('malformed', `recovery kit entry ${entry}: bad epoch number`);
		if (epochs.has(epoch)) throw new CryptoError('malformed', `recovery kit entry ${entry}: epoch ${epoch} appears twice`);
		const identity = tokens[4]!;
		let recipient: string;
		try {
			recipient = await identityToRecipient(identity);
		} catch {
			throw new CryptoError('malformed', `recovery kit entry ${entry}: not an age identity`);
		}
		const dataKey = key32(tokens[5]!, 'data key', entry);
		const secretKey = key32(tokens[6]!, 'signing key', entry);
		epochs.set(epoch, { epoch, identity, recipient, dataKey, signing: { secretKey, publicKey: signingPublicKey(secretKey) } });
	}
	if (!companyId || !root) throw new CryptoError('malformed', 'recovery kit has no root key entry');
	const sorted = [...epochs.values()].sort((a, b) => a.epoch - b.epoch);
	if (sorted.length === 0) throw new CryptoError('malformed', 'recovery kit has no epoch entries');
	for (const [i, e] of sorted.entries()) {
		if (e.epoch !== i + 1) throw new CryptoError('malformed', `recovery kit lacks epoch ${i + 1}`);
	}
	return { companyId, root, epochs: sorted };
}

/**
 * Checks a kit against what a server or a backup says about the company: the root key must be the
 * company's, the manifest chain must verify from it, and every epoch in the kit must be the one its
 * manifest names.
 * @returns the latest manifest and the epochs the kit does not cover (newer than the kit).
 * @throws CryptoError('context_mismatch') for a kit of another company or a mismatching key;
 *   verifyManifestChain's errors for a bad chain.
 */
export function verifyRecoveryKit(
	kit: RecoveryKit,
	company: { companyId: string; rootPublicKey: string; manifests: SignedManifest[] }
): { latest: Manifest; missingEpochs: number[] } {
	if (kit.companyId !== company.companyId) throw new CryptoError('context_mismatch', 'recovery kit is for another company');
	if (toBase64Url(kit.root.publicKey) !== company.rootPublicKey) {
		throw new CryptoError('context_mismatch', 'recovery kit root key is not this company\'s');
	}
	const latest = verifyManifestChain(kit.root.publicKey, company.manifests, { companyId: kit.companyId });
	const missingEpochs: number[] = [];
	for (let n = 1; n <= latest.epoch; n++) {
		const manifest = verifyManifestChain(kit.root.publicKey, company.manifests.slice(0, n), { companyId: kit.companyId });
		const keys = kit.epochs.find((e) => e.epoch === n);
		if (!keys) {
			missingEpochs.push(n);
			continue;
		}
		if (keys.recipient !== manifest.recipient || toBase64Url(keys.signing.publicKey) !== manifest.signingPublicKey) {
			throw new CryptoError('context_mismatch', `recovery kit epoch ${n} does not match the company's manifest`);
		}
	}
	// A kit newer than the data (an old backup restored with a current kit) is fine: extra epochs go unused.
	return { latest, missingEpochs };
}

/** The root fingerprint printed on the kit, so a reader can tell which company it belongs to. */
export function recoveryKitFingerprint(kit: RecoveryKit): string {
	return fingerprint(kit.root.publicKey);
}
