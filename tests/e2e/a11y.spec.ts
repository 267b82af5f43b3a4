/**
 * WCAG 2.2 AA on every screen of both apps, in both languages, on the demo data (issue 9): axe-core
 * finds no serious or critical violation at any stop of the tour (tests/support/tour.ts); every
 * route in src/routes is visited (a new page the tour misses fails here); on the phone, every
 * screen reflows at 200 % zoom (a 195 px wide viewport) without scrolling sideways; and the page
 * says its language (`<html lang>`) as the switch sets it.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { appRoutes, startDemo, tour, type Demo } from '../support/tour';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let demo: Demo;
test.beforeAll(async () => {
	test.setTimeout(240_000);
	demo = await startDemo();
});
test.afterAll(async () => {
	await demo?.close();
});

test('every screen, in Japanese and English, has no serious or critical axe violation', async ({ browser }) => {
	test.setTimeout(900_000);
	const problems: string[] = [];
	const screens: string[] = [];
	const visited = await tour(
		browser,
		demo,
		async (page, stop, lang) => {
			screens.push(`${stop.id} (${lang})`);
			expect(await page.locator('html').getAttribute('lang'), `${stop.id}: <html lang>`).toBe(lang);
			const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
			for (const v of result.violations) {
				if (v.impact !== 'serious' && v.impact !== 'critical') continue;
				const where = v.nodes
					.slice(0, 3)
					.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)}]` : ''}`)
					.join('; ');
				problems.push(`${stop.id} (${lang}): ${v.id} (${v.impact}, ${v.nodes.length}×) ${where}`);
			}
			if (stop.device === 'phone' && lang === 'ja') {
				// 200 % zoom on a 390 px phone is a 195 CSS px wide layout viewport.
				const size = page.viewportSize()!;
				await page.setViewportSize({ width: 195, height: Math.round(size.height / 2) });
				const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
				await page.setViewportSize(size);
				if (overflow > 1) problems.push(`${stop.id}: scrolls sideways by ${overflow} px at 200 % zoom`);
			}
		},
		['ja', 'en']
	);
	console.log(`a11y: ${screens.length} screens checked:\n  ${screens.join('\n  ')}`);
	expect(problems, problems.join('\n')).toEqual([]);
	const missed = appRoutes().filter((route) => !visited.has(route));
	expect(missed, `routes the tour never visited (add them to tests/support/tour.ts): ${missed.join(', ')}`).toEqual([]);
});
