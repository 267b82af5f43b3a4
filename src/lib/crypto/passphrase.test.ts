/**
 * Passphrase-sealed exports must open with any age tool (CRYPTO.md "Recovery and exit"): checked
 * against the real `age` CLI both ways. age reads passphrases only from a terminal, so the CLI runs
 * inside a pseudo-terminal made by util-linux `script`, with the passphrase typed on its stdin.
 * Skipped only where `age` is missing and CI is unset; in CI a missing `age` fails the test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoError, isAgeFile, openWithPassphrase, sealWithPassphrase, utf8 } from './index';

async function codeOf(fn: () => unknown): Promise<string> {
	try {
		await fn();
	} catch (error) {
		if (error instanceof CryptoError) return error.code;
		throw error;
	}
	throw new Error('expected a CryptoError');
}

const CSV = utf8('社員番号,氏名,個人番号\r\n0001,見本　太郎,123456789018\r\n');

describe('sealWithPassphrase / openWithPassphrase', () => {
	it('round-trip any bytes and any passphrase, and refuse the wrong passphrase', async () => {
		await fc.assert(
			fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.string({ minLength: 1 }), async (plaintext, passphrase) => {
				const sealed = await sealWithPassphrase(plaintext, passphrase, { logN: 4 });
				expect(isAgeFile(sealed)).toBe(true);
				expect(await openWithPassphrase(sealed, passphrase)).toEqual(plaintext);
				expect(await codeOf(() => openWithPassphrase(sealed, passphrase + 'x'))).toBe('wrong_passphrase');
			}),
			{ numRuns: 25 }
		);
	});

	it('write one scrypt stanza at the requested work factor, 18 by default, and nothing in the clear', async () => {
		const sealed = await sealWithPassphrase(CSV, 'pass phrase', { logN: 10 });
		const text = new TextDecoder('latin1').decode(sealed);
		expect(text.startsWith('age-encryption.org/v1\n-> scrypt ')).toBe(true);
		expect(text.match(/^-> /gm)).toHaveLength(1);
		expect(text).toMatch(/^-> scrypt [A-Za-z0-9+/]{22} 10\n/m);
		expect(Buffer.from(sealed).includes(Buffer.from('123456789018'))).toBe(false);
		const byDefault = await sealWithPassphrase(CSV, 'pass phrase');
		expect(new TextDecoder('latin1').decode(byDefault)).toMatch(/^-> scrypt \S{22} 18\n/m);
		expect(await sealWithPassphrase(CSV, 'pass phrase', { logN: 10 })).not.toEqual(sealed);
	});

	it('refuse an empty passphrase and work factors age-encryption could not open again', async () => {
		expect(await codeOf(() => sealWithPassphrase(CSV, ''))).toBe('malformed');
		for (const logN of [0, 21, 10.5, Number.NaN]) expect(await codeOf(() => sealWithPassphrase(CSV, 'pw', { logN }))).toBe('malformed');
	});

	it('refuse altered and foreign files with the documented codes', async () => {
		const sealed = await sealWithPassphrase(CSV, 'pw', { logN: 4 });
		const flipped = sealed.slice();
		flipped[flipped.length - 1]! ^= 1;
		expect(await codeOf(() => openWithPassphrase(flipped, 'pw'))).toBe('wrong_key');
		expect(await codeOf(() => openWithPassphrase(sealed.slice(0, sealed.length - 1), 'pw'))).toBe('wrong_key');
		expect(await codeOf(() => openWithPassphrase(CSV, 'pw'))).toBe('malformed');
	});
});

function hasAge(): boolean {
	const r = spawnSync('age', ['--version'], { encoding: 'utf8' });
	return r.status === 0;
}

/** POSIX single-quoting for the command line `script -c` hands to a shell. */
const sh = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Runs the age CLI in a pseudo-terminal, typing `typed` at its passphrase prompts. */
function ageInTerminal(args: string[], typed: string): { status: number | null; output: string } {
	const r = spawnSync('script', ['-qec', ['age', ...args].map(sh).join(' '), '/dev/null'], { input: typed, encoding: 'utf8', timeout: 60_000 });
	if (r.error) throw r.error;
	return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!hasAge() && !process.env.CI)('interop with the age CLI', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'mnv-age-'));
	});
	afterAll(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('age -d opens what sealWithPassphrase made, at the default work factor and a low one', async () => {
		for (const [name, opts] of [['default', {}], ['low', { logN: 10 }]] as const) {
			const sealed = join(dir, `${name}.csv.age`);
			const out = join(dir, `${name}.csv`);
			writeFileSync(sealed, await sealWithPassphrase(CSV, 'correct horse battery staple', opts));
			const r = ageInTerminal(['-d', '-o', out, sealed], 'correct horse battery staple\n');
			expect([name, r.status]).toEqual([name, 0]);
			expect(readFileSync(out)).toEqual(Buffer.from(CSV));
		}
	});

	it('age -d refuses the wrong passphrase (the harness can fail)', async () => {
		const sealed = join(dir, 'wrong.csv.age');
		writeFileSync(sealed, await sealWithPassphrase(CSV, 'correct horse battery staple', { logN: 10 }));
		const r = ageInTerminal(['-d', '-o', join(dir, 'wrong.csv'), sealed], 'battery horse\n');
		expect(r.status).not.toBe(0);
		expect(r.output).toMatch(/incorrect passphrase/);
	});

	it('openWithPassphrase opens what age -p made, and refuses its armored form as malformed', async () => {
		const plain = join(dir, 'from-cli.csv');
		writeFileSync(plain, CSV);
		const sealed = join(dir, 'from-cli.csv.age');
		const r = ageInTerminal(['-p', '-o', sealed, plain], 'tr0ub4dor&3 zebra\ntr0ub4dor&3 zebra\n');
		expect(r.status).toBe(0);
		const file = new Uint8Array(readFileSync(sealed));
		expect(new TextDecoder('latin1').decode(file)).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S+ 18\n/);
		expect(await openWithPassphrase(file, 'tr0ub4dor&3 zebra')).toEqual(CSV);
		expect(await codeOf(() => openWithPassphrase(file, 'tr0ub4dor&3 zebr'))).toBe('wrong_passphrase');

		const armored = join(dir, 'from-cli.csv.age.asc');
		expect(ageInTerminal(['-p', '-a', '-o', armored, plain], 'tr0ub4dor&3 zebra\ntr0ub4dor&3 zebra\n').status).toBe(0);
		expect(readFileSync(armored, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
		expect(await codeOf(() => openWithPassphrase(new Uint8Array(readFileSync(armored)), 'tr0ub4dor&3 zebra'))).toBe('malformed');
	});
});
