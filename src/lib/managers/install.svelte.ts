/**
 * The browser's install prompt, caught as soon as the app starts: Chromium fires
 * `beforeinstallprompt` once, often before the page that offers installing is shown.
 */
interface InstallPromptEvent extends Event {
	prompt(): Promise<void>;
	userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

class InstallManager {
	/** Set while the browser offers installing. */
	prompt = $state.raw<InstallPromptEvent | null>(null);
	installed = $state(false);

	/** Starts listening; called once from the root layout. */
	listen(): void {
		this.installed = window.matchMedia?.('(display-mode: standalone)').matches || (navigator as { standalone?: boolean }).standalone === true;
		window.addEventListener('beforeinstallprompt', (event) => {
			event.preventDefault();
			this.prompt = event as InstallPromptEvent;
		});
		window.addEventListener('appinstalled', () => {
			this.installed = true;
			this.prompt = null;
		});
	}

	async install(): Promise<void> {
		const prompt = this.prompt;
		if (!prompt) return;
		await prompt.prompt();
		await prompt.userChoice;
		this.prompt = null;
	}
}

export const install = new InstallManager();
