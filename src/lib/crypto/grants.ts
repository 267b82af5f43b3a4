/** @module Company keys sealed to one handler and signed by the granter (CRYPTO.md "Keys" 4). */
import { canonicalJson, fromBase64Url, fromUtf8, int, parseJsonObject, sha256Hex, str, toBase64Url, utf8 } from './_encoding';
import { ageDecryptWithIdentities, ageEncryptTo } from './_age';
import type { EpochKeys } from './company';
import { CryptoError } from './errors';
import type { HandlerKeys } from './handler';
import { publicKeyBytes, sign, signingPublicKey, verifySignature, type SigningKeyPair } from './signing';

type GrantKind = 'epoch-grant' | 'root-grant';

function statement(kind: GrantKind, companyId: string, epoch: number | null, toRecipient: string, ciphertext: Uint8Array): Uint8Array {
	return utf8(canonicalJson({ v: 1, kind, companyId, epoch, toRecipient, ciphertextHash: sha256Hex(ciphertext) }));
}

async function sealGrant(kind: GrantKind, companyId: string, epoch: number | null, body: Record<string, unknown>, toRecipient: string, granter: SigningKeyPair) {
	const ciphertext = await ageEncryptTo(toRecipient, utf8(canonicalJson({ v: 1, kind, companyId, epoch, ...body })));
	const signature = toBase64Url(sign(granter.secretKey, statement(kind, companyId, epoch, toRecipient, ciphertext)));
	return { ciphertext, signature };
}

async function openGrant(
	kind: GrantKind,
	p: { companyId: string; epoch: number | null; ciphertext: Uint8Array; signature: string; granterPublicKey: Uint8Array | string; handler: HandlerKeys }
): Promise<Record<string, unknown>> {
	let signature: Uint8Array;
	try {
		signature = fromBase64Url(p.signature);
	} catch {
		throw new CryptoError('bad_signature', 'grant signature unreadable');
	}
	const granter = publicKeyBytes(p.granterPublicKey);
	if (!verifySignature(granter, statement(kind, p.companyId, p.epoch, p.handler.recipient, p.ciphertext), signature)) {
		throw new CryptoError('bad_signature', 'grant not signed by the named granter');
	}
	const o = parseJsonObject(fromUtf8(await ageDecryptWithIdentities([p.handler.identity], p.ciphertext)));
	if (int(o, 'v') !== 1) throw new CryptoError('unsupported_version');
	if (o.kind !== kind || o.companyId !== p.companyId || o.epoch !== p.epoch) {
		throw new CryptoError('context_mismatch', 'grant is for another company or epoch');
	}
	return o;
}

/** Seals one epoch's keys to a handler's recipient; the granter signs what was sealed to whom. */
export async function sealEpochGrant(p: { companyId: string; epoch: EpochKeys; toRecipient: string; granter: SigningKeyPair }): Promise<{ ciphertext: Uint8Array; signature: string }> {
	return sealGrant(
		'epoch-grant',
		p.companyId,
		p.epoch.epoch,
		{
			identity: p.epoch.identity,
			recipient: p.epoch.recipient,
			signingSecretKey: toBase64Url(p.epoch.signing.secretKey),
			dataKey: toBase64Url(p.epoch.dataKey)
		},
		p.toRecipient,
		p.granter
	);
}

/**
 * Opens an epoch grant.
 * @throws CryptoError('bad_signature') before decrypting when the granter did not sign it for this
 *   handler; 'wrong_key' when it is not sealed to this handler; 'context_mismatch' for another
 *   company or epoch.
 */
export async function openEpochGrant(p: {
	companyId: string;
	epoch: number;
	ciphertext: Uint8Array;
	signature: string;
	granterPublicKey: Uint8Array | string;
	handler: HandlerKeys;
}): Promise<EpochKeys> {
	const o = await openGrant('epoch-grant', p);
	const secretKey = fromBase64Url(str(o, 'signingSecretKey'));
	const dataKey = fromBase64Url(str(o, 'dataKey'));
	if (secretKey.length !== 32 || dataKey.length !== 32) throw new CryptoError('malformed', 'bad key length');
	return {
		epoch: p.epoch,
		identity: str(o, 'identity'),
		recipient: str(o, 'recipient'),
		signing: { secretKey, publicKey: signingPublicKey(secretKey) },
		dataKey
	};
}

/** Seals the company root key to a 責任者. */
export async function sealRootKeyGrant(p: { companyId: string; root: SigningKeyPair; toRecipient: string; granter: SigningKeyPair }): Promise<{ ciphertext: Uint8Array; signature: string }> {
	return sealGrant('root-grant', p.companyId, null, { rootSecretKey: toBase64Url(p.root.secretKey) }, p.toRecipient, p.granter);
}

/** Opens a root-key grant. @throws as `openEpochGrant`. */
export async function openRootKeyGrant(p: {
	companyId: string;
	ciphertext: Uint8Array;
	signature: string;
	granterPublicKey: Uint8Array | string;
	handler: HandlerKeys;
}): Promise<SigningKeyPair> {
	const o = await openGrant('root-grant', { ...p, epoch: null });
	const secretKey = fromBase64Url(str(o, 'rootSecretKey'));
	if (secretKey.length !== 32) throw new CryptoError('malformed', 'bad key length');
	return { secretKey, publicKey: signingPublicKey(secretKey) };
}
