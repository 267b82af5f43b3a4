/**
 * `npm run demo`: the app with a fictitious 社労士 office in one command. Wipes and recreates a demo
 * data folder (`./demo-data`, or `DEMO_DIR`; never `DATA_DIR`'s), starts the real server in this
 * process on an embedded database there (PORT and HOST as `npm start` reads them), seeds it through
 * the HTTP API with the browsers' crypto (scripts/demo-seed.ts), and prints the users, the
 * passphrase and where to start. Ctrl-C stops the server.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { startServer, type RunningServer } from '../server/app';
import { acquireDirLock, DataDirLockedError } from '../server/db/lock';
import { readEnv } from '../server/env';
import { createLogger, type Logger } from '../server/log';
import { demoClock, formatDemoSummary, seedDemo } from './demo-seed';

/** A file the demo leaves in its folder: only a folder holding it (or an empty one) is ever wiped. */
const MARKER = '.mynumber-vault-demo';

function refuse(message: string): never {
	process.stderr.write(`\nnpm run demo: ${message}\n`);
	process.exit(1);
}

/** Checks that `dir` is ours to wipe, says so, and recreates it empty with the marker. */
function prepareFolder(dir: string, dataDir: string): void {
	const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
	if (inside(dataDir, dir)) refuse(`DEMO_DIR (${dir}) holds the real data folder DATA_DIR (${dataDir}); choose another DEMO_DIR.`);
	if ([process.cwd(), homedir(), resolve('/')].includes(dir)) refuse(`DEMO_DIR (${dir}) must be a folder of its own.`);
	if (existsSync(dir)) {
		const entries = readdirSync(dir);
		if (entries.length && !entries.includes(MARKER)) {
			refuse(`${dir} exists and was not made by the demo (no ${MARKER} in it). Choose another DEMO_DIR or remove it yourself.`);
		}
		// A demo still running on this folder keeps its lock: stop here rather than pull its files away.
		if (entries.includes('pglite.lock')) {
			try {
				acquireDirLock(join(dir, 'pglite.lock')).release();
			} catch (error) {
				if (error instanceof DataDirLockedError) refuse(`another demo is running on ${dir} (pid ${error.holderPid}); stop it first (Ctrl-C).`);
				throw error;
			}
		}
	}
	console.log(`Demo: wiping ${dir} and filling it with fictitious demo data (デモ用の架空データ)…`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, MARKER), 'Made by `npm run demo`: fictitious demo data, wiped and recreated by the next run.\n');
}

/** After seeding: warnings and errors on the console, request lines only in LOG_FILE (the summary stays readable). */
function quietLogger(file: string | undefined): Logger {
	const toFile = createLogger({ file, quiet: true });
	const loud = createLogger({ file });
	return { info: toFile.info, warn: loud.warn, error: loud.error, banner: loud.banner };
}

async function main(): Promise<void> {
	const env = readEnv();
	const dir = resolve(process.env.DEMO_DIR || './demo-data');
	prepareFolder(dir, resolve(env.DATA_DIR));
	if (env.DATABASE_URL) console.log('Demo: DATABASE_URL is ignored; the demo always runs on an embedded database in its own folder.');

	let running: RunningServer | null = null;
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\nDemo: stopping (${signal})…`);
		const closed = running ? running.close() : Promise.resolve();
		closed.then(
			() => process.exit(0),
			() => process.exit(1)
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));

	const clock = demoClock();
	try {
		running = await startServer({
			db: { dataDir: dir },
			port: env.PORT,
			host: env.HOST,
			staticDir: env.STATIC_DIR,
			trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
			logFile: env.LOG_FILE,
			quiet: true,
			now: clock.now,
			// Cheaper password hashes (2^12 instead of 2^15) for fictitious users: each hash names its own
			// cost, so they verify like any other; the phone-side KDF of employees is unchanged.
			config: { uploadLimitBytes: Math.floor(env.UPLOAD_LIMIT_MB * 1024 * 1024), passwordLogN: 12 }
		});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') refuse(`port ${env.PORT} is in use (is \`npm start\` running?). Set PORT to another port, e.g. PORT=3100 npm run demo.`);
		throw error;
	}
	if (stopping) return;
	const port = (running.server.address() as AddressInfo).port;
	// The seeding clients talk to the socket directly; people get the server's own URL.
	const host = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(env.HOST) ? '127.0.0.1' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
	console.log(`Demo: server started at ${running.url}; seeding an office, two companies and their people…`);
	const started = performance.now();
	try {
		const result = await seedDemo({
			baseUrl: `http://${host}:${port}`,
			setupToken: running.services.setup.token!,
			clock,
			log: (line) => console.log(`  ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}`)
		});
		running.services.log = quietLogger(env.LOG_FILE);
		console.log('\n' + formatDemoSummary(result, { url: running.url, dataDir: dir, seconds: (performance.now() - started) / 1000 }) + '\n');
	} catch (error) {
		if (stopping) return;
		await running.close().catch(() => undefined);
		throw error;
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`\nnpm run demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
