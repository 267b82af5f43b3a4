// Builds the web front end only when it is missing or older than its sources, so `npm start` and
// `npm run test:e2e` stay fast on a warm checkout; `npm run build` is this with --force. Plain Node, no dependencies.
// Usage: node scripts/ensure-build.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'build/.stamp');
const inputs = ['src', 'static', 'messages', 'project.inlang', 'svelte.config.js', 'vite.config.ts', 'package-lock.json', 'scripts'];
// Generated inside src/ by the paraglide plugin during every build; it must not make the next build look stale.
const ignored = [join(root, 'src/lib/paraglide')];

/** Newest mtime (ms) of a file or of every file below a directory; 0 if it does not exist. */
function newest(path) {
	if (ignored.some((dir) => path === dir || path.startsWith(dir + '/'))) return 0;
	let st;
	try {
		st = statSync(path);
	} catch {
		return 0;
	}
	if (!st.isDirectory()) return st.mtimeMs;
	let max = 0;
	for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
	return max;
}

function reason() {
	if (process.argv.includes('--force')) return 'forced';
	if (!existsSync(join(root, 'build/index.html')) || !existsSync(stamp)) return 'no build yet';
	const built = statSync(stamp).mtimeMs;
	const stale = inputs.find((p) => newest(join(root, p)) > built);
	return stale ? `${stale} changed` : null;
}

const why = reason();
if (why === null) {
	console.log('ensure-build: build/ is up to date');
} else {
	console.log(`ensure-build: building the web app (${why})`);
	const started = new Date();
	// The one build, also behind `npm run build`: the OCR assets and the postal table first (static/, git-ignored; the
	// service worker precaches what is there at build time), then Vite, then the service worker's Background Sync
	// handler, which the generated sw.js imports (a missing one would stop the worker from installing).
	const steps = [
		['scripts/copy-ocr-assets.mjs'],
		['scripts/build-postal-data.mjs'],
		['node_modules/vite/bin/vite.js', 'build'],
		['scripts/build-sync-worker.mjs']
	];
	for (const [script, ...args] of steps) {
		const result = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, stdio: 'inherit' });
		if (result.status !== 0) {
			console.error(`ensure-build: ${script} failed (exit ${result.status ?? result.signal})`);
			process.exit(result.status ?? 1);
		}
	}
	// Date the stamp at the start, so a source edited during the build still triggers the next one.
	writeFileSync(stamp, `${started.toISOString()}\n`);
	utimesSync(stamp, started, started);
	console.log(`ensure-build: done in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s`);
}
