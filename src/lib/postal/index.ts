/**
 * Postal code → address (issue 4 item 6), offline-capable and optional: Japan Post's data as one
 * gzip'd table for the whole country (`static/postal/ken-all.tsv.gz`, about 1 MB, built by
 * scripts/build-postal-data.mjs from the npm package jquery-jpostal-ja). It is fetched whole on the
 * first lookup, so the server never learns which code was looked up (a request per prefix would put
 * part of the address in its logs); the service worker keeps it for offline use. The table stays a
 * string (searched with indexOf), not 120,000 parsed objects. Pure apart from the injected `fetch`.
 *
 * @module
 */


/** Where the build puts the table. */
export const POSTAL_DATA_URL = '/postal/ken-all.tsv.gz';

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
	| { kind: 'unavailable' }; // the table could not be fetched (offline and never used before)

/** Seven half-width digits from what was typed (full-width digits, 〒, hyphens and spaces allowed), or null. */
export function normalisePostalCode(raw: string): string | null {
	const digits = raw.normalize('NFKC').replace(/[〒\s\-‐‑–—−ー]/g, '');
	return /^\d{7}$/.test(digits) ? digits : null;
}

/** Shows a postal code as 123-4567. */
export function formatPostalCode(code: string): string {
	return `${code.slice(0, 3)}-${code.slice(3)}`;
}

/** The data date on the table's first line (`#2025-09-30`). */
export function postalDataVersion(table: string): string {
	return table.startsWith('#') ? table.slice(1, table.indexOf('\n')) : 'unknown';
}

/** Finds a code in the table text; null when absent or malformed. */
export function addressInTable(table: string, code: string): PostalAddress | null {
	const rows: [string, string, string][] = [];
	let at = table.indexOf(`\n${code}\t`);
	while (at >= 0) {
		const end = table.indexOf('\n', at + 1);
		const [, prefecture, city, town] = table.slice(at + 1, end < 0 ? undefined : end).split('\t');
		rows.push([prefecture ?? '', city ?? '', town ?? '']);
		// Lines are sorted: the code's other towns follow directly.
		at = end >= 0 && table.startsWith(`${code}\t`, end + 1) ? end : -1;
	}
	const [first] = rows;
	// A code that spans prefectures (a handful near borders) is left to the employee.
	if (!first || !first[0] || rows.some((r) => r[0] !== first[0])) return null;
	// Several towns (and rarely two cities) under one code: keep what all rows share.
	const sameCity = rows.every((r) => r[1] === first[1]);
	const towns = [...new Set(rows.map((r) => r[2]).filter(Boolean))];
	return {
		prefecture: first[0],
		city: sameCity ? first[1] : '',
		town: rows.length === 1 ? first[2] : '',
		towns: sameCity && towns.length > 1 ? towns : []
	};
}

let table: Promise<string> | null = null;

/** The whole table, fetched and unzipped once per page (null on failure, so a later call retries). */
async function loadTable(fetcher: typeof fetch): Promise<string> {
	const response = await fetcher(POSTAL_DATA_URL);
	if (!response.ok || !response.body) throw new Error(`postal data: ${response.status}`);
	return new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).text();
}

/**
 * Looks a postal code up.
 * @param fetcher the page's `fetch` (injected for tests); the table comes from our own origin.
 */
export async function lookupPostalCode(raw: string, fetcher: typeof fetch = fetch): Promise<PostalLookup> {
	const code = normalisePostalCode(raw);
	if (!code) return { kind: 'invalid' };
	let text: string;
	try {
		text = await (table ??= loadTable(fetcher));
	} catch {
		table = null;
		return { kind: 'unavailable' };
	}
	const address = addressInTable(text, code);
	return address ? { kind: 'found', address, dataVersion: postalDataVersion(text) } : { kind: 'unknown' };
}

/** Forgets the loaded table (tests). */
export function resetPostalTable(): void {
	table = null;
}
