import adapterStatic from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A static SPA: every route is prerendered as an empty shell, and unknown URLs fall back to 200.html.
		adapter: adapterStatic({ fallback: '200.html' }),
		// Workbox generates sw.js; +layout.svelte registers it (STACK.md §3).
		serviceWorker: { register: false },
		paths: { relative: false }
	}
};

export default config;
