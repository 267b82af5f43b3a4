import { beforeAll, describe, expect, it } from 'vitest';
import {
	createManifest,
	CryptoError,
	encodeRecoveryKit,
	generateCompanyKeys,
	generateEpochKeys,
	manifestHash,
	parseRecoveryKit,
	toBase64Url,
	verifyRecoveryKit,
	type CompanyKeys,
	type EpochKeys,
	type RecoveryKit,
	type SignedManifest
} from './index';

const COMPANY = '0b6f2f6e-6a39-4a53-9a43-7d1f1f0c1a11';

async function codeOf(fn: () => unknown): Promise<string> {
	try {
		await fn();
	} catch (error) {
		if (error instanceof CryptoError) return `${error.code}: ${error.message}`;
		throw error;
	}
	throw new Error('expected a CryptoError');
}

let company: CompanyKeys;
let kit: RecoveryKit;
let manifests: SignedManifest[];

function manifest(c: CompanyKeys, e: EpochKeys, previous: SignedManifest | null) {
	return createManifest(c.root, {
		companyId: c.companyId,
		epoch: e.epoch,
		recipient: e.recipient,
		signingPublicKey: toBase64Url(e.signing.publicKey),
		previousManifestHash: previous ? manifestHash(previous) : null,
		createdAt: '2026-11-23T00:00:00.000Z'
	});
}

beforeAll(async () => {
	company = await generateCompanyKeys(COMPANY);
	company.epochs.push(await generateEpochKeys(2));
	const first = manifest(company, company.epochs[0]!, null);
	manifests = [first, manifest(company, company.epochs[1]!, first)];
	kit = { companyId: COMPANY, root: company.root, epochs: company.epochs };
});

describe('recovery kit text', () => {
	it('round-trips through its lines, wherever they sit in a text', async () => {
		const lines = encodeRecoveryKit(kit);
		expect(lines).toHaveLength(3);
		const pasted = ['復旧キット', ...lines.map((l) => `  ${l}  `), '以上'].join('\r\n');
		const back = await parseRecoveryKit(pasted);
		expect(back.companyId).toBe(COMPANY);
		expect(toBase64Url(back.root.secretKey)).toBe(toBase64Url(company.root.secretKey));
		expect(back.epochs.map((e) => [e.epoch, e.recipient, toBase64Url(e.dataKey)])).toEqual(
			company.epochs.map((e) => [e.epoch, e.recipient, toBase64Url(e.dataKey)])
		);
		// Order does not matter, and neither do line breaks inside an entry (a PDF's text wraps them).
		expect((await parseRecoveryKit(lines.map((l) => l.split(' ').join('\n')).join(' '))).epochs).toHaveLength(2);
		expect((await parseRecoveryKit([...lines].reverse().join('\n'))).epochs.map((e) => e.epoch)).toEqual([1, 2]);
	});

	it('names a mistyped line by its number and never echoes the key', async () => {
		const lines = encodeRecoveryKit(kit);
		const typo = lines[1]!.replace(/ (\S)(\S*) (\S+) (\S+) (\S+)$/, (_m, a: string, rest: string, d, s, c) => ` ${a === 'A' ? 'B' : 'A'}${rest} ${d} ${s} ${c}`);
		const message = await codeOf(() => parseRecoveryKit([lines[0], typo].join('\n')));
		expect(message).toBe('malformed: recovery kit entry 2: check digits do not match (mistyped or cut off)');
		expect(message).not.toContain(company.epochs[0]!.identity);
	});

	it('refuses a cut-off line, a missing root or epoch, and mixed companies', async () => {
		const lines = encodeRecoveryKit(kit);
		expect(await codeOf(() => parseRecoveryKit(lines[0]!.slice(0, -3)))).toMatch(/entry 1: check digits/);
		expect(await codeOf(() => parseRecoveryKit(lines.slice(1).join('\n')))).toMatch(/no root key entry/);
		expect(await codeOf(() => parseRecoveryKit(lines[0]!))).toMatch(/no epoch entries/);
		expect(await codeOf(() => parseRecoveryKit([lines[0], lines[2]].join('\n')))).toMatch(/lacks epoch 1/);
		expect(await codeOf(() => parseRecoveryKit([lines[1], lines[1], lines[0]].join('\n')))).toMatch(/entry 2: epoch 1 appears twice/);
		const other = await generateCompanyKeys('7c1d1a52-9d8e-4f3b-8a0c-2b1e5d6f7a80');
		const otherLines = encodeRecoveryKit({ companyId: other.companyId, root: other.root, epochs: other.epochs });
		expect(await codeOf(() => parseRecoveryKit([...lines, otherLines[1]].join('\n')))).toMatch(/entry 4: belongs to another company/);
		expect(await codeOf(() => parseRecoveryKit('nothing here'))).toMatch(/no root key entry/);
	});
});

describe('verifyRecoveryKit', () => {
	it('accepts the company kit and names epochs it does not cover', () => {
		expect(verifyRecoveryKit(kit, { companyId: COMPANY, rootPublicKey: toBase64Url(company.root.publicKey), manifests })).toMatchObject({
			latest: { epoch: 2 },
			missingEpochs: []
		});
		const oldKit = { ...kit, epochs: kit.epochs.slice(0, 1) };
		expect(verifyRecoveryKit(oldKit, { companyId: COMPANY, rootPublicKey: toBase64Url(company.root.publicKey), manifests }).missingEpochs).toEqual([2]);
		// An older backup with a newer kit: fine.
		expect(verifyRecoveryKit(kit, { companyId: COMPANY, rootPublicKey: toBase64Url(company.root.publicKey), manifests: manifests.slice(0, 1) }).latest.epoch).toBe(1);
	});

	it('refuses a kit of another company, a foreign root and a swapped epoch key', async () => {
		const rootPublicKey = toBase64Url(company.root.publicKey);
		expect(await codeOf(() => verifyRecoveryKit(kit, { companyId: '7c1d1a52-9d8e-4f3b-8a0c-2b1e5d6f7a80', rootPublicKey, manifests }))).toMatch(/context_mismatch: recovery kit is for another company/);
		const impostor = await generateCompanyKeys(COMPANY);
		expect(await codeOf(() => verifyRecoveryKit({ ...kit, root: impostor.root }, { companyId: COMPANY, rootPublicKey, manifests }))).toMatch(/root key is not this company's/);
		const swapped = { ...kit, epochs: [kit.epochs[0]!, { ...(await generateEpochKeys(2)) }] };
		expect(await codeOf(() => verifyRecoveryKit(swapped, { companyId: COMPANY, rootPublicKey, manifests }))).toMatch(/epoch 2 does not match/);
	});
});
