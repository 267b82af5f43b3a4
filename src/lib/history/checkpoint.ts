/**
 * @module The browser's side of signed audit checkpoints (CRYPTO.md "Audit trail"): after a
 * handler unlocks their keys, the browser checks that today's chain still holds the head it
 * signed last time, then signs the current head. A chain that does not extend the remembered
 * checkpoint raises an alarm that stays until someone resets it on purpose.
 *
 * Framework-free: the API and the storage are passed in, so tests drive it with fakes. What is
 * remembered is a count and a hash: nothing about any person.
 */
import { signCheckpoint } from '../crypto/index';

export interface CheckpointApi {
	head(since: number | undefined): Promise<{ seq: number; head: string; hashAtSince: string | null }>;
	store(input: { seq: number; head: string; signedAt: string; signature: string }): Promise<{ stored: boolean }>;
	alarm(input: { seq: number; expected: string }): Promise<unknown>;
}

/** The part of `Storage` this needs (localStorage in the browser). */
export type CheckpointStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface Remembered {
	seq: number;
	head: string;
}

export type CheckpointOutcome =
	| { kind: 'signed'; seq: number }
	| { kind: 'unchanged'; seq: number }
	| { kind: 'empty' }
	/** The chain does not extend the checkpoint this browser signed at `seq`. */
	| { kind: 'alarm'; seq: number; expected: string };

const rememberedKey = (userId: string) => `mnv.audit-checkpoint.v1.${userId}`;
const alarmKey = (userId: string) => `mnv.audit-alarm.v1.${userId}`;

function read(storage: CheckpointStorage, key: string): Remembered | null {
	try {
		const value: unknown = JSON.parse(storage.getItem(key) ?? 'null');
		if (value && typeof value === 'object' && 'seq' in value && 'head' in value && typeof value.seq === 'number' && typeof value.head === 'string') {
			return { seq: value.seq, head: value.head };
		}
	} catch {
		// Unreadable: treated as nothing remembered.
	}
	return null;
}

/** The checkpoint this browser signed last for the user, if any. */
export function rememberedCheckpoint(storage: CheckpointStorage, userId: string): Remembered | null {
	return read(storage, rememberedKey(userId));
}

/** The alarm this browser raised for the user and has not reset, if any. */
export function pendingAlarm(storage: CheckpointStorage, userId: string): Remembered | null {
	return read(storage, alarmKey(userId));
}

/**
 * Checks the chain against the remembered checkpoint, then signs and stores the current head.
 * An alarm (raised now or earlier and not reset) means nothing is signed: signing a rewritten
 * chain would vouch for it.
 */
export async function confirmAndSign(p: {
	userId: string;
	signingSecretKey: Uint8Array;
	api: CheckpointApi;
	storage: CheckpointStorage;
	now: () => Date;
}): Promise<CheckpointOutcome> {
	const earlier = pendingAlarm(p.storage, p.userId);
	if (earlier) return { kind: 'alarm', seq: earlier.seq, expected: earlier.head };
	const remembered = rememberedCheckpoint(p.storage, p.userId);
	const chain = await p.api.head(remembered?.seq);
	// A chain shorter than what was signed, or a head that is not a hash, is as wrong as a changed one.
	if (remembered && (chain.hashAtSince !== remembered.head || chain.seq < remembered.seq || !/^[0-9a-f]{64}$/.test(chain.head))) {
		p.storage.setItem(alarmKey(p.userId), JSON.stringify(remembered));
		// Told to the server too, for the history; a server that rewrote the chain may drop it, the browser will not.
		await p.api.alarm({ seq: remembered.seq, expected: remembered.head }).catch(() => undefined);
		return { kind: 'alarm', seq: remembered.seq, expected: remembered.head };
	}
	if (chain.seq === 0) return { kind: 'empty' };
	if (remembered && remembered.seq === chain.seq) return { kind: 'unchanged', seq: chain.seq };
	const signedAt = p.now().toISOString();
	const signature = signCheckpoint(p.signingSecretKey, { seq: chain.seq, head: chain.head, userId: p.userId, signedAt });
	await p.api.store({ seq: chain.seq, head: chain.head, signedAt, signature });
	p.storage.setItem(rememberedKey(p.userId), JSON.stringify({ seq: chain.seq, head: chain.head } satisfies Remembered));
	return { kind: 'signed', seq: chain.seq };
}

/** After someone investigated an alarm: forget it and the old reference; the next check signs today's chain. */
export function resetAlarm(storage: CheckpointStorage, userId: string): void {
	storage.removeItem(alarmKey(userId));
	storage.removeItem(rememberedKey(userId));
}
