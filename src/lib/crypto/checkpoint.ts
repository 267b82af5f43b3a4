/**
 * @module Signed checkpoints of the audit chain (CRYPTO.md "Audit trail"): a handler's browser
 * states "the chain had `seq` events and ended in `head`" under that handler's Ed25519 key.
 * Whoever can write the database can recompute every hash of the chain, but cannot make these
 * signatures fit a rewritten past.
 */
import { canonicalJson, fromBase64Url, toBase64Url, utf8 } from './_encoding';
import { sign, verifySignature } from './signing';

/** What a checkpoint states. `signedAt` is an ISO instant chosen by the signer. */
export interface CheckpointStatement {
	seq: number;
	head: string;
	userId: string;
	signedAt: string;
}

const CHECKPOINT_VERSION = 'mnv-audit-checkpoint-v1';

/** The exact bytes that are signed: canonical JSON with a version tag, so no other statement can be replayed as one. */
export function checkpointMessage(s: CheckpointStatement): Uint8Array {
	return utf8(canonicalJson({ v: CHECKPOINT_VERSION, seq: s.seq, head: s.head, userId: s.userId, signedAt: s.signedAt }));
}

/** Signs a checkpoint with the handler's Ed25519 secret key; base64url signature. */
export function signCheckpoint(secretKey: Uint8Array, s: CheckpointStatement): string {
	return toBase64Url(sign(secretKey, checkpointMessage(s)));
}

/** Whether `signature` (base64url) is the key's signature of the statement; false, never a throw, for malformed input. */
export function verifyCheckpoint(publicKey: Uint8Array | string, s: CheckpointStatement, signature: string): boolean {
	try {
		const key = typeof publicKey === 'string' ? fromBase64Url(publicKey) : publicKey;
		return verifySignature(key, checkpointMessage(s), fromBase64Url(signature));
	} catch {
		return false;
	}
}
