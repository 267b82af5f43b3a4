/**
 * Postal code → address (issue 4 item 6), offline-capable and optional: Japan Post's data in
 * shards by the first three digits (`static/postal/NNN.json`, built by
 * scripts/build-postal-shards.mjs from the npm package jquery-jpostal-ja). A lookup fetches one
 * shard (about 1–4 KB gzip); the service worker keeps it for the next time. Pure apart from the
 * injected `fetch`, so it runs in unit tests.
 *
 * @module
 */

/** JIS X 0401 order; the shards store the 1-based index. Keep in sync with the build script. */
export const PREFECTURES = ['北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県', '埼玉県', '千葉県', '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県', '岐阜県', '静岡県', '愛知県', '三重県', '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県', '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県', '香川県', '愛媛県', '高知県', '福岡県', '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県'] as const;

/** One shard as stored: last four digits → rows of [prefecture index, city, town]. */
export interface PostalShard {
	v: string;
	z: Record<string, [number, string, string][]>;
}

export interface PostalAddress {
	prefecture: string;
	city: string;
	/** Empty when the code covers a whole city (or several towns: see `towns`). */
	town: string;
	/** Every town the code covers, when there are several; the employee picks one. */
	towns: string[];
}

export type PostalLookup =
	| { kind: 'found'; address: PostalAddress; dataVersion: string }
	| { kind: 'invalid' } // not seven digits
	| { kind: 'unknown' } // no such postal code in the data
	| { kind: 'unavailable' }; // the shard could not be fetched (offline and never used before)

/** Seven half-width digits from what was typed (full-width digits, 〒, hyphens and spaces allowed), or null. */
export function normalisePostalCode(raw: string): string | null {
	const digits = raw.normalize('NFKC').replace(/[〒\s\-‐‑–—−ー]/g, '');
	return /^\d{7}$/.test(digits) ? digits : null;
}

/** Shows a postal code as 123-4567. */
export function formatPostalCode(code: string): string {
	return `${code.slice(0, 3)}-${code.slice(3)}`;
}

/** Finds a code in a shard; null when absent or malformed. */
export function addressInShard(shard: PostalShard, code: string): PostalAddress | null {
	const rows = shard.z?.[code.slice(3)];
	if (!Array.isArray(rows) || rows.length === 0) return null;
	const [first] = rows;
	const prefecture = PREFECTURES[(first?.[0] ?? 0) - 1];
	if (!prefecture || typeof first?.[1] !== 'string') return null;
	// A code may span several towns (and rarely two cities): keep what all rows share.
	const sameCity = rows.every((r) => r[0] === first[0] && r[1] === first[1]);
	const towns = [...new Set(rows.map((r) => r[2]).filter(Boolean))];
	return {
		prefecture,
		city: sameCity ? first[1] : '',
		town: towns.length === 1 && rows.length === 1 ? towns[0]! : '',
		towns: sameCity && towns.length > 1 ? towns : []
	};
}

/**
 * Looks a postal code up.
 * @param fetcher the page's `fetch` (injected for tests); the shard is served from our own origin.
 */
export async function lookupPostalCode(raw: string, fetcher: typeof fetch = fetch): Promise<PostalLookup> {
	const code = normalisePostalCode(raw);
	if (!code) return { kind: 'invalid' };
	let shard: PostalShard;
	try {
		const response = await fetcher(`/postal/${code.slice(0, 3)}.json`);
		// No shard for that prefix: no such code (Japan Post leaves many prefixes unused).
		if (response.status === 404) return { kind: 'unknown' };
		if (!response.ok) return { kind: 'unavailable' };
		shard = (await response.json()) as PostalShard;
	} catch {
		return { kind: 'unavailable' };
	}
	const address = addressInShard(shard, code);
	return address ? { kind: 'found', address, dataVersion: shard.v } : { kind: 'unknown' };
}
