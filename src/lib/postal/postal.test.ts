import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addressInShard, formatPostalCode, lookupPostalCode, normalisePostalCode, type PostalShard } from './index';

const shard: PostalShard = {
	v: '2025-09-30',
	z: {
		'0001': [[13, '千代田区', '千代田']],
		'0000': [[13, '千代田区', '']],
		'1234': [
			[23, '見本市', '東町'],
			[23, '見本市', '西町']
		],
		'9999': [
			[24, '甲市', '一丁目'],
			[23, '乙町', '二丁目']
		]
	}
};

/** A fetch that serves the shard above for prefix 100 and answers 404 for anything else. */
const serve = (async (url: string) =>
	url === '/postal/100.json' ? new Response(JSON.stringify(shard), { status: 200 }) : new Response('', { status: 404 })) as unknown as typeof fetch;

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
		expect(await lookupPostalCode('100-0001', serve)).toEqual({ kind: 'found', dataVersion: '2025-09-30', address: { prefecture: '東京都', city: '千代田区', town: '千代田', towns: [] } });
		expect(addressInShard(shard, '1000000')).toEqual({ prefecture: '東京都', city: '千代田区', town: '', towns: [] });
		expect(addressInShard(shard, '1001234')).toEqual({ prefecture: '愛知県', city: '見本市', town: '', towns: ['東町', '西町'] });
		// Two cities under one code: only the prefecture of the first is certain enough to fill in.
		expect(addressInShard(shard, '1009999')).toMatchObject({ city: '', town: '', towns: [] });
	});

	it('tells an unknown code from an unreachable shard and from bad input', async () => {
		expect(await lookupPostalCode('100-4321', serve)).toEqual({ kind: 'unknown' });
		expect(await lookupPostalCode('999-0000', serve)).toEqual({ kind: 'unknown' });
		expect(await lookupPostalCode('12345', serve)).toEqual({ kind: 'invalid' });
		const offline = (async () => {
			throw new TypeError('Failed to fetch');
		}) as unknown as typeof fetch;
		expect(await lookupPostalCode('100-0001', offline)).toEqual({ kind: 'unavailable' });
	});

	it('reads the built shards (Japan Post data, via scripts/build-postal-shards.mjs)', () => {
		// The build makes them; a unit run in a fresh clone makes them itself.
		if (!existsSync('static/postal/530.json')) execFileSync(process.execPath, ['scripts/build-postal-shards.mjs'], { stdio: 'ignore' });
		const built = JSON.parse(readFileSync('static/postal/100.json', 'utf8')) as PostalShard;
		expect(built.v).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(addressInShard(built, '1000001')).toMatchObject({ prefecture: '東京都', city: '千代田区', town: '千代田' });
		const osaka = JSON.parse(readFileSync('static/postal/530.json', 'utf8')) as PostalShard;
		expect(addressInShard(osaka, '5300001')).toMatchObject({ prefecture: '大阪府', city: '大阪市北区', town: '梅田' });
	});
});
