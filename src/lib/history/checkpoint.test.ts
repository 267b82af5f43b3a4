import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, verifyCheckpoint } from '../crypto/index';
import { confirmAndSign, pendingAlarm, rememberedCheckpoint, resetAlarm, type CheckpointApi } from './checkpoint';

const USER = '00000000-0000-4000-8000-00000000000a';
const h = (c: string) => c.repeat(64);

function memoryStorage() {
	const map = new Map<string, string>();
	return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k), map };
}

/** A chain held as its hashes, index 0 = event #1. */
function fakeApi(chain: string[]) {
	const stored: Parameters<CheckpointApi['store']>[0][] = [];
	const alarms: Parameters<CheckpointApi['alarm']>[0][] = [];
	const api: CheckpointApi = {
		head: async (since) => ({ seq: chain.length, head: chain.at(-1) ?? h('0'), hashAtSince: since ? (chain[since - 1] ?? null) : null }),
		store: async (input) => (stored.push(input), { stored: true }),
		alarm: async (input) => void alarms.push(input)
	};
	return { api, stored, alarms };
}

describe('signed audit checkpoints in the browser', () => {
	const keys = generateSigningKeyPair();
	const now = () => new Date('2026-11-23T10:00:00Z');

	it('signs the head, remembers it, and signs again only when the chain grew and extends it', async () => {
		const storage = memoryStorage();
		const chain = [h('a'), h('b')];
		const { api, stored } = fakeApi(chain);
		expect(await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now })).toEqual({ kind: 'signed', seq: 2 });
		expect(verifyCheckpoint(keys.publicKey, { seq: 2, head: h('b'), userId: USER, signedAt: stored[0]!.signedAt }, stored[0]!.signature)).toBe(true);
		expect(rememberedCheckpoint(storage, USER)).toEqual({ seq: 2, head: h('b') });
		expect(await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now })).toEqual({ kind: 'unchanged', seq: 2 });
		chain.push(h('c'));
		expect(await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now })).toEqual({ kind: 'signed', seq: 3 });
		expect(stored.map((s) => s.seq)).toEqual([2, 3]);
	});

	it('raises an alarm, signs nothing, when the chain was rewritten or cut short; the alarm stays until reset', async () => {
		const storage = memoryStorage();
		const chain = [h('a'), h('b'), h('c')];
		const { api, stored, alarms } = fakeApi(chain);
		await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now });
		chain[2] = h('x');
		chain.push(h('d'));
		expect(await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now })).toEqual({ kind: 'alarm', seq: 3, expected: h('c') });
		expect(alarms).toEqual([{ seq: 3, expected: h('c') }]);
		// Even a chain that looks fine again does not clear it by itself.
		chain[2] = h('c');
		expect((await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now })).kind).toBe('alarm');
		expect(stored).toHaveLength(1);
		resetAlarm(storage, USER);
		expect(pendingAlarm(storage, USER)).toBeNull();
		expect(await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now })).toEqual({ kind: 'signed', seq: 4 });

		// A server that answers the remembered hash but a shorter chain is caught too.
		const lying = memoryStorage();
		lying.setItem(`mnv.audit-checkpoint.v1.${USER}`, JSON.stringify({ seq: 5, head: h('e') }));
		const liar: CheckpointApi = { head: async () => ({ seq: 3, head: h('c'), hashAtSince: h('e') }), store: async () => ({ stored: true }), alarm: async () => undefined };
		expect((await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api: liar, storage: lying, now })).kind).toBe('alarm');

		const truncated = memoryStorage();
		const short = fakeApi([h('a'), h('b')]);
		truncated.setItem(`mnv.audit-checkpoint.v1.${USER}`, JSON.stringify({ seq: 5, head: h('e') }));
		expect((await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api: short.api, storage: truncated, now })).kind).toBe('alarm');
	});

	it('keeps one user apart from another on a shared browser', async () => {
		const storage = memoryStorage();
		const { api } = fakeApi([h('a')]);
		await confirmAndSign({ userId: USER, signingSecretKey: keys.secretKey, api, storage, now });
		expect(rememberedCheckpoint(storage, '00000000-0000-4000-8000-00000000000b')).toBeNull();
		// Nothing but a count and a hash is remembered.
		expect([...storage.map.values()].join()).toBe(JSON.stringify({ seq: 1, head: h('a') }));
	});
});
