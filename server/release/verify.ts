/**
 * Checking that a running server serves the released front end (issue 7 item 5). The browser
 * runs whatever JavaScript the server sends; a server that shipped code skipping every check
 * would defeat the zero-knowledge design. This cannot stop that inside the browser, but anyone
 * can compare what an instance serves with a build made from the release's source, file by file.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** SHA-256 (hex) of every file the front end consists of, by URL path. */
export interface BuildManifest {
	version: string;
	files: Record<string, string>;
}

/** Files in the build folder that are not served as part of the app. */
const NOT_SERVED = new Set(['/.stamp']);

/** Hashes every file below `dir` (the output of `npm run build`). */
export function manifestOf(dir: string, version: string): BuildManifest {
	const files: Record<string, string> = {};
	const walk = (at: string) => {
		for (const name of readdirSync(at).sort()) {
			const path = join(at, name);
			if (statSync(path).isDirectory()) walk(path);
			else {
				const url = '/' + relative(dir, path).split(sep).join('/');
				if (!NOT_SERVED.has(url)) files[url] = createHash('sha256').update(readFileSync(path)).digest('hex');
			}
		}
	};
	walk(dir);
	return { version, files };
}

export interface ServedCheck {
	matched: number;
	/** Paths whose served bytes differ from the manifest. */
	differs: string[];
	/** Paths the server did not serve (an error status). */
	missing: string[];
	/** HTML pages whose Content-Security-Policy allows inline or eval'd script. */
	weakPolicy: string[];
}

/**
 * Fetches every file of the manifest from `baseUrl` and compares hashes; for HTML pages also
 * checks that the policy still forbids inline and eval'd script.
 */
export async function checkServed(baseUrl: string, manifest: BuildManifest, fetchImpl: typeof fetch = fetch, concurrency = 8): Promise<ServedCheck> {
	const result: ServedCheck = { matched: 0, differs: [], missing: [], weakPolicy: [] };
	const paths = Object.keys(manifest.files);
	let next = 0;
	const worker = async () => {
		while (next < paths.length) {
			const path = paths[next++]!;
			const response = await fetchImpl(new URL(path, baseUrl), { headers: { 'cache-control': 'no-cache' } });
			if (!response.ok) {
				result.missing.push(path);
				await response.body?.cancel();
				continue;
			}
			const digest = createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex');
			if (digest === manifest.files[path]) result.matched++;
			else result.differs.push(path);
			if (path.endsWith('.html')) {
				const policy = response.headers.get('content-security-policy') ?? '';
				const script = /(?:^|;)\s*script-src([^;]*)/.exec(policy)?.[1] ?? null;
				if (script === null || /'unsafe-inline'|'unsafe-eval'|\*/.test(script)) result.weakPolicy.push(path);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
	for (const list of [result.differs, result.missing, result.weakPolicy]) list.sort();
	return result;
}
