/**
 * "A new version is available" (issue: reload only when the user agrees). The service worker is
 * built without `skipWaiting` (vite.config.ts), so a new version installs and then *waits* while
 * this page runs the old one; workbox-window reports it as `waiting`, the layout shows a banner, and
 * only the banner's button tells the waiting worker to take over and reloads once it controls the
 * page. Nothing reloads by itself, so nothing typed is lost behind the user's back.
 */
import type { Workbox } from 'workbox-window';

/** How often a long-open tab asks for a new version (the SPA rarely navigates, which is when browsers check). */
const CHECK_EVERY_MS = 60 * 60_000;

class UpdateManager {
	/** A new version is installed and waiting for the user's consent. */
	available = $state(false);
	/** The user agreed; the page reloads as soon as the new worker controls it. */
	applying = $state(false);
	#wb: Workbox | null = null;

	/** Registers `/sw.js` and listens for a waiting update (production builds only). */
	async register(): Promise<void> {
		if (this.#wb || !('serviceWorker' in navigator)) return;
		const { Workbox } = await import('workbox-window');
		const wb = new Workbox('/sw.js');
		this.#wb = wb;
		// Fires for an update found now and for one that was already waiting when the page opened.
		wb.addEventListener('waiting', () => (this.available = true));
		await wb.register();
		setInterval(() => void wb.update().catch(() => {}), CHECK_EVERY_MS);
	}

	/** The user's "reload": the waiting worker takes over, then the page reloads into the new version. */
	apply(): void {
		const wb = this.#wb;
		if (!wb || this.applying) return;
		this.applying = true;
		wb.addEventListener('controlling', () => location.reload());
		wb.messageSkipWaiting();
		// Another tab may have let the new version in already (nothing waits any more): the user asked for a reload, so reload.
		setTimeout(() => location.reload(), 4_000);
	}
}

export const update = new UpdateManager();
