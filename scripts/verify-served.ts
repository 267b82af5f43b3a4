/**
 * `npm run verify-served -- --url https://mynumber.example.jp`: compares the front end a running
 * instance serves with a local build of the same release (or a published manifest), file by file.
 *
 *   --url U          the instance to check (required unless --write)
 *   --build DIR      the local build to compare with (default ./build, made by `npm run build`)
 *   --manifest F     compare with a manifest JSON instead of a build folder
 *   --write F        write the build folder's manifest to F (to publish with a release) and exit
 *
 * Exit status: 0 all files match, 1 a difference, 2 bad usage.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkServed, manifestOf, type BuildManifest } from '../server/release/verify';

const usage = 'usage: npm run verify-served -- --url <instance> [--build ./build | --manifest file.json]\n       npm run verify-served -- --write manifest.json [--build ./build]';
let args;
try {
	args = parseArgs({ options: { url: { type: 'string' }, build: { type: 'string', default: './build' }, manifest: { type: 'string' }, write: { type: 'string' }, help: { type: 'boolean' } } }).values;
} catch (error) {
	console.error(`${(error as Error).message}\n${usage}`);
	process.exit(2);
}
if (args.help) {
	console.log(usage);
	process.exit(0);
}
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
if (!args.manifest && !existsSync(args.build!)) {
	console.error(`no build at ${args.build}: run \`npm run build\` from the release's source first`);
	process.exit(2);
}
const manifest: BuildManifest = args.manifest ? (JSON.parse(readFileSync(args.manifest, 'utf8')) as BuildManifest) : manifestOf(args.build!, version);
if (args.write) {
	writeFileSync(args.write, JSON.stringify(manifest, null, 2) + '\n');
	console.log(`wrote ${Object.keys(manifest.files).length} file hashes of release ${manifest.version} to ${args.write}`);
	process.exit(0);
}
if (!args.url) {
	console.error(usage);
	process.exit(2);
}
let result;
try {
	result = await checkServed(args.url, manifest);
} catch (error) {
	const cause = (error as { cause?: { code?: string } }).cause?.code;
	console.error(`cannot reach ${args.url}${cause ? ` (${cause})` : ''}: is the instance running, and is the address right?`);
	process.exit(2);
}
const total = Object.keys(manifest.files).length;
console.log(`${result.matched} of ${total} files match release ${manifest.version} at ${args.url}`);
for (const path of result.differs) console.log(`DIFFERENT  ${path}`);
for (const path of result.missing) console.log(`MISSING    ${path}`);
for (const path of result.weakPolicy) console.log(`WEAK CSP   ${path} (allows inline or eval'd script)`);
process.exit(result.matched === total && result.weakPolicy.length === 0 ? 0 : 1);
