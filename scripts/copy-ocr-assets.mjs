#!/usr/bin/env node
// Copies the OCR assets the browser needs from node_modules into static/tesseract/ (git-ignored), so that they are
// served from our own origin and precached by the service worker (STACK.md §4.2). No request leaves the origin.
//
//   static/tesseract/worker.min.js                       tesseract.js's worker script
//   static/tesseract/core/tesseract-core-*lstm.wasm.js   LSTM-only cores, wasm inlined (relaxedsimd, simd, plain)
//   static/tesseract/lang/eng.traineddata.gz             eng 4.0.0_best_int
//
// Idempotent: a file whose bytes already match is left alone, so its mtime only moves when its content changes
// (scripts/ensure-build.mjs rebuilds when anything in static/ is newer than the last build). Exits non-zero if a
// source is missing, so a build cannot silently ship without OCR.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'static', 'tesseract');
const require = createRequire(join(root, 'package.json'));
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

const tesseract = pkgDir('tesseract.js');
// tesseract.js-core is tesseract.js's dependency: resolve it from there, as tesseract.js itself does.
const core = dirname(createRequire(join(tesseract, 'package.json')).resolve('tesseract.js-core/package.json'));
const eng = pkgDir('@tesseract.js-data/eng');

/** The browser loads only these cores: tesseract.js picks one by feature detection (OEM LSTM_ONLY). */
const CORES = ['tesseract-core-relaxedsimd-lstm.wasm.js', 'tesseract-core-simd-lstm.wasm.js', 'tesseract-core-lstm.wasm.js'];

const files = [
	[join(tesseract, 'dist', 'worker.min.js'), join(out, 'worker.min.js')],
	...CORES.map((name) => [join(core, name), join(out, 'core', name)]),
	[join(eng, '4.0.0_best_int', 'eng.traineddata.gz'), join(out, 'lang', 'eng.traineddata.gz')]
];

// Drop anything else (for example cores of an older layout), so the precache holds exactly these files.
const wanted = new Set(files.map(([, to]) => to));
const walk = (dir) =>
	readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
try {
	for (const file of walk(out)) if (!wanted.has(file)) rmSync(file);
} catch (e) {
	if (e.code !== 'ENOENT') throw e;
}

let copied = 0;
let bytes = 0;
for (const [from, to] of files) {
	const src = statSync(from); // throws ENOENT with the path: a missing package is a build error
	bytes += src.size;
	let same = false;
	try {
		same = statSync(to).size === src.size && readFileSync(to).equals(readFileSync(from));
	} catch {
		// not there yet
	}
	if (same) continue;
	mkdirSync(dirname(to), { recursive: true });
	copyFileSync(from, to);
	copied++;
}
console.log(`copy-ocr-assets: ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) in ${relative(root, out)}/, ${copied} copied`);
