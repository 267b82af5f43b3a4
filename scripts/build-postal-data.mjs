#!/usr/bin/env node
// Turns the Japan Post postal-code data shipped by the npm package jquery-jpostal-ja (KEN_ALL, "自由に配布していただいて
// 結構です" per Japan Post; package MIT) into one gzip'd table, static/postal/ken-all.tsv.gz (git-ignored), for the
// employee's optional postal code → address lookup (src/lib/postal). Only the data is used, never the package's jQuery
// code. Business codes (事業所個別番号) and kana are dropped: a person types a home address.
//
// One file for the whole country, fetched whole on the first lookup: a request per prefix would tell the server (and
// its logs) part of the employee's address. Lines, sorted, a header line first:
//
//   #<data date>
//   <7-digit code> TAB <prefecture index 1-47> TAB <city> TAB <town>        (one line per town; a code may repeat)
//
// Not precached; the service worker caches it on first use. Idempotent: left alone when its bytes already match.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(dirname(createRequire(join(root, 'package.json')).resolve('jquery-jpostal-ja/package.json')), 'json');
const out = join(root, 'static', 'postal');

/** Prefectures in JIS X 0401 order; the shards store the index. Keep in sync with src/lib/postal. */
const PREFECTURES = ['北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県', '埼玉県', '千葉県', '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県', '岐阜県', '静岡県', '愛知県', '三重県', '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県', '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県', '香川県', '愛媛県', '高知県', '福岡県', '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県'];

/** The package's files are JSONP: `jQuery_jpostal_callback(\n[...]\n);`. */
function readRows(file) {
	const text = readFileSync(join(source, file), 'utf8');
	return JSON.parse(text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')));
}

const info = readRows('000.json').find((row) => row[0] === '_000info');
const version = (info?.[2] ?? '').split(' ').at(-1) || 'unknown';
mkdirSync(out, { recursive: true });
const lines = [];
let shards = 0;
for (const file of readdirSync(source).filter((f) => /^\d{3}\.json$/.test(f) && f !== '000.json')) {
	shards++;
	for (const row of readRows(file)) {
		const [code, prefecture, city, town, street, business] = row;
		if (street || business) continue; // a business's own code
		if (!/^_\d{7}$/.test(code)) continue; // each file opens with a marker row, `_NNN`
		const prefectureIndex = PREFECTURES.indexOf(prefecture) + 1;
		if (prefectureIndex === 0 || /[\t\n]/.test(city + town)) throw new Error(`build-postal-data: unexpected row in ${file}: ${code}`);
		lines.push(`${code.slice(1)}\t${prefectureIndex}\t${city}\t${town}`);
	}
}
if (shards < 900 || lines.length < 100_000) throw new Error(`build-postal-data: only ${lines.length} codes; is jquery-jpostal-ja complete?`);
lines.sort();
const text = `#${version}\n${lines.join('\n')}\n`;
const target = join(out, 'ken-all.tsv.gz');
const same = existsSync(target) && gunzipSync(readFileSync(target)).toString('utf8') === text;
if (!same) writeFileSync(target, gzipSync(text, { level: 9 }));
// Earlier builds wrote one file per prefix; they must not linger (or be served).
for (const f of readdirSync(out)) if (f !== 'ken-all.tsv.gz') rmSync(join(out, f));
console.log(`postal data: ${lines.length} lines, ${(readFileSync(target).length / 1024).toFixed(0)} KiB gzip, data ${version}${same ? ' (unchanged)' : ''}`);
