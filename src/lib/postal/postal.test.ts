import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { addressInTable, formatPostalCode, lookupPostalCode, normalisePostalCode, postalDataVersion, resetPostalTable, POSTAL_DATA_URL } from './index';

const TABLE = [
	'#2025-09-30',
	'1000000\t東京都\t千代田区\t',
	'1000001\t東京都\t千代田区\t千代田',
	'1001234\t愛知県\t見本市\t東町',
	'1001234\t愛知県\t見本市\t西町',
	'1005555\t愛知県\t見本市\t南町',
	'1005555\t愛知県\t手本町\t北町',
	'1009999\t三重県\t甲市\t一丁目',
	'1009999\t愛知県\t乙町\t二丁目',
	''
].join('\n');

/** Serves the table above (gzip'd, as the server does) and counts requests: one per page, whatever is looked up. */
function server() {
	const requests: string[] = [];
	const fetcher = (async (url: string) => {
		requests.push(url);
		return url === POSTAL_DATA_URL ? new Response(gzipSync(TABLE), { status: 200 }) : new Response('', { status: 404 });
	}) as unknown as typeof fetch;
	return { fetcher, requests };
}
afterEach(() => resetPostalTable());

describe('postal code lookup', () => {
	it('accepts what people type: full-width digits, 〒, hyphens and spaces', () => {
		expect(normalisePostalCode('〒１００－０００１')).toBe('1000001');
		expect(normalisePostalCode(' 100-0001 ')).toBe('1000001');
		expect(normalisePostalCode('100ー0001')).toBe('1000001');
		expect(normalisePostalCode('100-001')).toBeNull();
		expect(normalisePostalCode('1OO-0001')).toBeNull();
		expect(formatPostalCode('1000001')).toBe('100-0001');
	});

	it('finds a town, a whole city, and several towns to choose from', async () => {
		const s = server();
		expect(await lookupPostalCode('100-0001', s.fetcher)).toEqual({ kind: 'found', dataVersion: '2025-09-30', address: { prefecture: '東京都', city: '千代田区', town: '千代田', towns: [] } });
		expect(addressInTable(TABLE, '1000000')).toEqual({ prefecture: '東京都', city: '千代田区', town: '', towns: [] });
		expect(addressInTable(TABLE, '1001234')).toEqual({ prefecture: '愛知県', city: '見本市', town: '', towns: ['東町', '西町'] });
		// Two cities under one code: only the prefecture is certain enough to fill in.
		expect(addressInTable(TABLE, '1005555')).toEqual({ prefecture: '愛知県', city: '', town: '', towns: [] });
		// Two prefectures under one code: nothing is, the employee types the address.
		expect(addressInTable(TABLE, '1009999')).toBeNull();
		// A code is not found inside another line (no partial matches).
		expect(addressInTable(TABLE, '0000001')).toBeNull();
		expect(postalDataVersion(TABLE)).toBe('2025-09-30');
	});

	it('fetches the one table once, whatever code is looked up, so the request reveals nothing', async () => {
		const s = server();
		await lookupPostalCode('100-0001', s.fetcher);
		expect(await lookupPostalCode('999-0000', s.fetcher)).toEqual({ kind: 'unknown' });
		expect(s.requests).toEqual([POSTAL_DATA_URL]);
	});

	it('tells bad input and an unreachable table apart, and tries again later', async () => {
		expect(await lookupPostalCode('12345', server().fetcher)).toEqual({ kind: 'invalid' });
		const offline = (async () => {
			throw new TypeError('Failed to fetch');
		}) as unknown as typeof fetch;
		expect(await lookupPostalCode('100-0001', offline)).toEqual({ kind: 'unavailable' });
		expect((await lookupPostalCode('100-0001', server().fetcher)).kind).toBe('found');
	});

	it('reads the built table (Japan Post data, via scripts/build-postal-data.mjs)', () => {
		// The build makes it; a unit run in a fresh clone makes it itself.
		if (!existsSync('static/postal/ken-all.tsv.gz')) execFileSync(process.execPath, ['scripts/build-postal-data.mjs'], { stdio: 'ignore' });
		const built = gunzipSync(readFileSync('static/postal/ken-all.tsv.gz')).toString('utf8');
		expect(postalDataVersion(built)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(addressInTable(built, '1000001')).toMatchObject({ prefecture: '東京都', city: '千代田区', town: '千代田' });
		expect(addressInTable(built, '5300001')).toMatchObject({ prefecture: '大阪府', city: '大阪市北区', town: '梅田' });
		expect(addressInTable(built, '0600000')).toMatchObject({ prefecture: '北海道', city: '札幌市中央区' });
		expect(addressInTable(built, '9071801')).toMatchObject({ prefecture: '沖縄県' });
		// 498-0000 spans 愛知県 弥富市 and 三重県 木曽岬町 (Japan Post): left to the employee.
		expect(addressInTable(built, '4980000')).toBeNull();
	});
});
