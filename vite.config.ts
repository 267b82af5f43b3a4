import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin, type ResolvedConfig } from 'vite';

const apiServer = 'http://127.0.0.1:3000';

/**
 * Moves SvelteKit's inline bootstrap `<script>` into a same-origin file, so the server can send
 * `script-src 'self'` with no hashes and no 'unsafe-inline'.
 *
 * Kit 2 always inlines a few lines that import the entry chunks and call `kit.start()`. It relies on
 * `document.currentScript.parentElement`, which also holds for a classic `<script src>`, so the code moves
 * unchanged. With `paths.relative: false` the script is identical on every page, so there is one file per build.
 *
 * Order matters (all hooks `sequential`, this plugin after `sveltekit()`):
 * 1. `writeBundle` (server build, after Kit has prerendered): rewrite `.svelte-kit/output/prerendered` and write
 *    the script into `.svelte-kit/output/client/_app/immutable/`, so the PWA step that follows precaches both
 *    the file and the rewritten pages with the right revisions.
 * 2. `closeBundle` (after the adapter has written `build/` and `200.html`): rewrite `build/**.html` too, reusing
 *    the file from step 1, and fail the build if any inline script is left.
 *
 */
function externalKitBootstrap(): Plugin {
	let config: ResolvedConfig;
	const inline = /<script>([\s\S]*?)<\/script>/g;
	const htmlFiles = (dir: string): string[] =>
		readdirSync(dir, { recursive: true, encoding: 'utf8' })
			.filter((f) => f.endsWith('.html'))
			.map((f) => join(dir, f));

	/** Rewrites one directory tree; returns the names of the bootstrap files it needed. */
	function rewrite(htmlDir: string, scriptDir: string): Set<string> {
		const written = new Set<string>();
		for (const file of htmlFiles(htmlDir)) {
			const html = readFileSync(file, 'utf8');
			const out = html.replace(inline, (_tag, code: string) => {
				const body = code.trim() + '\n';
				const name = `bootstrap.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.js`;
				mkdirSync(scriptDir, { recursive: true });
				writeFileSync(join(scriptDir, name), body);
				written.add(name);
				return `<script src="/_app/immutable/${name}"></script>`;
			});
			if (/<script(?![^>]*\ssrc=)[^>]*>/.test(out)) throw new Error(`inline <script> left in ${file}`);
			if (out !== html) writeFileSync(file, out);
		}
		return written;
	}

	let precached = new Set<string>();
	return {
		name: 'mnv:external-kit-bootstrap',
		apply: 'build',
		configResolved(resolved) {
			config = resolved;
		},
		writeBundle: {
			sequential: true,
			order: 'post',
			handler() {
				if (!config.build.ssr) return;
				const out = join(config.root, '.svelte-kit/output');
				precached = rewrite(join(out, 'prerendered'), join(out, 'client/_app/immutable'));
			}
		},
		closeBundle: {
			sequential: true,
			order: 'post',
			handler() {
				if (!config.build.ssr) return;
				const build = join(config.root, 'build');
				const needed = rewrite(build, join(build, '_app/immutable'));
				for (const name of needed) {
					// 200.html is rendered by the adapter after the service worker was generated; its bootstrap
					// must be one the worker already precaches, or the offline shell would not start.
					if (!precached.has(name)) throw new Error(`bootstrap ${name} is not in the service worker precache`);
				}
			}
		}
	};
}

export default defineConfig({
	plugins: [
		sveltekit(),
		externalKitBootstrap(),
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			// Only the language preference is ever persisted on the device.
			strategy: ['localStorage', 'preferredLanguage', 'baseLocale']
		}),
		SvelteKitPWA({
			strategies: 'generateSW',
			// 'prompt': updates wait for the user's consent (see `skipWaiting` below).
			registerType: 'prompt',
			injectRegister: false,
			filename: 'sw.js',
			kit: { adapterFallback: '200.html', spa: true },
			manifest: {
				name: 'マイナンバー保管庫 (mynumber-vault)',
				short_name: 'マイナンバー',
				description: 'マイナンバーをブラウザ内で暗号化して提出・保管します。',
				lang: 'ja',
				start_url: '/',
				scope: '/',
				display: 'standalone',
				theme_color: '#1f4e79',
				background_color: '#f7f8fa',
				icons: [
					{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
					{ src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
					{ src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
				]
			},
			workbox: {
				globPatterns: ['client/**/*.{js,css,html,ico,png,svg,webp,webmanifest,json,gz}', 'prerendered/**/*.{html,json}'],
				// The postal-code table (1 MiB gzip) is not precached: it is fetched and cached on the first lookup.
				globIgnores: ['server/**', 'client/test/**', 'client/postal/**'],
				maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
				navigateFallback: '/200.html',
				navigateFallbackDenylist: [/^\/tesseract\//],
				// A new version waits until the user agrees to reload (src/lib/managers/update.svelte.ts sends
				// SKIP_WAITING, which the generated worker then honours); the first install still takes the page at once.
				skipWaiting: false,
				clientsClaim: true,
				cleanupOutdatedCaches: true,
				// Background Sync for the outbox (src/lib/outbox/sync.ts, built by scripts/build-sync-worker.mjs).
				importScripts: ['outbox-sync.js'],
				runtimeCaching: [{ urlPattern: ({ url }) => url.pathname.startsWith('/postal/'), handler: 'CacheFirst', options: { cacheName: 'mnv-postal', expiration: { maxEntries: 2, maxAgeSeconds: 90 * 24 * 60 * 60 } } }]
			}
		})
	],
	server: {
		// Keep the browser's Host header: the API refuses state-changing calls whose Origin is not its Host.
		proxy: {
			'/trpc': { target: apiServer, changeOrigin: false },
			'/healthz': { target: apiServer, changeOrigin: false }
		}
	}
});
