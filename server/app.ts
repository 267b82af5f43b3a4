/** Wires the database, services and HTTP server together; used by main.ts, tests and the bench. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { defaultConfig, type ServerConfig, type Services } from './api/trpc';
import { openDb, type DbHandle, type OpenDbOptions } from './db';
import { organisations } from './db/schema';
import { createAppServer } from './http';
import { createLogger, type Logger } from './log';
import { SWEEP_INTERVAL_MS, sweepOnce } from './sweep';

export interface StartOptions {
	db: OpenDbOptions;
	port: number;
	host: string;
	staticDir: string;
	trustProxy?: boolean;
	config?: Partial<ServerConfig>;
	logFile?: string;
	quiet?: boolean;
	now?: () => Date;
}

export interface RunningServer {
	url: string;
	services: Services;
	handle: DbHandle;
	server: Server;
	log: Logger;
	/** The setup link while no organisation exists. */
	setupUrl: string | null;
	close(): Promise<void>;
}

/** Opens the database, starts listening and prints the URL (and the setup link if needed). */
export async function startServer(options: StartOptions): Promise<RunningServer> {
	const log = createLogger({ file: options.logFile, quiet: options.quiet });
	const handle = await openDb(options.db);
	try {
		const needsSetup = (await handle.db.select({ id: organisations.id }).from(organisations).limit(1)).length === 0;
		const services: Services = {
			handle,
			log,
			config: { ...defaultConfig, ...options.config },
			setup: { token: needsSetup ? randomBytes(24).toString('base64url') : null },
			now: options.now ?? (() => new Date())
		};
		const server = createAppServer(services, { staticDir: options.staticDir, trustProxy: options.trustProxy ?? false });
		server.requestTimeout = 120_000;
		await new Promise<void>((resolveListen, reject) => {
			server.once('error', reject);
			server.listen(options.port, options.host, () => resolveListen());
		});
		const address = server.address() as AddressInfo;
		const shownHost = options.host === '0.0.0.0' || options.host === '::' || options.host === '127.0.0.1' ? 'localhost' : options.host;
		const url = `http://${shownHost}:${address.port}`;
		// The token sits in the fragment: browsers never send it in a request line or a Referer.
		const setupUrl = services.setup.token ? `${url}/setup#${services.setup.token}` : null;
		// One write, so a reader of the console sees the URL and the setup link together.
		log.banner(
			`mynumber-vault is running at ${url} (database: ${handle.backend})` +
				(setupUrl ? `\nFirst run: open this one-time setup link to create your organisation:\n  ${setupUrl}` : '')
		);
		// One tick runs every sweep: abandoned photos, and photos past their company's retention after acceptance.
		const sweep = async () => {
			const result = await sweepOnce(handle.db, services.now(), services.config.abandonedPhotoDays);
			if (result.abandoned) log.info('abandoned photos deleted', { count: result.abandoned });
			if (result.minimised) log.info('photos deleted after acceptance (retention)', { count: result.minimised });
			for (const { job, error } of result.failed) log.warn('photo sweep failed', { job, error });
		};
		void sweep();
		const sweeper = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
		sweeper.unref();
		return {
			url,
			services,
			handle,
			server,
			log,
			setupUrl,
			async close() {
				clearInterval(sweeper);
				await new Promise<void>((r) => {
					server.close(() => r());
					server.closeAllConnections();
				});
				await handle.close();
			}
		};
	} catch (error) {
		await handle.close();
		throw error;
	}
}
