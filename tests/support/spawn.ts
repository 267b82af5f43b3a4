/** Starts `server/main.ts` as a real child process, as `npm start` does, and reads its console. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ServerProcess {
	child: ChildProcess;
	url: string;
	setupUrl: string | null;
	/** Milliseconds from spawn until /healthz answered 200. */
	readyMs: number;
	output(): string;
	/** Resident memory of the server process, in bytes (Linux). */
	rssBytes(): number;
	stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnServer(env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<ServerProcess> {
	const started = performance.now();
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
		env: { ...process.env, PORT: '0', DATABASE_URL: '', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let out = '';
	child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('server did not start:\n' + out)), opts.timeoutMs ?? 60_000);
		const check = () => {
			const m = /is running at (http:\/\/\S+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve(m[1]!.replace('//localhost:', '//127.0.0.1:'));
			}
		};
		child.stdout!.on('data', check);
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}:\n${out}`));
		});
	});
	for (;;) {
		try {
			if ((await fetch(`${url}/healthz`)).ok) break;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 20));
	}
	const readyMs = performance.now() - started;
	const setupUrl = /(http:\/\/\S+\/setup#\S+)/.exec(out)?.[1]?.replace('//localhost:', '//127.0.0.1:') ?? null;
	return {
		child,
		url,
		setupUrl,
		readyMs,
		output: () => out,
		rssBytes() {
			const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
			return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
		},
		async stop(signal = 'SIGTERM') {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise((r) => child.on('exit', r));
			child.kill(signal);
			await exited;
		}
	};
}
