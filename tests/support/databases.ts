/**
 * Real databases for tests: a migrated PGlite cloned per test (STACK.md §4.4), and, when
 * TEST_DATABASE_URL or DATABASE_URL points at a PostgreSQL server, a scratch database per
 * test file on it (created and dropped here).
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { openDb, type OpenDbOptions } from '../../server/db';

export type Backend = 'pglite' | 'postgres';

/** The PostgreSQL server to make scratch databases on, if any. */
export const adminDatabaseUrl: string | undefined = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

/** Backends this run exercises: always PGlite; PostgreSQL when a URL is configured. */
export const backends: Backend[] = adminDatabaseUrl ? ['pglite', 'postgres'] : ['pglite'];

let migratedTemplate: Promise<Blob> | undefined;

async function pgliteTemplate(): Promise<Blob> {
	migratedTemplate ??= (async () => {
		const handle = await openDb({ memory: true });
		const blob = await handle.pglite!.dumpDataDir('none');
		await handle.close();
		return blob;
	})();
	return migratedTemplate;
}

export interface ScratchDb {
	options: OpenDbOptions;
	drop(): Promise<void>;
}

/** Options for `openDb` pointing at a fresh, empty (migrated on open) database. */
export async function scratchDb(backend: Backend): Promise<ScratchDb> {
	if (backend === 'pglite') {
		return { options: { memory: true, loadDataDir: await pgliteTemplate() }, drop: async () => {} };
	}
	if (!adminDatabaseUrl) throw new Error('no PostgreSQL configured');
	const name = `mnv_test_${randomBytes(6).toString('hex')}`;
	const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	await admin.end();
	const url = new URL(adminDatabaseUrl);
	url.pathname = `/${name}`;
	return {
		options: { databaseUrl: url.toString(), maxConnections: 10 },
		async drop() {
			const a = postgres(adminDatabaseUrl!, { max: 1, onnotice: () => {} });
			await a.unsafe(`drop database if exists ${name} with (force)`);
			await a.end();
		}
	};
}

/** Every row of every table in the public schema, as text (bytea as hex), for leak searches. */
export async function dumpAllTables(rows: (q: ReturnType<typeof import('drizzle-orm').sql>) => Promise<Record<string, unknown>[]>): Promise<string> {
	const { sql } = await import('drizzle-orm');
	const tables = await rows(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`);
	let out = '';
	for (const t of tables) {
		const name = String(t.table_name);
		const data = await rows(sql.raw(`select t::text as row from "${name}" t`));
		out += `# ${name}\n` + data.map((d) => String(d.row)).join('\n') + '\n';
	}
	return out;
}

export { PGlite };
