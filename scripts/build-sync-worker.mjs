#!/usr/bin/env node
// Bundles the service worker's Background Sync handler (src/lib/outbox/sync.ts) into build/outbox-sync.js, which
// the generated sw.js loads with importScripts (vite.config.ts). A separate build because generateSW writes the
// worker itself; the handler reuses the page's outbox and upload client instead of a second implementation.
// Runs after `vite build` (package.json "build").
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(join(root, 'build', 'sw.js'))) {
	console.error('build-sync-worker: build/sw.js is missing; run vite build first');
	process.exit(1);
}
await build({
	configFile: false,
	root,
	logLevel: 'warn',
	resolve: { alias: { $lib: join(root, 'src/lib') } },
	build: {
		outDir: join(root, 'build'),
		emptyOutDir: false,
		copyPublicDir: false,
		target: 'es2022',
		minify: true,
		lib: { entry: join(root, 'src/lib/outbox/sync.ts'), formats: ['iife'], name: 'mnvOutboxSync', fileName: () => 'outbox-sync.js' }
	}
});
