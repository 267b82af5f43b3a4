/**
 * Runs bench/crypto.ts inside headless Chromium (Debian's /usr/bin/chromium, never a downloaded
 * browser). The bench is bundled with esbuild (tsx's own dependency) into a temp dir and served by
 * a tiny node:http server on 127.0.0.1 (a secure context, so WebCrypto is there). Offline.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import type { CryptoBenchOptions, CryptoFigure } from './crypto';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function runCryptoBenchInChromium(opts: Omit<CryptoBenchOptions, 'log'> & { log?: (line: string) => void }): Promise<{ figures: CryptoFigure[]; browserVersion: string }> {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-bench-browser-'));
	const server = createServer();
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
	});
	try {
		const entry = join(dir, 'entry.ts');
		const out = join(dir, 'bench.js');
		await build({
			stdin: {
				contents: `import { runCryptoBench } from ${JSON.stringify(join(here, 'crypto.ts'))};\n(globalThis as any).runCryptoBench = (o: object) => runCryptoBench({ ...o, log: (line: string) => console.log(line) });\n`,
				loader: 'ts',
				resolveDir: here,
				sourcefile: entry
			},
			bundle: true,
			format: 'iife',
			platform: 'browser',
			target: 'es2022',
			minify: true,
			outfile: out,
			logLevel: 'warning'
		});
		const script = readFileSync(out);
		const html = '<!doctype html><meta charset="utf-8"><title>crypto bench</title><script src="/bench.js"></script>';
		server.on('request', (req, res) => {
			if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
			else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
			else res.writeHead(404).end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;

		const page = await browser.newPage();
		page.on('console', (msg) => opts.log?.(msg.text()));
		page.on('pageerror', (err) => console.error(`chromium page error: ${err.message}`));
		await page.goto(`http://127.0.0.1:${port}/`);
		const { log: _log, ...plain } = opts;
		// A string, not a function: tsx compiles this file with keepNames, and its __name helper
		// does not exist in the page.
		const figures = (await page.evaluate(`globalThis.runCryptoBench(${JSON.stringify(plain)})`)) as CryptoFigure[];
		return { figures, browserVersion: browser.version() };
	} finally {
		await browser.close();
		await new Promise<void>((resolve) => server.close(() => resolve()));
		rmSync(dir, { recursive: true, force: true });
	}
}
