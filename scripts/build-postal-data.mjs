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
//   <7-digit code> TAB <prefecture> TAB <city> TAB <town>        (one line per town; a code may repeat)
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


/** The package's files are JSONP: `jQuery_jpostal_callback(\n[...]\n);`. */
function readRows(file) {
	const text = readFileSync(join(source, file), 'utf8');
	return JSON.parse(text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')));
}

const info = readRows('000.json').find((row) => row[0] === '_000info');
const version = (info?.[2] ?? '').split(' ').at(-1) || 'unknown';
mkdirSync(out, { recursive: true });
const lines = [];
let files = 0;
for (const file of readdirSync(source).filter((f) => /^\d{3}\.json$/.test(f) && f !== '000.json')) {
	files++;
	for (const row of readRows(file)) {
		const [code, prefecture, city, town, street, business] = row;
		if (street || business) continue; // a business's own code
		if (!/^_\d{7}$/.test(code)) continue; // each file opens with a marker row, `_NNN`
		if (!/^.{2,3}[都道府県]$/.test(prefecture) || /[\t\n]/.test(city + town)) throw new Error(`build-postal-data: unexpected row in ${file}: ${code}`);
		lines.push(`${code.slice(1)}\t${prefecture}\t${city}\t${town}`);
	}
}
if (files < 900 || lines.length < 100_000) throw new Error(`build-postal-data: only ${lines.length} codes; is jquery-jpostal-ja complete?`);
lines.sort();
const text = `#${version}\n${lines.join('\n')}\n`;
const target = join(out, 'ken-all.tsv.gz');
const same = existsSync(target) && gunzipSync(readFileSync(target)).toString('utf8') === text;
if (!same) writeFileSync(target, gzipSync(text, { level: 9 }));
// Earlier builds wrote one file per prefix; they must not linger (or be served).
for (const f of readdirSync(out)) if (f !== 'ken-all.tsv.gz') rmSync(join(out, f));
console.log(`postal data: ${lines.length} lines, ${(readFileSync(target).length / 1024).toFixed(0)} KiB gzip, data ${version}${same ? ' (unchanged)' : ''}`);
