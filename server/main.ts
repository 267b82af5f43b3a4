/** `npm start`: reads the environment, starts the server, and shuts down cleanly on a signal. */
import { DataDirLockedError } from './db/lock';
import { readEnv } from './env';
import { startServer } from './app';

async function main(): Promise<void> {
	const env = readEnv();
	const running = await startServer({
		db: env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR },
		port: env.PORT,
		host: env.HOST,
		staticDir: env.STATIC_DIR,
		trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
		logFile: env.LOG_FILE,
		config: { uploadLimitBytes: Math.floor(env.UPLOAD_LIMIT_MB * 1024 * 1024) }
	});
	let closing = false;
	const shutdown = (signal: string) => {
		if (closing) return;
		closing = true;
		running.log.info('shutting down', { signal });
		running.close().then(
			() => process.exit(0),
			() => process.exit(1)
		);
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
	if (error instanceof DataDirLockedError) {
		process.stderr.write(`\nmynumber-vault cannot start: ${error.message}\n`);
	} else {
		process.stderr.write(`\nmynumber-vault cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
	}
	process.exit(1);
});
