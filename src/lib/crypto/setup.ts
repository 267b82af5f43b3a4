/**
 * @module What a 責任者's browser sends to create a company, grant its keys and remove a handler
 * (issue 2 item 3, issue 3 items 3–5): pure payload builders, used by the desk and by the tests,
 * with nothing in them the server could use to read a submission.
 */
import { toBase64Url } from './_encoding';
import { createManifest, generateCompanyKeys, generateEpochKeys, manifestHash, type CompanyKeys, type EpochKeys, type SignedManifest } from './company';
import { sealEpochGrant, sealRootKeyGrant } from './grants';
import type { HandlerKeys } from './handler';
import { signCompanyPin, signMemberStatement, type MemberRole } from './members';
import type { SigningKeyPair } from './signing';

export interface NewCompany {
	keys: CompanyKeys;
	manifest: SignedManifest;
	/** The registration payload (binary parts as base64url), without name and 法人番号. */
	payload: {
		id: string;
		rootPublicKey: string;
		manifest: SignedManifest;
		epochGrant: { ciphertext: string; signature: string };
		rootGrant: { ciphertext: string; signature: string };
		member: { statement: string; signature: string };
		pinSignature: string;
	};
}

/**
 * Makes a company's root key and epoch 1, the root-signed manifest, the creator's root-signed
 * member statement (責任者) and own pin, and seals epoch and root keys to the creator.
 */
export async function prepareNewCompany(creator: HandlerKeys & { userId: string }, opts: { companyId?: string; createdAt?: string } = {}): Promise<NewCompany> {
	const companyId = opts.companyId ?? crypto.randomUUID();
	const keys = await generateCompanyKeys(companyId);
	const epoch = keys.epochs[0]!;
	const rootPublicKey = toBase64Url(keys.root.publicKey);
	const manifest = createManifest(keys.root, {
		companyId,
		epoch: epoch.epoch,
		recipient: epoch.recipient,
		signingPublicKey: toBase64Url(epoch.signing.publicKey),
		previousManifestHash: null,
		createdAt: opts.createdAt ?? new Date().toISOString(),
		members: [creator.userId]
	});
	const granter = creator.signing;
	const epochGrant = await sealEpochGrant({ companyId, epoch, toRecipient: creator.recipient, granter });
	const rootGrant = await sealRootKeyGrant({ companyId, root: keys.root, toRecipient: creator.recipient, granter });
	const member = signMemberStatement(keys.root, {
		companyId,
		userId: creator.userId,
		role: 'responsible',
		epoch: 1,
		recipient: creator.recipient,
		signingPublicKey: toBase64Url(creator.signing.publicKey)
	});
	return {
		keys,
		manifest,
		payload: {
			id: companyId,
			rootPublicKey,
			manifest,
			epochGrant: { ciphertext: toBase64Url(epochGrant.ciphertext), signature: epochGrant.signature },
			rootGrant: { ciphertext: toBase64Url(rootGrant.ciphertext), signature: rootGrant.signature },
			member,
			pinSignature: signCompanyPin(creator.signing, companyId, rootPublicKey)
		}
	};
}

/**
 * What a 責任者 sends to grant a company's keys to another handler: the root-signed member
 * statement, every epoch's keys sealed to the new handler (and the root key for a 責任者), each
 * signed by the granter. The candidate's keys are the ones whose fingerprint the two compared.
 */
export async function prepareGrant(p: {
	companyId: string;
	root: SigningKeyPair;
	/** Every epoch's keys; the newest is the epoch the member statement names. */
	epochs: EpochKeys[];
	granter: HandlerKeys;
	candidate: { userId: string; recipient: string; signingPublicKey: string };
	role: MemberRole;
}) {
	const epoch = Math.max(...p.epochs.map((e) => e.epoch));
	const member = signMemberStatement(p.root, { companyId: p.companyId, userId: p.candidate.userId, role: p.role, epoch, recipient: p.candidate.recipient, signingPublicKey: p.candidate.signingPublicKey });
	const epochGrants = [];
	for (const epoch of [...p.epochs].sort((a, b) => a.epoch - b.epoch)) {
		const g = await sealEpochGrant({ companyId: p.companyId, epoch, toRecipient: p.candidate.recipient, granter: p.granter.signing });
		epochGrants.push({ epoch: epoch.epoch, ciphertext: toBase64Url(g.ciphertext), signature: g.signature });
	}
	const root = p.role === 'responsible' ? await sealRootKeyGrant({ companyId: p.companyId, root: p.root, toRecipient: p.candidate.recipient, granter: p.granter.signing }) : null;
	return {
		companyId: p.companyId,
		userId: p.candidate.userId,
		role: p.role,
		member,
		epochGrants,
		rootGrant: root ? { ciphertext: toBase64Url(root.ciphertext), signature: root.signature } : null
	};
}

/**
 * What a 責任者 sends to remove a handler (CRYPTO.md "Keys" 5): the next epoch's keys, a manifest
 * signed by the root that links to the current one, and the new keys sealed to each remaining
 * member, whose recipients must come from member statements the root signed.
 */
export async function prepareRevocation(p: {
	companyId: string;
	root: SigningKeyPair;
	current: SignedManifest;
	currentEpoch: number;
	granter: HandlerKeys;
	remaining: { userId: string; recipient: string }[];
	removedUserId: string;
}) {
	const epoch = await generateEpochKeys(p.currentEpoch + 1);
	const manifest = createManifest(p.root, {
		companyId: p.companyId,
		epoch: epoch.epoch,
		recipient: epoch.recipient,
		signingPublicKey: toBase64Url(epoch.signing.publicKey),
		previousManifestHash: manifestHash(p.current),
		createdAt: new Date().toISOString(),
		members: p.remaining.map((m) => m.userId).sort()
	});
	const grants = [];
	for (const m of p.remaining) {
		const g = await sealEpochGrant({ companyId: p.companyId, epoch, toRecipient: m.recipient, granter: p.granter.signing });
		grants.push({ userId: m.userId, ciphertext: toBase64Url(g.ciphertext), signature: g.signature });
	}
	return { epoch, payload: { companyId: p.companyId, userId: p.removedUserId, manifest, grants } };
}
