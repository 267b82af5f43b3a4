/**
 * @module Who may hold a company's keys (CRYPTO.md "Keys" 3–5; issue 3 items 3–4).
 *
 * - A **member statement** `{v, companyId, userId, role, recipient, signingPublicKey}` is signed by
 *   the company root key when a 責任者 grants access. Every browser that trusts the root can then
 *   check who the members are: a revoking 責任者 seals the next epoch only to recipients the root
 *   vouched for (not to whatever the server lists), and a grant counts only when its granter is a
 *   member with the 責任者 role.
 * - A **pin** is a member's own signature over the company's root public key, made after comparing
 *   the fingerprint out of band. It lets that member's browser trust the root (and through it the
 *   manifest chain and the member list) on later visits without asking again.
 */
import { canonicalJson, parseJsonObject, str, toBase64Url, utf8, fromBase64Url } from './_encoding';
import { CryptoError } from './errors';
import { publicKeyBytes, sign, verifySignature, type SigningKeyPair } from './signing';

export type MemberRole = 'responsible' | 'staff';

export interface Member {
	companyId: string;
	userId: string;
	role: MemberRole;
	/** The key epoch current when access was granted (absent in statements made before it existed). */
	epoch?: number;
	/** The member's age recipient: company keys are sealed to it. */
	recipient: string;
	/** The member's Ed25519 public key (base64url): their grants and pins are signed with it. */
	signingPublicKey: string;
}

const MEMBER_DOMAIN = 'mnv:member:v1\n';
const PIN_DOMAIN = 'mnv:company-pin:v1\n';

/** A member statement signed by the company root key. */
export function signMemberStatement(root: SigningKeyPair, member: Member): { statement: string; signature: string } {
	const statement = canonicalJson({ v: 1, ...member });
	return { statement, signature: toBase64Url(sign(root.secretKey, utf8(MEMBER_DOMAIN + statement))) };
}

/**
 * Checks a member statement against the company root key and the record it was served for.
 * @throws CryptoError('bad_signature') when the root did not sign it; 'context_mismatch' when it
 *   names another company or user; 'malformed' for an unreadable statement.
 */
export function verifyMemberStatement(
	rootPublicKey: Uint8Array | string,
	signed: { statement: string; signature: string },
	expected: { companyId: string; userId: string }
): Member {
	let signature: Uint8Array;
	try {
		signature = fromBase64Url(signed.signature);
	} catch {
		throw new CryptoError('bad_signature', 'member signature unreadable');
	}
	if (!verifySignature(publicKeyBytes(rootPublicKey), utf8(MEMBER_DOMAIN + signed.statement), signature)) {
		throw new CryptoError('bad_signature', 'member statement not signed by the company root');
	}
	const o = parseJsonObject(signed.statement);
	if (o.v !== 1) throw new CryptoError('unsupported_version');
	const role = o.role;
	if (role !== 'responsible' && role !== 'staff') throw new CryptoError('malformed', 'bad member role');
	const epoch = o.epoch;
	if (epoch !== undefined && (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 1)) throw new CryptoError('malformed', 'bad member epoch');
	const member: Member = {
		companyId: str(o, 'companyId'),
		userId: str(o, 'userId'),
		role,
		recipient: str(o, 'recipient'),
		signingPublicKey: str(o, 'signingPublicKey'),
		...(epoch !== undefined ? { epoch: epoch as number } : {})
	};
	if (member.companyId !== expected.companyId) throw new CryptoError('context_mismatch', 'member statement is for another company');
	if (member.userId !== expected.userId) throw new CryptoError('context_mismatch', 'member statement is for another user');
	return member;
}

function pinMessage(companyId: string, rootPublicKey: string): Uint8Array {
	return utf8(PIN_DOMAIN + canonicalJson({ v: 1, companyId, rootPublicKey }));
}

/** The member's signature pinning the company root key it compared. */
export function signCompanyPin(member: SigningKeyPair, companyId: string, rootPublicKey: string): string {
	return toBase64Url(sign(member.secretKey, pinMessage(companyId, rootPublicKey)));
}

/** Whether `signature` is the member's own pin of this root key for this company. */
export function verifyCompanyPin(memberSigningPublicKey: Uint8Array | string, companyId: string, rootPublicKey: string, signature: string): boolean {
	try {
		return verifySignature(publicKeyBytes(memberSigningPublicKey), pinMessage(companyId, rootPublicKey), fromBase64Url(signature));
	} catch {
		return false;
	}
}

/**
 * Who holds the newest epoch, from what the root signed alone: the members the latest manifest
 * names, plus those granted during that epoch (their statement names it). A removed handler is in
 * neither, whatever the server says. Returns null for a chain made before manifests named members
 * (the caller then has only the server's word).
 */
export function activeMemberIds(latest: { epoch: number; members?: string[] }, members: readonly Member[]): Set<string> | null {
	if (!latest.members) return null;
	const active = new Set(latest.members);
	for (const m of members) if (m.epoch === latest.epoch) active.add(m.userId);
	return active;
}
