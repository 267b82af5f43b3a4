import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser (STACK.md §4.7). The tests start their own
// server processes (so they can stop them and inspect the database afterwards).
export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 180_000,
	expect: { timeout: 15_000 },
	workers: 1,
	retries: 0,
	reporter: [['list']],
	use: {
		browserName: 'chromium',
		locale: 'ja-JP',
		screenshot: 'only-on-failure',
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			// A fake camera (Chromium's test pattern) for the live camera view; it matters only where getUserMedia is called.
			args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']
		}
	}
});
