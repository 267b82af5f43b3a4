/** @module Company root and epoch keys, and root-signed epoch manifests (CRYPTO.md "Keys" 1–2). */
import { generateHybridIdentity, identityToRecipient } from 'age-encryption';
import { canonicalJson, fromBase64Url, int, parseJsonObject, sha256Hex, str, toBase64Url, utf8 } from './_encoding';
import { CryptoError } from './errors';
import { generateSigningKeyPair, publicKeyBytes, sign, verifySignature, type SigningKeyPair } from './signing';

/** One epoch's keys: age identity for sealing to, Ed25519 for signing, 32-byte data key. */
export interface EpochKeys {
	epoch: number;
	identity: string;
	recipient: string;
	signing: SigningKeyPair;
	dataKey: Uint8Array;
}

export interface CompanyKeys {
	companyId: string;
	root: SigningKeyPair;
	epochs: EpochKeys[];
}

export interface Manifest {
	v: 1;
	companyId: string;
	epoch: number;
	recipient: string;
	/** base64url Ed25519 public key of the epoch. */
	signingPublicKey: string;
	previousManifestHash: string | null;
	createdAt: string;
	/**
	 * The user ids that receive this epoch's keys when it starts (sorted). Signed by the root, so a
	 * server cannot bring a removed handler back into the next rotation. Absent in manifests made
	 * before it existed.
	 */
	members?: string[];
}

/** The manifest as stored: its canonical JSON and the root's signature over those bytes. */
export interface SignedManifest {
	body: string;
	signature: string;
}

/** Fresh keys for one epoch. */
export async function generateEpochKeys(epoch: number): Promise<EpochKeys> {
	const identity = await generateHybridIdentity();
	return {
		epoch,
		identity,
		recipient: await identityToRecipient(identity),
		signing: generateSigningKeyPair(),
		dataKey: crypto.getRandomValues(new Uint8Array(32))
	};
}

/** A company's root key and epoch 1, made where the 責任者 is (the browser). */
export async function generateCompanyKeys(companyId: string): Promise<CompanyKeys> {
	return { companyId, root: generateSigningKeyPair(), epochs: [await generateEpochKeys(1)] };
}

const MANIFEST_DOMAIN = 'mnv:manifest:v1\n';

/** Signs a manifest with the company root key. */
export function createManifest(root: SigningKeyPair, m: Omit<Manifest, 'v'>): SignedManifest {
	const body = canonicalJson({ v: 1, ...m });
	return { body, signature: toBase64Url(sign(root.secretKey, utf8(MANIFEST_DOMAIN + body))) };
}

/** The link hash the next manifest names as `previousManifestHash`. */
export function manifestHash(m: SignedManifest): string {
	return sha256Hex(`${m.body}.${m.signature}`);
}

/** Reads a manifest without checking its signature. @throws CryptoError('malformed' | 'unsupported_version'). */
export function parseManifest(m: SignedManifest): Manifest {
	const o = parseJsonObject(m.body);
	if (int(o, 'v') !== 1) throw new CryptoError('unsupported_version');
	const previous = o.previousManifestHash;
	if (previous !== null && typeof previous !== 'string') throw new CryptoError('malformed', 'bad previousManifestHash');
	const members = o.members;
	if (members !== undefined && (!Array.isArray(members) || !members.every((x) => typeof x === 'string'))) throw new CryptoError('malformed', 'bad members');
	return {
		v: 1,
		companyId: str(o, 'companyId'),
		epoch: int(o, 'epoch'),
		recipient: str(o, 'recipient'),
		signingPublicKey: str(o, 'signingPublicKey'),
		previousManifestHash: previous,
		createdAt: str(o, 'createdAt'),
		...(members !== undefined ? { members: members as string[] } : {})
	};
}

/**
 * Verifies a whole manifest chain from the pinned root key and returns the latest manifest.
 * @throws CryptoError('bad_signature') when a manifest is not signed by that root or was altered;
 *   'context_mismatch' when one belongs to another company; 'rollback' when epochs do not start
 *   at 1 and rise by one, a link is broken, or the latest epoch is older than `minEpoch`;
 *   'malformed' for an empty chain or unreadable manifests.
 */
export function verifyManifestChain(
	rootPublicKey: Uint8Array | string,
	chain: SignedManifest[],
	opts: { companyId: string; minEpoch?: number }
): Manifest {
	if (chain.length === 0) throw new CryptoError('malformed', 'empty manifest chain');
	const root = publicKeyBytes(rootPublicKey);
	let previous: SignedManifest | null = null;
	let latest: Manifest | null = null;
	for (const [i, signed] of chain.entries()) {
		let signature: Uint8Array;
		try {
			signature = fromBase64Url(signed.signature);
		} catch {
			throw new CryptoError('bad_signature', 'manifest signature unreadable');
		}
		if (!verifySignature(root, utf8(MANIFEST_DOMAIN + signed.body), signature)) {
			throw new CryptoError('bad_signature', 'manifest not signed by the company root key');
		}
		const m = parseManifest(signed);
		if (m.companyId !== opts.companyId) throw new CryptoError('context_mismatch', 'manifest belongs to another company');
		if (m.epoch !== i + 1) throw new CryptoError('rollback', 'manifest epochs are not consecutive');
		const expectedPrevious = previous ? manifestHash(previous) : null;
		if (m.previousManifestHash !== expectedPrevious) throw new CryptoError('rollback', 'manifest chain link broken');
		previous = signed;
		latest = m;
	}
	if (opts.minEpoch !== undefined && latest!.epoch < opts.minEpoch) {
		throw new CryptoError('rollback', 'manifest chain is older than one seen before');
	}
	return latest!;
}
