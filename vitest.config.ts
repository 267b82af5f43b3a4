import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Unit and server tests run in Node without the SvelteKit plugin: src/lib/crypto and
// src/lib/mynumber are framework-free, and server/ never imports Kit.
export default defineConfig({
	resolve: { alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) } },
	test: {
		include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/server/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000,
		hookTimeout: 120_000,
		// PGlite instances are memory-hungry (STACK.md §4.4): keep parallelism modest on 2 cores.
		maxWorkers: 2,
		fileParallelism: true
	}
});
