import { describe, expect, it } from 'vitest';
import { documentDate, documentDateTime } from './dates';

describe('document dates (和暦)', () => {
	it('names the era, writes 元年 for a first year, and uses Japan time', () => {
		expect(documentDate(new Date('2026-11-24T03:00:00Z'))).toBe('令和8年11月24日');
		expect(documentDate(new Date('2019-05-01T03:00:00Z'))).toBe('令和元年5月1日');
		expect(documentDate(new Date('2019-04-30T03:00:00Z'))).toBe('平成31年4月30日');
		// 23:30 UTC on the 23rd is already the 24th in Japan.
		expect(documentDate(new Date('2026-11-23T23:30:00Z'))).toBe('令和8年11月24日');
		expect(documentDateTime(new Date('2026-11-24T01:00:00Z'))).toBe('令和8年11月24日 10:00');
	});
});
