import { describe, expect, it } from 'vitest';
import { companyHref, isOnboardingHidden, onboarding, parseCompanyTab, setOnboardingHidden, withTab, type OnboardingCompany, type OnboardingFacts } from './index';

const company = (over: Partial<OnboardingCompany> & { id: string }): OnboardingCompany => ({
	name: `会社 ${over.id}`,
	role: 'responsible',
	recoveryKitCurrent: false,
	purposesSaved: false,
	...over,
	progress: { employees: 0, invited: 0, ...over.progress }
});
const admin = (companies: OnboardingCompany[], over: Partial<OnboardingFacts> = {}): OnboardingFacts => ({ isAdmin: true, hasKeys: true, orgName: '見本事務所', companies, ...over });
const doneIds = (o: ReturnType<typeof onboarding>) => o.steps.filter((s) => s.done).map((s) => s.id);

describe('onboarding', () => {
	it('starts a new administrator at the first open step, with the company steps waiting for a company', () => {
		const o = onboarding(admin([], { hasKeys: false }));
		expect(o.applies).toBe(true);
		expect(o.steps.map((s) => s.id)).toEqual(['organisation', 'company', 'kit', 'purposes', 'roster', 'letters']);
		expect(o).toMatchObject({ done: 0, total: 6, complete: false, focus: null });
		expect(o.steps.map((s) => s.href)).toEqual(['/desk/keys', '#new-company-title', null, null, null, null]);
	});

	it('follows one company through kit, purposes, roster and letters, linking into its tabs', () => {
		const fresh = company({ id: 'c1' });
		let o = onboarding(admin([fresh]));
		expect(doneIds(o)).toEqual(['organisation', 'company']);
		expect(o.focus).toEqual({ id: 'c1', name: '会社 c1' });
		expect(o.steps.find((s) => s.id === 'organisation')!.href).toBe('#org-details-title');
		expect(Object.fromEntries(o.steps.slice(2).map((s) => [s.id, s.href]))).toEqual({
			kit: '/desk/company?id=c1#kit-title',
			purposes: '/desk/company?id=c1&tab=collect#purposes-title',
			roster: '/desk/company?id=c1#add-employee-title',
			letters: '/desk/company?id=c1#employees-title'
		});
		o = onboarding(admin([company({ id: 'c1', recoveryKitCurrent: true, purposesSaved: true, progress: { employees: 3, invited: 0 } })]));
		expect(doneIds(o)).toEqual(['organisation', 'company', 'kit', 'purposes', 'roster']);
		expect(o.done).toBe(5);
		o = onboarding(admin([company({ id: 'c1', recoveryKitCurrent: true, progress: { employees: 3, invited: 1 } })]));
		// Letters went out with the default purposes: the notice was given.
		expect(o.complete).toBe(true);
	});

	it('moves on to the next company with a step open, and prefers companies the user is 責任者 of', () => {
		const ready = company({ id: 'a', recoveryKitCurrent: true, purposesSaved: true, progress: { employees: 1, invited: 1 } });
		const open = company({ id: 'b', recoveryKitCurrent: true });
		const granted = company({ id: 'c', role: 'staff' });
		expect(onboarding(admin([ready, granted, open])).focus?.id).toBe('b');
		expect(onboarding(admin([ready, granted])).complete).toBe(true);
		// Only granted companies: the administrator still sees where they stand.
		expect(onboarding(admin([granted])).focus?.id).toBe('c');
	});

	it('is not for a 担当者, and gives a 責任者 who is no administrator no link to office settings', () => {
		expect(onboarding(admin([company({ id: 'x', role: 'staff' })], { isAdmin: false })).applies).toBe(false);
		const o = onboarding(admin([company({ id: 'x' })], { isAdmin: false }));
		expect(o.applies).toBe(true);
		expect(o.steps.slice(0, 2).map((s) => [s.done, s.href])).toEqual([
			[true, null],
			[true, null]
		]);
	});
});

describe('company tabs', () => {
	it('parses ?tab= with a default for anything unknown', () => {
		expect(parseCompanyTab('dispose')).toBe('dispose');
		expect(parseCompanyTab(null)).toBe('people');
		expect(parseCompanyTab('toString')).toBe('people');
	});

	it('builds links and addresses that keep the company and drop the default tab', () => {
		expect(companyHref('c 1', { tab: 'settings', anchor: 'members-title' })).toBe('/desk/company?id=c+1&tab=settings#members-title');
		expect(companyHref('c1', { tab: 'people' })).toBe('/desk/company?id=c1');
		const here = new URL('https://example.test/desk/company?id=c1&tab=use#export-title');
		expect(withTab(here, 'dispose')).toBe('/desk/company?id=c1&tab=dispose');
		expect(withTab(here, 'people')).toBe('/desk/company?id=c1');
	});
});

describe('show later', () => {
	it('is remembered per user and can be undone; broken storage means shown', () => {
		const data = new Map<string, string>();
		const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
		expect(isOnboardingHidden(storage, 'u1')).toBe(false);
		setOnboardingHidden(storage, 'u1', true);
		expect(isOnboardingHidden(storage, 'u1')).toBe(true);
		expect(isOnboardingHidden(storage, 'u2')).toBe(false);
		setOnboardingHidden(storage, 'u1', false);
		expect(isOnboardingHidden(storage, 'u1')).toBe(false);
		const broken = {
			getItem: () => {
				throw new Error('denied');
			},
			setItem: () => {
				throw new Error('denied');
			},
			removeItem: () => {}
		};
		expect(isOnboardingHidden(broken, 'u1')).toBe(false);
		expect(() => setOnboardingHidden(broken, 'u1', true)).not.toThrow();
	});
});
