import {
	baseLocale,
	getLocale,
	isLocale,
	locales,
	overwriteGetLocale,
	setLocale,
	type Locale
} from '$lib/paraglide/runtime';

/**
 * The display language as runes state. Paraglide's `getLocale()` is redirected here, so every
 * `m.*()` call in a template re-renders when the language changes, without a page reload.
 * Only this choice is persisted on the device (paraglide's localStorage strategy).
 */
class LocaleManager {
	current = $state<Locale>(baseLocale);
	readonly all = locales;

	constructor() {
		if (typeof window !== 'undefined') {
			// Resolve once through paraglide's strategies (localStorage, then the browser's languages).
			const initial = getLocale();
			this.current = isLocale(initial) ? initial : baseLocale;
			document.documentElement.lang = this.current;
		}
		overwriteGetLocale(() => this.current);
	}

	set(locale: Locale): void {
		if (locale === this.current) return;
		// Stores the preference; reload: false because the state change re-renders the page.
		void setLocale(locale, { reload: false });
		this.current = locale;
		document.documentElement.lang = locale;
	}
}

export const locale = new LocaleManager();
