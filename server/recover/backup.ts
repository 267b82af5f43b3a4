/**
 * @module Reads the rows the recovery tool needs from a backup, whatever its form, without a
 * running mynumber-vault server and without changing the backup:
 *
 * - a copy of the PGlite data folder (`DATA_DIR`, or its `pglite/` subfolder), opened from a
 *   temporary copy so the backup stays byte-for-byte as it was;
 * - a `pg_dump` file: plain SQL (optionally gzipped), parsed here from its `COPY` blocks, or the
 *   custom format (`-Fc`), turned into plain SQL by `pg_restore` when that is installed;
 * - a live PostgreSQL database (`postgres://…`), read in a read-only transaction.
 *
 * Every source yields the same {@link BackupRows}; bytea arrives as bytes, timestamps as ISO text.
 */
import { PGlite } from '@electric-sql/pglite';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import postgres from 'postgres';
import { MIGRATIONS_FOLDER } from '../db';

export interface BackupRows {
	/** Where the rows came from, for the report (never contains credentials). */
	source: string;
	/** `hash` column of drizzle's migration table: which schema versions the backup went through. */
	migrationHashes: string[];
	companies: { id: string; name: string; rootPublicKey: string; currentEpoch: number }[];
	manifests: { companyId: string; epoch: number; body: string; signature: string }[];
	employees: { id: string; companyId: string; code: string; sealedName: Uint8Array; sealedProfile: Uint8Array | null }[];
	submissions: { id: string; companyId: string; employeeId: string; epoch: number; kind: string; ciphertext: Uint8Array; createdAt: string; invitationId: string | null }[];
	/** Device registrations (schema 0004 on; empty for older backups). */
	invitations: { id: string; employeeId: string; sealedDeviceSecret: Uint8Array | null; devicePublicKey: string | null; deviceMac: string | null }[];
}

/** A problem with the backup itself, worded for the person running the tool. */
export class BackupError extends Error {}

/** The columns read from each table (all present since the first migration). */
const TABLES = {
	companies: ['id', 'name', 'root_public_key', 'current_epoch'],
	company_manifests: ['company_id', 'epoch', 'body', 'signature'],
	employees: ['id', 'company_id', 'code', 'sealed_name'],
	submissions: ['id', 'company_id', 'employee_id', 'epoch', 'kind', 'ciphertext', 'created_at']
} as const;
type Table = keyof typeof TABLES;
/** Columns added by later migrations: read when present, absent in older backups. */
const OPTIONAL: Partial<Record<Table | 'invitations', readonly string[]>> = {
	submissions: ['invitation_id'],
	employees: ['sealed_profile'],
	invitations: ['id', 'employee_id', 'sealed_device_secret', 'device_public_key', 'device_mac']
};
type RawRow = Record<string, string | Uint8Array | null>;

/** PostgreSQL's text form of a timestamptz ("2026-11-23 08:40:00.123+09") as ISO 8601 UTC. */
export function isoFromPgTimestamp(text: string): string {
	const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text.trim());
	const date = m ? new Date(`${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}`) : new Date(text);
	if (Number.isNaN(date.getTime())) throw new BackupError(`unreadable timestamp in the backup: ${JSON.stringify(text.slice(0, 40))}`);
	return date.toISOString();
}

function bytesOf(value: string | Uint8Array | null, what: string): Uint8Array {
	if (value instanceof Uint8Array) return value;
	if (typeof value === 'string' && /^\\x[0-9a-fA-F]*$/.test(value)) return new Uint8Array(Buffer.from(value.slice(2), 'hex'));
	throw new BackupError(`unreadable ${what} in the backup`);
}

function textOf(value: string | Uint8Array | null, what: string): string {
	if (typeof value === 'string') return value;
	throw new BackupError(`missing ${what} in the backup`);
}

function optionalBytes(value: string | Uint8Array | null | undefined): Uint8Array | null {
	return value === null || value === undefined ? null : bytesOf(value, 'sealed data');
}

function toRows(source: string, migrationHashes: string[], raw: Record<Table, RawRow[]>, invitations: RawRow[]): BackupRows {
	return {
		source,
		migrationHashes,
		companies: raw.companies.map((r) => ({
			id: textOf(r.id, 'company id'),
			name: textOf(r.name, 'company name'),
			rootPublicKey: textOf(r.root_public_key, 'root public key'),
			currentEpoch: Number(textOf(r.current_epoch, 'current epoch'))
		})),
		manifests: raw.company_manifests.map((r) => ({
			companyId: textOf(r.company_id, 'manifest company'),
			epoch: Number(textOf(r.epoch, 'manifest epoch')),
			body: textOf(r.body, 'manifest body'),
			signature: textOf(r.signature, 'manifest signature')
		})),
		employees: raw.employees.map((r) => ({
			id: textOf(r.id, 'employee id'),
			companyId: textOf(r.company_id, 'employee company'),
			code: textOf(r.code, 'employee code'),
			sealedName: bytesOf(r.sealed_name, 'sealed name'),
			sealedProfile: optionalBytes(r.sealed_profile)
		})),
		submissions: raw.submissions.map((r) => ({
			id: textOf(r.id, 'submission id'),
			companyId: textOf(r.company_id, 'submission company'),
			employeeId: textOf(r.employee_id, 'submission employee'),
			epoch: Number(textOf(r.epoch, 'submission epoch')),
			kind: textOf(r.kind, 'submission kind'),
			ciphertext: bytesOf(r.ciphertext, 'ciphertext'),
			createdAt: isoFromPgTimestamp(textOf(r.created_at, 'submission time')),
			invitationId: typeof r.invitation_id === 'string' ? r.invitation_id : null
		})),
		invitations: invitations.map((r) => ({
			id: textOf(r.id, 'invitation id'),
			employeeId: textOf(r.employee_id, 'invitation employee'),
			sealedDeviceSecret: optionalBytes(r.sealed_device_secret),
			devicePublicKey: typeof r.device_public_key === 'string' ? r.device_public_key : null,
			deviceMac: typeof r.device_mac === 'string' ? r.device_mac : null
		}))
	};
}

/** SQL that returns columns as text (bytea as `\x…` hex), so every driver answers alike. */
function selectAsText(table: string, columns: readonly string[]): string {
	return `select ${columns.map((c) => `${c}::text as ${c}`).join(', ')} from public.${table}`;
}

async function readWithQuery(source: string, query: (sql: string) => Promise<RawRow[]>): Promise<BackupRows> {
	// Output in UTC and bytea as hex, whatever the server's defaults.
	await query(`set time zone 'UTC'`);
	await query(`set bytea_output = 'hex'`);
	let migrationHashes: string[];
	try {
		migrationHashes = (await query('select hash from drizzle.__drizzle_migrations order by created_at')).map((r) => textOf(r.hash, 'migration'));
	} catch {
		throw new BackupError('this database has no mynumber-vault migration table: it is not a mynumber-vault database');
	}
	const present = new Set(
		(await query(`select table_name || '.' || column_name as c from information_schema.columns where table_schema = 'public'`)).map((r) => String(r.c))
	);
	const has = (table: string, columns: readonly string[]) => columns.every((c) => present.has(`${table}.${c}`));
	const raw = {} as Record<Table, RawRow[]>;
	for (const table of Object.keys(TABLES) as Table[]) {
		const extra = OPTIONAL[table] && has(table, OPTIONAL[table]) ? OPTIONAL[table] : [];
		raw[table] = await query(selectAsText(table, [...TABLES[table], ...extra]));
	}
	const invitations = has('invitations', OPTIONAL.invitations!) ? await query(selectAsText('invitations', OPTIONAL.invitations!)) : [];
	return toRows(source, migrationHashes, raw, invitations);
}

// ── PGlite folder ─────────────────────────────────────────────────────────────────────────

function pgliteDir(path: string): string | null {
	if (existsSync(join(path, 'PG_VERSION'))) return path;
	if (existsSync(join(path, 'pglite', 'PG_VERSION'))) return join(path, 'pglite');
	return null;
}

async function readPgliteFolder(path: string): Promise<BackupRows> {
	const dir = pgliteDir(path);
	if (!dir) throw new BackupError(`${path} is not a PGlite data folder (no PG_VERSION in it or in its pglite/ subfolder)`);
	const copy = mkdtempSync(join(tmpdir(), 'mnv-recover-'));
	try {
		cpSync(dir, copy, { recursive: true });
		const db = await PGlite.create({ dataDir: copy });
		try {
			return await readWithQuery(`PGlite folder ${path}`, async (q) => (await db.query<RawRow>(q)).rows);
		} finally {
			await db.close();
		}
	} finally {
		rmSync(copy, { recursive: true, force: true });
	}
}

// ── Live PostgreSQL ───────────────────────────────────────────────────────────────────────

async function readPostgres(url: string): Promise<BackupRows> {
	const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
	const host = (() => {
		try {
			const u = new URL(url);
			return `${u.hostname}${u.pathname}`;
		} catch {
			return 'PostgreSQL';
		}
	})();
	try {
		return await sql.begin('read only', (tx) => readWithQuery(`PostgreSQL ${host}`, async (q) => (await tx.unsafe(q)) as unknown as RawRow[]));
	} catch (error) {
		if (error instanceof BackupError) throw error;
		throw new BackupError(`could not read PostgreSQL at ${host}: ${(error as Error).message}`);
	} finally {
		await sql.end({ timeout: 5 });
	}
}

// ── pg_dump files ─────────────────────────────────────────────────────────────────────────

/** Decodes one field of COPY's text format (backslash escapes; `\N` is null). */
function copyField(field: string): string | null {
	if (field === '\\N') return null;
	if (!field.includes('\\')) return field;
	return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_all, esc: string) => {
		switch (esc[0]) {
			case 'b':
				return '\b';
			case 'f':
				return '\f';
			case 'n':
				return '\n';
			case 'r':
				return '\r';
			case 't':
				return '\t';
			case 'v':
				return '\v';
			case 'x':
				return String.fromCharCode(parseInt(esc.slice(1), 16));
			default:
				return /^[0-7]/.test(esc) ? String.fromCharCode(parseInt(esc, 8)) : esc;
		}
	});
}

/**
 * The rows of every `COPY <schema>.<table> (<columns>) FROM stdin;` block of a plain pg_dump,
 * keyed by `schema.table`.
 */
export function parseCopyBlocks(dump: string): Map<string, RawRow[]> {
	const tables = new Map<string, RawRow[]>();
	const lines = dump.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const head = /^COPY ("?[\w]+"?)\.("?[\w]+"?) \(([^)]*)\) FROM stdin;$/.exec(lines[i]!);
		if (!head) continue;
		const name = `${head[1]!.replaceAll('"', '')}.${head[2]!.replaceAll('"', '')}`;
		const columns = head[3]!.split(',').map((c) => c.trim().replaceAll('"', ''));
		const rows: RawRow[] = [];
		for (i++; i < lines.length && lines[i] !== '\\.'; i++) {
			const fields = lines[i]!.replace(/\r$/, '').split('\t');
			if (fields.length !== columns.length) throw new BackupError(`the dump's ${name} data has a damaged line (${fields.length} fields, expected ${columns.length})`);
			rows.push(Object.fromEntries(columns.map((c, k) => [c, copyField(fields[k]!)])));
		}
		if (i >= lines.length) throw new BackupError(`the dump ends inside the ${name} data: it is truncated`);
		tables.set(name, rows);
	}
	return tables;
}

function readDumpFile(path: string): BackupRows {
	let bytes: Buffer = readFileSync(path);
	if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
		try {
			bytes = gunzipSync(bytes);
		} catch {
			throw new BackupError(`${path} looks gzipped but does not decompress: it is damaged`);
		}
	}
	let text: string;
	if (bytes.subarray(0, 5).toString('latin1') === 'PGDMP') {
		// Custom format: let PostgreSQL's own tool turn it into plain SQL.
		try {
			text = execFileSync('pg_restore', ['--data-only', '-f', '-', path], { encoding: 'utf8', maxBuffer: 4 * 1024 ** 3 });
		} catch (error) {
			const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
			throw new BackupError(
				missing
					? `${path} is a pg_dump custom-format file; install pg_restore (PostgreSQL client tools) or make a plain dump with pg_dump -Fp`
					: `pg_restore could not read ${path}`
			);
		}
	} else {
		text = bytes.toString('utf8');
		if (!text.includes('PostgreSQL database dump')) throw new BackupError(`${path} is not a pg_dump file`);
	}
	const blocks = parseCopyBlocks(text);
	const migrations = blocks.get('drizzle.__drizzle_migrations');
	if (!migrations) throw new BackupError(`${path} has no mynumber-vault migration table: it is not a dump of a mynumber-vault database`);
	const raw = {} as Record<Table, RawRow[]>;
	for (const table of Object.keys(TABLES) as Table[]) {
		const rows = blocks.get(`public.${table}`);
		if (!rows) throw new BackupError(`${path} has no data for table ${table}: dump the whole database`);
		raw[table] = rows;
	}
	const ordered = [...migrations].sort((a, b) => Number(a.created_at) - Number(b.created_at));
	return toRows(`pg_dump file ${path}`, ordered.map((r) => textOf(r.hash, 'migration')), raw, blocks.get('public.invitations') ?? []);
}

// ── Entry ─────────────────────────────────────────────────────────────────────────────────

/**
 * Reads a backup: a `postgres://` URL, a PGlite data folder, or a pg_dump file.
 * @throws BackupError with a message for the operator when it is none of these or is damaged.
 */
export async function readBackup(from: string): Promise<BackupRows> {
	if (/^postgres(ql)?:\/\//.test(from)) return readPostgres(from);
	if (!existsSync(from)) throw new BackupError(`${from} does not exist`);
	return statSync(from).isDirectory() ? readPgliteFolder(from) : readDumpFile(from);
}

/** Hashes of the migrations this version of the tool knows, as drizzle records them (SHA-256 of each SQL file). */
export function knownMigrationHashes(folder = MIGRATIONS_FOLDER): string[] {
	return readdirSync(folder)
		.filter((f) => f.endsWith('.sql'))
		.sort()
		.map((f) => createHash('sha256').update(readFileSync(join(folder, f), 'utf8')).digest('hex'));
}

/**
 * Refuses a backup made by a version of mynumber-vault this tool does not know (a newer or a
 * different one): its tables may mean something else.
 */
export function checkBackupVersion(rows: BackupRows, known = knownMigrationHashes()): void {
	if (rows.migrationHashes.length === 0) throw new BackupError('the backup has no applied migrations: it is empty or not a mynumber-vault database');
	const unknown = rows.migrationHashes.filter((h) => !known.includes(h));
	if (unknown.length) {
		throw new BackupError(
			`the backup was made by another version of mynumber-vault (${unknown.length} schema migration(s) this tool does not know); run the recover tool of the version that made the backup`
		);
	}
}
