/**
 * The administrator's first run (onboarding): the six steps from an empty office to the first
 * letters, computed from what the dashboard already fetches (`auth.me` and `company.list`), and the
 * company page's tabs that the steps link into. Pure, so the dashboard and its test share it; the
 * only side effect is the "show later" flag in this browser's storage.
 *
 * @module
 */

/** The company page's tabs, in the order they are shown; the first is the default. */
export const COMPANY_TABS = ['people', 'collect', 'use', 'dispose', 'settings'] as const;
export type CompanyTab = (typeof COMPANY_TABS)[number];

/** The tab named by `?tab=`, or the default tab for anything else (an old link, a typo). */
export function parseCompanyTab(value: string | null | undefined): CompanyTab {
	return (COMPANY_TABS as readonly string[]).includes(value ?? '') ? (value as CompanyTab) : COMPANY_TABS[0];
}

/**
 * A link to a company page, optionally on a tab and at an anchor (a heading's id). The default tab
 * is left out, so the plain company link stays what it always was.
 */
export function companyHref(companyId: string, opts: { tab?: CompanyTab; anchor?: string } = {}): string {
	const params = new URLSearchParams({ id: companyId });
	if (opts.tab && opts.tab !== COMPANY_TABS[0]) params.set('tab', opts.tab);
	return `/desk/company?${params.toString()}${opts.anchor ? `#${opts.anchor}` : ''}`;
}

/**
 * The address of `current` with `tab` selected: other parameters stay, the hash goes (it pointed
 * into the previous tab). For `replaceState`, so a reload and the back button keep the tab.
 */
export function withTab(current: URL, tab: CompanyTab): string {
	const url = new URL(current.href);
	if (tab === COMPANY_TABS[0]) url.searchParams.delete('tab');
	else url.searchParams.set('tab', tab);
	url.hash = '';
	return `${url.pathname}${url.search}`;
}

export const STEP_IDS = ['organisation', 'company', 'kit', 'purposes', 'roster', 'letters'] as const;
export type StepId = (typeof STEP_IDS)[number];

/** What the checklist needs to know of a company (a subset of a `company.list` row). */
export interface OnboardingCompany {
	id: string;
	name: string;
	role: 'responsible' | 'staff';
	recoveryKitCurrent: boolean;
	purposesSaved: boolean;
	progress: { employees: number; invited: number };
}

export interface OnboardingFacts {
	isAdmin: boolean;
	/** The user has made their handler keys (nothing can be registered or opened without them). */
	hasKeys: boolean;
	/** The office's name as the session knows it; its details were required at setup. */
	orgName: string;
	companies: readonly OnboardingCompany[];
}

export interface OnboardingStep {
	id: StepId;
	done: boolean;
	/** Where the step is done; null when this user cannot do it (or there is no company yet). */
	href: string | null;
}

export interface Onboarding {
	/** Administrators and 責任者 see the checklist; 担当者 only work in companies others set up. */
	applies: boolean;
	steps: OnboardingStep[];
	done: number;
	total: number;
	complete: boolean;
	/** The company the company steps are about: the first (of the user's own as 責任者) with a step open. */
	focus: { id: string; name: string } | null;
}

function companyStepsDone(c: OnboardingCompany): Record<'kit' | 'purposes' | 'roster' | 'letters', boolean> {
	return {
		kit: c.recoveryKitCurrent,
		// Letters already went out with the default purposes: the notice was given, there is nothing to save first.
		purposes: c.purposesSaved || c.progress.invited > 0,
		roster: c.progress.employees > 0,
		letters: c.progress.invited > 0
	};
}

/**
 * The checklist for one user. Steps 3–6 are about one company at a time: an office with twenty
 * clients sees the next company that still has a step open, not twenty checklists.
 */
export function onboarding(facts: OnboardingFacts): Onboarding {
	const own = facts.companies.filter((c) => c.role === 'responsible');
	const applies = facts.isAdmin || own.length > 0;
	// A 担当者 administrator (companies granted by someone else) still sees where those stand.
	const candidates = own.length ? own : facts.companies;
	const focus = candidates.find((c) => Object.values(companyStepsDone(c)).some((done) => !done)) ?? candidates[0] ?? null;
	const state = focus ? companyStepsDone(focus) : { kit: false, purposes: false, roster: false, letters: false };
	const at = (tab: CompanyTab | undefined, anchor: string) => (focus ? companyHref(focus.id, { tab, anchor }) : null);
	const steps: OnboardingStep[] = [
		{
			id: 'organisation',
			done: facts.hasKeys && facts.orgName.trim() !== '',
			href: !facts.hasKeys ? '/desk/keys' : facts.isAdmin ? '#org-details-title' : null
		},
		{ id: 'company', done: facts.companies.length > 0, href: facts.isAdmin ? '#new-company-title' : null },
		// The kit card sits above the tabs while the kit is missing.
		{ id: 'kit', done: state.kit, href: at(undefined, 'kit-title') },
		{ id: 'purposes', done: state.purposes, href: at('collect', 'purposes-title') },
		{ id: 'roster', done: state.roster, href: at('people', 'add-employee-title') },
		{ id: 'letters', done: state.letters, href: at('people', 'employees-title') }
	];
	const done = steps.filter((s) => s.done).length;
	return { applies, steps, done, total: steps.length, complete: done === steps.length, focus: focus ? { id: focus.id, name: focus.name } : null };
}

const hiddenKey = (userId: string) => `mnv:onboarding-hidden:${userId}`;

/** Whether this user chose "show later" for the checklist in this browser. */
export function isOnboardingHidden(storage: Pick<Storage, 'getItem'>, userId: string): boolean {
	try {
		return storage.getItem(hiddenKey(userId)) === '1';
	} catch {
		// Storage may be unavailable (private mode): the checklist then simply shows.
		return false;
	}
}

/** Hides the checklist in this browser, or shows it again. */
export function setOnboardingHidden(storage: Pick<Storage, 'setItem' | 'removeItem'>, userId: string, hidden: boolean): void {
	try {
		if (hidden) storage.setItem(hiddenKey(userId), '1');
		else storage.removeItem(hiddenKey(userId));
	} catch {
		// Nothing to keep then; the choice lasts until the page is left.
	}
}
