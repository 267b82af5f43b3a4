/**
 * The one HTTP server: the tRPC API under /trpc, a health check, and the built SPA with
 * security headers. Built on node:http so the 413 path and the headers stay under our control.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { sql } from 'drizzle-orm';
import { appRouter } from './api/root';
import { createContextInner, type Services } from './api/trpc';
import { readCookie, resolveSession, SESSION_COOKIE } from './auth/session';
import { message, pickLang } from './messages';

export interface HttpOptions {
	staticDir: string;
	trustProxy: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.webp': 'image/webp',
	'.woff2': 'font/woff2',
	'.txt': 'text/plain; charset=utf-8',
	'.wasm': 'application/wasm',
	// tesseract checks the gzip magic itself: no Content-Encoding (STACK.md §4.1)
	'.gz': 'application/gzip'
};

/** Hashes of inline scripts in an HTML file, so the CSP can allow exactly those and nothing else. */
function inlineScriptHashes(html: string): string[] {
	const hashes: string[] = [];
	for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
		const body = match[1] ?? '';
		if (body.trim()) hashes.push(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
	}
	return hashes;
}

function contentSecurityPolicy(scriptHashes: string[]): string {
	return [
		"default-src 'self'",
		// 'wasm-unsafe-eval' lets the self-hosted tesseract core compile its WebAssembly (OCR); it allows no JS eval.
		`script-src 'self' 'wasm-unsafe-eval'${scriptHashes.length ? ' ' + scriptHashes.join(' ') : ''}`,
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' blob: data:",
		"font-src 'self'",
		"connect-src 'self'",
		"worker-src 'self' blob:",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
}

function setSecurityHeaders(res: ServerResponse, csp: string, secure: boolean): void {
	res.setHeader('Content-Security-Policy', csp);
	res.setHeader('X-Content-Type-Options', 'nosniff');
	res.setHeader('Referrer-Policy', 'no-referrer');
	res.setHeader('X-Frame-Options', 'DENY');
	res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
	res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
	res.setHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()');
	if (secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.statusCode = status;
	res.setHeader('Content-Type', 'application/json; charset=utf-8');
	res.setHeader('Cache-Control', 'no-store');
	res.end(JSON.stringify(body));
}

/** A tRPC-shaped error body, so the client raises a normal TRPCClientError. */
function sendTrpcError(res: ServerResponse, status: number, code: string, jsonRpcCode: number, text: string, appCode: string): void {
	sendJson(res, status, { error: { message: text, code: jsonRpcCode, data: { code, httpStatus: status, appCode } } });
}

/** Creates the server (not yet listening). */
export function createAppServer(services: Services, options: HttpOptions): Server {
	const staticRoot = resolve(options.staticDir);
	const htmlCache = new Map<string, { body: Buffer; csp: string }>();
	const baseCsp = contentSecurityPolicy([]);

	function clientIp(req: IncomingMessage): string {
		if (options.trustProxy) {
			// The proxy in front of us appends the address it saw: the last entry. Anything before it
			// came from the client and may be forged (it would walk past the IP allowlist and throttle).
			const forwarded = req.headers['x-forwarded-for'];
			const last = typeof forwarded === 'string' ? forwarded.split(',').at(-1)?.trim() : undefined;
			if (last) return last.slice(0, 64);
		}
		return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
	}

	function isSecure(req: IncomingMessage): boolean {
		if ('encrypted' in req.socket && req.socket.encrypted) return true;
		return options.trustProxy && req.headers['x-forwarded-proto'] === 'https';
	}

	/** Same-origin check for state-changing calls (SameSite=Strict is the first line). */
	function originAllowed(req: IncomingMessage): boolean {
		const site = req.headers['sec-fetch-site'];
		if (site === 'cross-site' || site === 'same-site') return false;
		const origin = req.headers.origin;
		if (!origin) return true;
		try {
			return new URL(origin).host === req.headers.host;
		} catch {
			return false;
		}
	}

	async function handleTrpc(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
		const lang = pickLang(header(req, 'x-mnv-lang'), header(req, 'accept-language'));
		if (req.method !== 'GET' && !originAllowed(req)) {
			req.resume();
			return sendTrpcError(res, 403, 'FORBIDDEN', -32003, message('origin_rejected', lang), 'origin_rejected');
		}
		const limit = services.config.uploadLimitBytes;
		const declared = Number(req.headers['content-length'] ?? 0);
		const tooLarge = () => {
			// Drain instead of resetting, so the browser sees the 413 and its message (STACK.md §4.5).
			req.resume();
			res.setHeader('Connection', 'close');
			const text = message('upload_too_large', lang, { limit: `${Math.floor(limit / 1048576)} MB` });
			return sendTrpcError(res, 413, 'PAYLOAD_TOO_LARGE', -32013, text, 'upload_too_large');
		};
		if (declared > limit) return tooLarge();
		// tRPC decodes input leniently: invalid UTF-8 would become U+FFFD and be stored as such. JSON bodies
		// are read here and must be UTF-8; so must the query string (`?input=`).
		const invalidText = () => sendTrpcError(res, 400, 'BAD_REQUEST', -32600, message('invalid_input', lang), 'invalid_input');
		try {
			decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').search);
		} catch {
			req.resume();
			return invalidText();
		}
		if (req.method === 'POST' && (header(req, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase() === 'application/json') {
			const body = await readBody(req, limit);
			if (body === 'aborted') return void res.destroy();
			if (body === 'too_large') return tooLarge();
			try {
				(req as IncomingMessage & { body?: string }).body = STRICT_UTF8.decode(body);
			} catch {
				return invalidText();
			}
		}
		const secure = isSecure(req);
		const cookies: string[] = [];
		const now = services.now();
		const session = await resolveSession(services.handle.db, readCookie(req.headers.cookie, SESSION_COOKIE), now, services.config.handlerIdleSeconds);
		await nodeHTTPRequestHandler({
			router: appRouter,
			req,
			res,
			path: pathname.slice('/trpc/'.length),
			maxBodySize: limit,
			allowMethodOverride: true,
			createContext: () =>
				createContextInner({
					services,
					session,
					req: {
						ip: clientIp(req),
						userAgent: (header(req, 'user-agent') ?? '').slice(0, 400),
						lang,
						headers: req.headers,
						secure,
						setCookie(value) {
							cookies.push(value);
							res.setHeader('Set-Cookie', cookies);
						}
					}
				}),
			onError({ error, path }) {
				if (error.code === 'INTERNAL_SERVER_ERROR') {
					const cause = error.cause as { code?: unknown; name?: string; cause?: { code?: unknown } } | undefined;
					// drizzle wraps the driver's error: its SQLSTATE is one level further down. The code only, never the message or detail.
					const code = typeof cause?.code === 'string' ? cause.code : typeof cause?.cause?.code === 'string' ? cause.cause.code : null;
					services.log.error('procedure failed', { path: path ?? null, cause: cause?.name ?? null, sqlState: code });
				}
			}
		});
	}

	async function handleHealth(res: ServerResponse): Promise<void> {
		try {
			await services.handle.rows(sql`select 1 as ok`);
			sendJson(res, 200, { ok: true, backend: services.handle.backend });
		} catch {
			sendJson(res, 503, { ok: false, backend: services.handle.backend });
		}
	}

	function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void | Promise<void> {
		let decoded: string;
		try {
			decoded = decodeURIComponent(pathname);
		} catch {
			return sendJson(res, 400, { error: 'bad path' });
		}
		const candidate = normalize(join(staticRoot, decoded));
		if (candidate !== staticRoot && !candidate.startsWith(staticRoot + sep)) return sendJson(res, 404, { error: 'not found' });
		const tries = [candidate, candidate + '.html', join(candidate, 'index.html')];
		let file = tries.find((p) => existsSync(p) && statSync(p).isFile());
		if (!file && !extname(decoded)) file = join(staticRoot, '200.html'); // SPA fallback for app routes
		if (!file || !existsSync(file)) {
			res.statusCode = 404;
			res.setHeader('Content-Type', 'text/plain; charset=utf-8');
			return void res.end('Not found');
		}
		const ext = extname(file);
		res.setHeader('Content-Type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
		if (decoded.startsWith('/_app/immutable/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
		else res.setHeader('Cache-Control', 'no-cache'); // sw.js, HTML and the manifest must revalidate
		if (ext === '.html') {
			let cached = htmlCache.get(file);
			if (!cached) {
				const body = readFileSync(file);
				cached = { body, csp: contentSecurityPolicy(inlineScriptHashes(body.toString('utf8'))) };
				htmlCache.set(file, cached);
			}
			res.setHeader('Content-Security-Policy', cached.csp);
			res.setHeader('Vary', 'Accept-Encoding');
			const htmlEncoding = acceptedEncoding(req);
			// Compressed from the cached body, so the page and its CSP hashes always come from one read.
			if (htmlEncoding) return compressed(file, htmlEncoding, cached.body).then((body) => sendEncoded(req, res, body, htmlEncoding));
			res.setHeader('Content-Length', cached.body.length);
			return void res.end(req.method === 'HEAD' ? undefined : cached.body);
		}
		// Vary on every compressible answer, plain ones too, so a shared cache never hands one client's copy to another.
		if (COMPRESSIBLE.has(ext)) res.setHeader('Vary', 'Accept-Encoding');
		const encoding = COMPRESSIBLE.has(ext) ? acceptedEncoding(req) : null;
		if (encoding) return compressed(file, encoding).then((body) => sendEncoded(req, res, body, encoding));
		res.setHeader('Content-Length', statSync(file).size);
		if (req.method === 'HEAD') return void res.end();
		createReadStream(file).pipe(res);
	}

	/**
	 * Text assets compressed once per file version (in the thread pool), then served from memory. One
	 * entry per file and encoding: a newer version on disk replaces the old one. `raw` is the content
	 * to compress when the caller already holds it (HTML, whose CSP was computed from that read).
	 */
	const compressedCache = new Map<string, { version: string; body: Promise<Buffer> }>();
	function compressed(file: string, encoding: 'br' | 'gzip', raw?: Buffer): Promise<Buffer> {
		const key = `${encoding}:${file}`;
		const version = raw ? `cached:${raw.length}` : String(statSync(file).mtimeMs);
		const hit = compressedCache.get(key);
		if (hit && hit.version === version) return hit.body;
		const content = raw ?? readFileSync(file);
		const body =
			encoding === 'br'
				? brotli(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: content.length } })
				: gzipAsync(content, { level: 9 });
		compressedCache.set(key, { version, body });
		body.catch(() => {
			if (compressedCache.get(key)?.body === body) compressedCache.delete(key);
		});
		return body;
	}

	const server = createServer((req, res) => {
		const started = performance.now();
		setSecurityHeaders(res, baseCsp, isSecure(req));
		let url: URL;
		try {
			url = new URL(req.url ?? '/', 'http://localhost');
		} catch {
			// An absolute-form target the URL parser refuses (`GET http://[ HTTP/1.1`): thrown here, it
			// would be an uncaught exception that stops the process.
			req.resume();
			return sendTrpcError(res, 400, 'BAD_REQUEST', -32600, message('invalid_input', 'ja'), 'invalid_input');
		}
		const pathname = url.pathname;
		res.on('finish', () => {
			// Path only: a query string could carry input, and bodies never reach the log.
			services.log.info('request', {
				method: req.method ?? '',
				path: pathname.slice(0, 200),
				status: res.statusCode,
				ms: Math.round(performance.now() - started)
			});
		});
		const done = (p: Promise<void> | void) =>
			Promise.resolve(p).catch((error: unknown) => {
				services.log.error('request failed', { path: pathname.slice(0, 200), cause: error instanceof Error ? error.name : 'unknown' });
				if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
				else res.destroy();
			});
		if (pathname === '/healthz') return void done(handleHealth(res));
		if (pathname.startsWith('/trpc/')) return void done(handleTrpc(req, res, pathname));
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			req.resume();
			return sendJson(res, 405, { error: 'method not allowed' });
		}
		done(serveStatic(req, res, pathname));
	});
	// A request Node cannot parse (a head over 16 KiB, say an upload's metadata header, or a malformed
	// line) gets the same JSON error as any bad input instead of Node's bare status line.
	server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
		if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
		const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
		const body = JSON.stringify({ error: { message: message('invalid_input', 'ja'), code: -32600, data: { code: 'BAD_REQUEST', httpStatus: status, appCode: 'invalid_input' } } });
		socket.end(
			`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
				`Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`
		);
	});
	return server;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
/** Files worth compressing: scripts, styles, markup, data and WebAssembly (images and fonts already are). */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.json', '.webmanifest', '.svg', '.txt', '.wasm', '.map']);

/** The best encoding the client accepts: brotli, then gzip (`q=0` refuses one). */
function acceptedEncoding(req: IncomingMessage): 'br' | 'gzip' | null {
	const header = String(req.headers['accept-encoding'] ?? '').toLowerCase();
	const accepts = (name: string) => header.split(',').some((part) => {
		const [token, ...params] = part.trim().split(';');
		return token?.trim() === name && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
	});
	return accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : null;
}

function sendEncoded(req: IncomingMessage, res: ServerResponse, body: Buffer, encoding: 'br' | 'gzip'): void {
	res.setHeader('Content-Encoding', encoding);
	res.setHeader('Vary', 'Accept-Encoding');
	res.setHeader('Content-Length', body.length);
	res.end(req.method === 'HEAD' ? undefined : body);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A request body of at most `limit` bytes; 'too_large' (the rest is left to drain) or 'aborted' otherwise. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
	return new Promise((resolveBody) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const finish = (result: Buffer | 'too_large' | 'aborted') => {
			req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
			resolveBody(result);
		};
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) finish('too_large');
			else chunks.push(chunk);
		};
		const onEnd = () => finish(Buffer.concat(chunks));
		const onError = () => finish('aborted');
		req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
	});
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return typeof value === 'string' ? value : undefined;
}
