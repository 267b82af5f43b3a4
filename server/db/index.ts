/**
 * One `openDb()` for both backends: embedded PGlite in a data folder by default,
 * PostgreSQL through postgres.js when a URL is given. Migrations from `drizzle/` are applied
 * on open, so a fresh folder or database is ready to serve.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { acquireDirLock, type DirLock } from './lock';
import * as schema from './schema';

export { schema };
export type Schema = typeof schema;
/** The drizzle database both drivers implement. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** The handle a `db.transaction()` callback receives. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface OpenDbOptions {
	/** postgres://… — when set, PostgreSQL is used and `dataDir` is ignored. */
	databaseUrl?: string;
	/** Folder for the embedded database (PGlite keeps its files in `<dataDir>/pglite`). */
	dataDir?: string;
	/** In-memory PGlite (tests). */
	memory?: boolean;
	/** Start PGlite from a tarball made by `dumpDataDir` (fast test databases, STACK.md §4.4). */
	loadDataDir?: Blob;
	/** postgres.js pool size. */
	maxConnections?: number;
}

export interface DbHandle {
	db: Db;
	backend: 'pglite' | 'postgres';
	/** Rows of a raw query, whatever the driver's result shape. */
	rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]>;
	/** The PGlite instance (only for the embedded backend). */
	pglite?: PGlite;
	close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

// PGlite's default bytea codec goes byte by byte; hex through Buffer is ~10× faster (STACK.md §4.4).
const BYTEA_OID = 17;
const byteaCodec = {
	serializers: { [BYTEA_OID]: (v: unknown) => '\\x' + Buffer.from(v as Uint8Array).toString('hex') },
	parsers: { [BYTEA_OID]: (s: string) => new Uint8Array(Buffer.from(s.slice(2), 'hex')) }
};

/**
 * Opens (and migrates) the database.
 * @throws Error with a readable message when the PGlite folder is held by another process
 *   or PostgreSQL cannot be reached.
 */
export async function openDb(options: OpenDbOptions): Promise<DbHandle> {
	if (options.databaseUrl) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
	return openPglite(options);
}

async function openPglite(options: OpenDbOptions): Promise<DbHandle> {
	let lock: DirLock | undefined;
	let dataDir: string | undefined;
	if (!options.memory) {
		const base = resolve(options.dataDir ?? './data');
		mkdirSync(base, { recursive: true });
		lock = acquireDirLock(join(base, 'pglite.lock'));
		dataDir = join(base, 'pglite');
	}
	try {
		const pglite = await PGlite.create({
			...(dataDir ? { dataDir } : {}),
			...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
			...byteaCodec
		});
		const db = drizzlePglite(pglite, { schema }) as unknown as Db;
		await migratePglite(drizzlePglite(pglite, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
		return {
			db,
			backend: 'pglite',
			pglite,
			async rows<T>(query: ReturnType<typeof sql>) {
				const result = (await db.execute(query)) as unknown as { rows: T[] };
				return result.rows;
			},
			async close() {
				try {
					await pglite.close();
				} finally {
					lock?.release();
				}
			}
		};
	} catch (error) {
		lock?.release();
		throw error;
	}
}

async function openPostgres(url: string, max: number): Promise<DbHandle> {
	const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
	try {
		await client`select 1`;
	} catch (error) {
		await client.end({ timeout: 1 });
		throw new Error(`cannot connect to PostgreSQL (${describeConnectError(error)})`, { cause: error });
	}
	const db = drizzlePostgres(client, { schema });
	// Two servers may start at once on one database: serialise the migrations with a session
	// lock held on a reserved connection while the pool runs them.
	const lockConnection = await client.reserve();
	try {
		await lockConnection`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
		await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
	} finally {
		await lockConnection`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => undefined);
		lockConnection.release();
	}
	return {
		db: db as unknown as Db,
		backend: 'postgres',
		async rows<T>(query: ReturnType<typeof sql>) {
			return (await db.execute(query)) as unknown as T[];
		},
		async close() {
			await client.end({ timeout: 5 });
		}
	};
}

const MIGRATION_LOCK_KEY = 0x6d6e7601; // 'mnv' 1

function describeConnectError(error: unknown): string {
	if (error && typeof error === 'object' && 'code' in error) return String((error as { code: unknown }).code);
	return error instanceof Error ? error.message : 'unknown error';
}
