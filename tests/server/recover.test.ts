/**
 * The offline recovery tool end to end (issue 3 item 6), on each backend: make data through the
 * API, stop the server, back up (a copy of the PGlite folder; pg_dump plain and custom format;
 * the live PostgreSQL URL), recover with the kit alone, and compare with what was submitted.
 * Then the bad inputs: a corrupt kit, another company's kit, a backup of another version, a
 * non-empty output folder. Each must explain itself and write nothing.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { BackupError, isoFromPgTimestamp, parseCopyBlocks } from '../../server/recover/backup';
import { recover, RecoverError } from '../../server/recover/recover';
import { encodeRecoveryKit, generateCompanyKeys, generateSigningKeyPair, sealEnvelope, type RecoveryKit } from '../../src/lib/crypto/index';
import { individualCheckDigit } from '../../src/lib/mynumber/index';
import { recoveryKitStrings, renderRecoveryKitPdf } from '../../src/lib/documents/recovery-kit';
import { parseRoster } from '../../src/lib/roster/index';
import { sealRosterRows } from '../../src/lib/roster/seal';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, createCompany, EMPLOYEE_NAME, joinAndSubmit, setUpHandler, submitNumber, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

const SECOND_NUMBER = `98765432101${individualCheckDigit('98765432101')}`;
const SECOND_NAME = '見本　次郎';
const IMAGE = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]); // a JPEG's first and last bytes

const hasPgDump = (() => {
	try {
		execFileSync('pg_dump', ['--version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();

/** The CSV as rows of cells (the tool writes no quoted newlines for these inputs). */
function readCsv(dir: string): Record<string, string>[] {
	const text = readFileSync(join(dir, 'submissions.csv'), 'utf8');
	expect(text.startsWith('\uFEFF')).toBe(true);
	const [header, ...lines] = text.slice(1).trimEnd().split('\r\n');
	const split = (line: string) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1]!.replace(/^"|"$/g, '').replaceAll('""', '"'));
	const columns = split(header!);
	return lines.map((l) => Object.fromEntries(split(l).map((v, i) => [columns[i], v])));
}

describe.each(backends)('recover tool on %s', (backend) => {
	let scratch: ScratchDb | undefined;
	let app: RunningServer;
	let handler: HandlerSide;
	let kit: RecoveryKit;
	const dir = mkdtempSync(join(tmpdir(), 'mnv-recover-test-'));
	const dataDir = join(dir, 'data');
	let backupSources: { label: string; from: string }[] = [];
	const submitted: { code: string; name: string; number: string; submissionId: string }[] = [];
	let imageSubmissionId: string;
	let forgedSubmissionId: string;

	beforeAll(async () => {
		scratch = backend === 'postgres' ? await scratchDb('postgres') : undefined;
		app = await startServer({
			db: scratch ? scratch.options : { dataDir },
			port: 0,
			host: '127.0.0.1',
			staticDir: '/nonexistent',
			quiet: true,
			config: { passwordLogN: 10 }
		});
		handler = await setUpHandler(app.url, app.services.setup.token!);
		kit = { companyId: handler.company.companyId, root: handler.company.root, epochs: handler.company.epochs };
		for (const [code, name, number] of [
			['R-001', EMPLOYEE_NAME, SYNTHETIC_NUMBER],
			['R-002', SECOND_NAME, SECOND_NUMBER]
		] as const) {
			const invitation = await addEmployee(handler, code, name);
			const { submissionId, employee } = await joinAndSubmit(app.url, invitation, number);
			submitted.push({ code, name, number, submissionId });
			// R-002 also "sends" a record signed by a key that is not its registered device (a forgery).
			if (code === 'R-002') forgedSubmissionId = await submitNumber(employee, SYNTHETIC_NUMBER, generateSigningKeyPair());
		}
		// R-001's roster profile (reading, department) arrives by a re-import.
		const ids = new Map((await handler.client.trpc.employee.list.query({ companyId: kit.companyId })).map((e) => [e.code, e.id]));
		const roster = parseRoster(new TextEncoder().encode(`社員番号,氏名,フリガナ,部署\nR-001,${EMPLOYEE_NAME},シケン　ハナコ,人事部\n`));
		await handler.client.trpc.employee.importRoster.mutate({
			companyId: kit.companyId,
			rows: sealRosterRows({ companyId: kit.companyId, dataKey: kit.epochs[0]!.dataKey, epoch: 1 }, roster.employees, ids)
		});
		// An identity-document image as the employee app will upload it (item kind 'image').
		const employeeId = (await handler.client.trpc.employee.list.query({ companyId: kit.companyId })).find((e) => e.code === 'R-001')!.id;
		imageSubmissionId = crypto.randomUUID();
		const epoch = kit.epochs[0]!;
		const sealed = await sealEnvelope({
			recipient: epoch.recipient,
			context: { companyId: kit.companyId, epoch: 1, employeeId, submissionId: imageSubmissionId, itemKind: 'image', itemIndex: 0 },
			payload: IMAGE
		});
		await app.handle.rows(
			sql`insert into submissions (id, company_id, employee_id, epoch, kind, ciphertext, size) values (${imageSubmissionId}, ${kit.companyId}, ${employeeId}, 1, 'image', ${sealed}, ${sealed.length})`
		);
		// A second company in the same installation stays out of the recovery.
		await createCompany(handler.client, handler.keys, '別会社株式会社', null);
		await app.close();

		if (backend === 'pglite') {
			const copy = join(dir, 'backup-folder');
			cpSync(dataDir, copy, { recursive: true });
			backupSources = [{ label: 'copy of the data folder', from: copy }];
		} else {
			const url = scratch!.options.databaseUrl!;
			backupSources = [{ label: 'PostgreSQL URL', from: url }];
			if (hasPgDump || process.env.CI) {
				const plain = join(dir, 'dump.sql');
				const custom = join(dir, 'dump.pgc');
				execFileSync('pg_dump', ['-Fp', '-f', plain, url]);
				execFileSync('pg_dump', ['-Fc', '-f', custom, url]);
				execFileSync('gzip', ['-k', plain]);
				backupSources.push({ label: 'pg_dump plain', from: plain }, { label: 'pg_dump plain, gzipped', from: `${plain}.gz` }, { label: 'pg_dump custom', from: custom });
			}
		}
	});

	afterAll(async () => {
		await scratch?.drop();
		rmSync(dir, { recursive: true, force: true });
	});

	it('opens every submission of the kit\'s company from each form of backup, with the kit PDF or its text', async () => {
		const pdf = await renderRecoveryKitPdf({
			kit,
			companyName: '株式会社テスト',
			createdAt: new Date(),
			createdAtText: 'test',
			strings: recoveryKitStrings((k) => k),
			japaneseFont: readFileSync('node_modules/@embedpdf/fonts-jp/fonts/NotoSansJP-Regular.otf')
		});
		const kitFiles = [pdf, new TextEncoder().encode(`paper copy\n${encodeRecoveryKit(kit).join('\n')}\n`)];
		for (const [i, source] of backupSources.entries()) {
			const out = join(dir, `out-${i}`);
			const summary = await recover({ kit: kitFiles[i % 2]!, from: source.from, outDir: out });
			expect(summary, source.label).toMatchObject({ companyId: kit.companyId, employees: 2, submissions: 4, records: 3, images: 1, missingEpochs: [], failures: [] });
			// The image was written straight into the table and the forged record was signed by another key:
			// both are recovered, and both are flagged.
			expect(summary.unverified).toEqual([
				{ submissionId: imageSubmissionId, reason: 'no device registration' },
				{ submissionId: forgedSubmissionId, reason: 'not signed by the registered device' }
			]);
			const rows = readCsv(out);
			expect(rows.map((r) => [r.employee_kana, r.department])).toEqual([
				['しけん はなこ', '人事部'],
				['しけん はなこ', '人事部'],
				['', ''],
				['', '']
			]);
			expect(rows.map((r) => [r.employee_code, r.employee_name, r.my_number, r.kind, r.device_verified])).toEqual([
				['R-001', EMPLOYEE_NAME, SYNTHETIC_NUMBER, 'record', 'yes'],
				['R-001', EMPLOYEE_NAME, '', 'image', 'no'],
				['R-002', SECOND_NAME, SECOND_NUMBER, 'record', 'yes'],
				['R-002', SECOND_NAME, SYNTHETIC_NUMBER, 'record', 'no']
			]);
			expect(rows[0]!.submission_id).toBe(submitted[0]!.submissionId);
			expect(JSON.parse(rows[0]!.record_json!)).toEqual({ myNumber: SYNTHETIC_NUMBER });
			expect(rows[0]!.received_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
			expect(rows[1]!.file).toBe(`images/R-001/${imageSubmissionId}.jpg`);
			expect(new Uint8Array(readFileSync(join(out, rows[1]!.file!)))).toEqual(IMAGE);
			expect(JSON.parse(readFileSync(join(out, 'recovery-report.json'), 'utf8'))).toMatchObject({ records: 3, images: 1 });
		}
	});

	it('refuses a corrupt kit, another company\'s kit, a backup of another version and a used folder, writing nothing', async () => {
		const source = backupSources.at(-1)!.from;
		const lines = encodeRecoveryKit(kit);
		const corrupt = lines.map((l, i) => (i === 1 ? l.replace(/AGE-SECRET-KEY-[A-Z0-9-]{6}/, (m) => m.slice(0, -1) + (m.endsWith('Q') ? 'P' : 'Q')) : l)).join('\n');
		const other = await generateCompanyKeys(crypto.randomUUID());
		const foreign = encodeRecoveryKit({ companyId: other.companyId, root: other.root, epochs: other.epochs }).join('\n');
		// Same company id, another root key: a forged or mixed-up kit.
		const forged = encodeRecoveryKit({ companyId: kit.companyId, root: other.root, epochs: other.epochs }).join('\n');
		const cases: [string, Uint8Array, RegExp][] = [
			['corrupt', new TextEncoder().encode(corrupt), /entry 2: check digits do not match/],
			['foreign', new TextEncoder().encode(foreign), /holds no company .* kit of another company/],
			['forged', new TextEncoder().encode(forged), /does not match company/],
			['not a kit', new TextEncoder().encode('hello'), /not valid/],
			['an ordinary PDF', new TextEncoder().encode('%PDF-1.7\n%%EOF'), /cannot be read|carries no recovery kit/]
		];
		for (const [label, kitBytes, message] of cases) {
			const out = join(dir, `bad-${label.replaceAll(' ', '-')}`);
			const error = await recover({ kit: kitBytes, from: source, outDir: out }).then(() => null, (e: Error) => e);
			expect(error, label).toBeInstanceOf(RecoverError);
			expect(error!.message, label).toMatch(message);
			expect(existsSync(out), label).toBe(false);
		}
		const kitText = new TextEncoder().encode(lines.join('\n'));
		const used = join(dir, 'used');
		cpSync(join(dir, 'out-0'), used, { recursive: true });
		await expect(recover({ kit: kitText, from: source, outDir: used })).rejects.toThrow(/not empty/);
		await expect(recover({ kit: kitText, from: join(dir, 'nowhere'), outDir: join(dir, 'x') })).rejects.toThrow(BackupError);
		await expect(recover({ kit: kitText, from: join(dir, 'out-0', 'submissions.csv'), outDir: join(dir, 'x') })).rejects.toThrow(/not a pg_dump file/);
		expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
	});

	it.skipIf(backend !== 'postgres' || !(hasPgDump || process.env.CI))('refuses a dump of another schema version', async () => {
		const plain = readFileSync(join(dir, 'dump.sql'), 'utf8');
		const newer = plain.replace(/(COPY drizzle\.__drizzle_migrations \(id, hash, created_at\) FROM stdin;\n)/, `$1999\t${'f'.repeat(64)}\t9999999999999\n`);
		expect(newer).not.toBe(plain);
		const file = join(dir, 'newer.sql');
		writeFileSync(file, newer);
		const out = join(dir, 'out-newer');
		await expect(recover({ kit: new TextEncoder().encode(encodeRecoveryKit(kit).join('\n')), from: file, outDir: out })).rejects.toThrow(/another version of mynumber-vault/);
		expect(existsSync(out)).toBe(false);
	});

	it.skipIf(backend !== 'pglite')('runs as `npm run recover` and reports through its exit status', () => {
		const tsx = join('node_modules', '.bin', 'tsx');
		const kitFile = join(dir, 'kit.txt');
		writeFileSync(kitFile, encodeRecoveryKit(kit).join('\n'));
		expect(execFileSync(tsx, ['scripts/recover.ts', '--help'], { encoding: 'utf8' })).toContain('--kit <file>');
		const out = join(dir, 'cli-out');
		const stdout = execFileSync(tsx, ['scripts/recover.ts', '--kit', kitFile, '--from', backupSources[0]!.from, '--out', out], { encoding: 'utf8' });
		expect(stdout).toContain('submissions: 4 (records 3, images 1)');
		expect(stdout).not.toContain(SYNTHETIC_NUMBER);
		let status = 0;
		let stderr = '';
		try {
			execFileSync(tsx, ['scripts/recover.ts', '--kit', kitFile, '--from', backupSources[0]!.from], { encoding: 'utf8', stdio: 'pipe' });
		} catch (error) {
			status = (error as { status: number }).status;
			stderr = String((error as { stderr: string }).stderr);
		}
		expect(status).toBe(1);
		expect(stderr).toContain('missing --out');
	});
});

describe('pg_dump COPY parsing', () => {
	it('decodes escapes, nulls and bytea hex, and refuses a truncated block', () => {
		const dump = 'COPY public.t (a, b, c) FROM stdin;\nx\\ty\t\\N\t\\\\x00ff\n\\.\n';
		expect(parseCopyBlocks(dump).get('public.t')).toEqual([{ a: 'x\ty', b: null, c: '\\x00ff' }]);
		expect(() => parseCopyBlocks('COPY public.t (a) FROM stdin;\nx\n')).toThrow(/truncated/);
		expect(() => parseCopyBlocks('COPY public.t (a, b) FROM stdin;\nx\n\\.\n')).toThrow(/damaged line/);
	});

	it('reads PostgreSQL timestamps in any zone as UTC', () => {
		expect(isoFromPgTimestamp('2026-11-23 08:40:00.123+09')).toBe('2026-11-22T23:40:00.123Z');
		expect(isoFromPgTimestamp('2026-11-23 08:40:00+00')).toBe('2026-11-23T08:40:00.000Z');
		expect(isoFromPgTimestamp('2026-11-23 08:40:00.5+05:30')).toBe('2026-11-23T03:10:00.500Z');
	});
});

