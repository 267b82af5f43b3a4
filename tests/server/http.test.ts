import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { scratchDb } from '../support/databases';

describe('serving the app', () => {
	let app: RunningServer;
	let staticDir: string;

	beforeAll(async () => {
		staticDir = mkdtempSync(join(tmpdir(), 'mnv-static-'));
		writeFileSync(join(staticDir, '200.html'), '<!doctype html><script>console.log(1)</script><div>app</div>');
		writeFileSync(join(staticDir, 'index.html'), '<!doctype html><div>home</div>');
		writeFileSync(join(staticDir, 'sw.js'), 'self.x=1');
		mkdirSync(join(staticDir, '_app/immutable'), { recursive: true });
		writeFileSync(join(staticDir, '_app/immutable/a.js'), 'export{}');
		app = await startServer({ db: (await scratchDb('pglite')).options, port: 0, host: '127.0.0.1', staticDir, quiet: true });
	});
	afterAll(async () => {
		await app.close();
		rmSync(staticDir, { recursive: true, force: true });
	});

	it('answers the health check', async () => {
		const res = await fetch(`${app.url}/healthz`);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ ok: true, backend: 'pglite' });
	});

	it('sends strict security headers, and a CSP that allows only hashed inline scripts', async () => {
		const res = await fetch(`${app.url}/desk/company?id=1`);
		expect(res.status).toBe(200);
		expect(await res.text()).toContain('app');
		const csp = res.headers.get('content-security-policy')!;
		expect(csp).toContain("default-src 'self'");
		expect(csp).toContain("connect-src 'self'");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+\/=]+'/);
		expect(csp.split(';').find((d) => d.trim().startsWith('script-src'))).not.toContain('unsafe-inline');
		expect(res.headers.get('referrer-policy')).toBe('no-referrer');
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
		expect(res.headers.get('permissions-policy')).toContain('camera=(self)');
	});

	it('never lets the service worker be cached, and caches immutable assets for a year', async () => {
		expect((await fetch(`${app.url}/sw.js`)).headers.get('cache-control')).toBe('no-cache');
		expect((await fetch(`${app.url}/_app/immutable/a.js`)).headers.get('cache-control')).toContain('immutable');
	});

	it('compresses scripts and pages with brotli or gzip as the browser accepts, and sends them plain otherwise', async () => {
		const script = 'export const text = "' + 'マイナンバー'.repeat(2000) + '";';
		writeFileSync(join(staticDir, '_app/immutable/big.js'), script);
		/** A raw GET (fetch would decode the body and hide the encoding). */
		const get = (path: string, acceptEncoding?: string) =>
			new Promise<{ encoding: string | undefined; vary: string | undefined; length: number; body: Buffer }>((done, fail) => {
				const req = request(`${app.url}${path}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => done({ encoding: res.headers['content-encoding'], vary: res.headers.vary, length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
				});
				req.on('error', fail);
				req.end();
			});
		const br = await get('/_app/immutable/big.js', 'gzip, deflate, br');
		expect(br.encoding).toBe('br');
		expect(br.vary).toBe('Accept-Encoding');
		expect(br.length).toBe(br.body.length);
		expect(br.body.length).toBeLessThan(Buffer.byteLength(script) / 10);
		expect(brotliDecompressSync(br.body).toString()).toBe(script);
		const gz = await get('/_app/immutable/big.js', 'gzip;q=1, br;q=0');
		expect(gz.encoding).toBe('gzip');
		expect(gunzipSync(gz.body).toString()).toBe(script);
		const plain = await get('/_app/immutable/big.js');
		expect(plain.encoding).toBeUndefined();
		expect(plain.vary).toBe('Accept-Encoding');
		expect(plain.body.toString()).toBe(script);
		const page = await get('/desk', 'br');
		expect(page.encoding).toBe('br');
		expect(brotliDecompressSync(page.body).toString()).toContain('app');
	});

	it('does not serve files outside the build folder', async () => {
		const res = await fetch(`${app.url}/..%2f..%2fetc%2fpasswd`);
		expect(res.status).toBe(404);
		expect(await res.text()).not.toContain('root:');
	});

	it('refuses state-changing API calls from another origin', async () => {
		const res = await fetch(`${app.url}/trpc/auth.logout`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
		expect(res.status).toBe(403);
		expect(((await res.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe('origin_rejected');
	});

	it('keeps query strings out of the log', async () => {
		const lines: string[] = [];
		const original = app.services.log.info;
		app.services.log.info = (msg, fields) => lines.push(JSON.stringify({ msg, ...fields }));
		try {
			await (await fetch(`${app.url}/join?token=secret-value-123`)).text();
			await new Promise((r) => setTimeout(r, 50));
		} finally {
			app.services.log.info = original;
		}
		expect(lines.join('\n')).toContain('/join');
		expect(lines.join('\n')).not.toContain('secret-value-123');
	});
});
