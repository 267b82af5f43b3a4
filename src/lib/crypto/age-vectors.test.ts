/**
 * The official age test vectors (npm `cctv-age`, C2SP/CCTV) run through our wrapper (_age.ts),
 * which adds one behaviour on top of age-encryption: it maps every failure to a CryptoError code.
 * Identity vectors (X25519 and ML-KEM-768 + X25519 hybrid) go through `ageDecryptWithIdentities`
 * (what envelopes and grants use); passphrase vectors through the public `openWithPassphrase`.
 *
 * Expected mapping, from each vector's `expect`:
 *   success          → the plaintext, whose SHA-256 is the vector's `payload`
 *   no match         → 'wrong_key' (identities) or 'wrong_passphrase' (passphrase)
 *   HMAC failure     → 'wrong_key'
 *   payload failure  → 'wrong_key' (the file was altered after sealing)
 *   header failure   → 'malformed'
 * and armored files (`armored: yes`) are all refused as 'malformed': the wrapper reads binary age
 * only. Where age-encryption's error message makes the wrapper alias one failure class as
 * another, the vector is listed in KNOWN_ALIASES with the code it gets today.
 */
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import * as cctv from 'cctv-age';
import { describe, expect, it } from 'vitest';
import { ageDecryptWithIdentities } from './_age';
import { CryptoError } from './errors';
import { openWithPassphrase } from './passphrase';

interface AgeVector {
	name: string;
	expect: 'success' | 'no match' | 'HMAC failure' | 'header failure' | 'payload failure' | 'armor failure';
	payload: string;
	identities: string[];
	passphrases: string[];
	armored: boolean;
	file: Uint8Array;
}

/** Parses the testkit format: `key: value` lines, a blank line, then the (maybe zlib) age file. */
function parseVector(name: string, raw: Uint8Array): AgeVector {
	const bytes = Buffer.from(raw);
	const split = bytes.indexOf('\n\n');
	if (split < 0) throw new Error(`${name}: no blank line`);
	const fields = new Map<string, string[]>();
	for (const line of bytes.subarray(0, split).toString('utf8').split('\n')) {
		const colon = line.indexOf(': ');
		const key = line.slice(0, colon);
		fields.set(key, [...(fields.get(key) ?? []), line.slice(colon + 2)]);
	}
	let file: Uint8Array = bytes.subarray(split + 2);
	if (fields.get('compressed')?.[0] === 'zlib') file = inflateSync(file);
	return {
		name,
		expect: fields.get('expect')![0] as AgeVector['expect'],
		payload: fields.get('payload')?.[0] ?? '',
		identities: fields.get('identity') ?? [],
		passphrases: fields.get('passphrase') ?? [],
		armored: fields.get('armored')?.[0] === 'yes',
		file: new Uint8Array(file)
	};
}

const vectors = Object.entries(cctv as unknown as Record<string, Uint8Array>)
	.filter(([, v]) => v instanceof Uint8Array)
	.map(([name, raw]) => parseVector(name, raw))
	.sort((a, b) => (a.name < b.name ? -1 : 1));

/**
 * Failure classes age-encryption does not tell apart by message, so the wrapper's message-based
 * mapping lands on the neighbouring code. Pinned so that a change in either library shows up here.
 */
const KNOWN_ALIASES: Record<string, string> = {
	// Header parse errors around the MAC line are reported as "invalid header HMAC".
	hmac_garbage: 'wrong_key',
	hmac_missing: 'wrong_key',
	hmac_truncated: 'wrong_key',
	// An empty final STREAM chunk is reported as "invalid version line".
	stream_last_chunk_empty: 'malformed'
};

function expectedCode(v: AgeVector): string {
	if (v.armored) return 'malformed';
	const alias = KNOWN_ALIASES[v.name];
	if (alias) return alias;
	switch (v.expect) {
		case 'no match':
			return v.passphrases.length > 0 ? 'wrong_passphrase' : 'wrong_key';
		case 'HMAC failure':
		case 'payload failure':
			return 'wrong_key';
		case 'header failure':
		case 'armor failure':
			return 'malformed';
		case 'success':
			throw new Error(`${v.name}: a success vector has no failure code`);
	}
}

async function decrypt(v: AgeVector): Promise<Uint8Array> {
	return v.passphrases.length > 0 ? openWithPassphrase(v.file, v.passphrases[0]!) : ageDecryptWithIdentities(v.identities, v.file);
}

describe('cctv-age vectors through the wrapper', () => {
	it('are all there: 143 vectors (cctv-age 0.2.0), each with a known expectation', () => {
		expect(vectors).toHaveLength(143);
		for (const v of vectors) expect(['success', 'no match', 'HMAC failure', 'header failure', 'payload failure', 'armor failure']).toContain(v.expect);
		expect(vectors.filter((v) => !v.armored && v.expect === 'success')).toHaveLength(19);
		expect(vectors.filter((v) => v.passphrases.length > 0 && !v.armored)).toHaveLength(25);
		expect(vectors.filter((v) => v.identities.some((i) => i.startsWith('AGE-SECRET-KEY-PQ-')))).toHaveLength(19);
		for (const name of Object.keys(KNOWN_ALIASES)) expect(vectors.map((v) => v.name)).toContain(name);
	});

	const successes = vectors.filter((v) => !v.armored && v.expect === 'success');
	it.each(successes.map((v) => [v.name, v] as const))('%s decrypts to the recorded payload', async (_name, v) => {
		const plaintext = await decrypt(v);
		expect(createHash('sha256').update(plaintext).digest('hex')).toBe(v.payload);
	});

	const failures = vectors.filter((v) => v.armored || v.expect !== 'success');
	it.each(failures.map((v) => [v.name, v] as const))('%s is refused with the expected code', async (_name, v) => {
		let outcome: string;
		try {
			await decrypt(v);
			outcome = 'decrypted';
		} catch (error) {
			if (!(error instanceof CryptoError)) throw error;
			outcome = error.code;
		}
		expect(outcome).toBe(expectedCode(v));
	});
});
