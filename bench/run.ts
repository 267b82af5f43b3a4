/**
 * `npm run bench`: measures what the issues ask for, prints a table and writes
 * bench/results.json. Figures only; no thresholds (tests stay free of timing).
 *
 * Backends: PGlite always; PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set.
 *
 * Sections: startup, ingest, audit, crypto, employee, desk, desk-part2, lighthouse (all by default). Pick some with
 * `npm run bench -- --only=crypto` (or BENCH_ONLY=crypto); then bench/results.json keeps the
 * other sections' figures from the previous run, and `sectionDates` says when each was measured.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { appendAudit } from '../server/audit';
import { openDb } from '../server/db';
import { encodeRecord, sealEnvelope, verifyManifestChain } from '../src/lib/crypto/index';
import { runCryptoBenchInChromium } from './browser';
import { runCryptoBench, type CryptoFigure } from './crypto';
import { runDeskBench } from './desk';
import { runDesk2Bench } from './desk-part2';
import { runEmployeeBench } from './employee';
import { runLighthouseBench, type LighthouseResult } from './lighthouse';
import { testClient } from '../tests/support/client';
import { scratchDb, type Backend } from '../tests/support/databases';
import { addEmployee, join as joinAsEmployee, revealNumber, setUpHandler, type HandlerSide } from '../tests/support/journey';
import { spawnServer, type ServerProcess } from '../tests/support/spawn';

const SECTIONS = ['startup', 'ingest', 'audit', 'crypto', 'employee', 'desk', 'desk-part2', 'lighthouse'] as const;
type Section = (typeof SECTIONS)[number];

interface Metric {
	name: string;
	value: number;
	unit: string;
	/** Database backend for server figures; the JS runtime (node, chromium) for client crypto. */
	backend: Backend | 'node' | 'chromium' | 'none';
	note?: string;
	section?: Section;
	/** For crypto figures: the key pairing the Node and Chromium rows. */
	key?: string;
}

function selectedSections(): Section[] {
	const args = process.argv.slice(2);
	let only = process.env.BENCH_ONLY ?? '';
	for (let i = 0; i < args.length; i++) {
		if (args[i]!.startsWith('--only=')) only = args[i]!.slice('--only='.length);
		else if (args[i] === '--only') only = args[++i] ?? '';
	}
	if (!only.trim()) return [...SECTIONS];
	const picked = only.split(',').map((s) => s.trim()).filter(Boolean);
	const unknown = picked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
	if (unknown.length) throw new Error(`unknown bench section(s): ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
	return picked as Section[];
}

/** Section of a metric written before metrics carried one. */
function sectionOf(m: Metric): Section {
	if (m.section) return m.section;
	if (m.name.startsWith('start-up') || m.name.startsWith('server RSS after cold')) return 'startup';
	if (m.name.startsWith('audit')) return 'audit';
	return 'ingest';
}

const metrics: Metric[] = [];
let currentSection: Section = 'startup';
const record = (m: Metric) => {
	m.section ??= currentSection;
	metrics.push(m);
	console.log(`${m.name.padEnd(78)} ${String(m.value).padStart(10)} ${m.unit.padEnd(8)} ${m.backend}${m.note ? '  (' + m.note + ')' : ''}`);
};

const pgUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)]!;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function pkgVersion(name: string): string {
	return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
}

async function withServer<T>(env: Record<string, string>, fn: (s: ServerProcess) => Promise<T>): Promise<T> {
	const s = await spawnServer(env);
	try {
		return await fn(s);
	} finally {
		await s.stop();
	}
}

/** A server with an organisation, a company and one joined employee ready to upload. */
async function preparedServer(env: Record<string, string>) {
	const s = await spawnServer(env);
	const token = s.setupUrl!.split('#')[1]!;
	const handler = await setUpHandler(s.url, token);
	const invitation = await addEmployee(handler, 'BENCH-1');
	const { employee, device } = await joinAsEmployee(s.url, invitation);
	const keys = await employee.trpc.employee.companyKeys.query();
	const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
	const seal = async (payload: Uint8Array) => {
		const submissionId = crypto.randomUUID();
		const ciphertext = await sealEnvelope({
			recipient: manifest.recipient,
			context: { companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId, itemKind: 'record', itemIndex: 0 },
			payload,
			device
		});
		return { submissionId, ciphertext };
	};
	const upload = (sealed: { submissionId: string; ciphertext: Uint8Array }) =>
		employee.upload({ submissionId: sealed.submissionId, epoch: manifest.epoch, kind: 'record' }, sealed.ciphertext);
	return { s, handler, employee, seal, upload };
}

function envFor(backend: Backend, dataDir: string, dbUrl?: string): Record<string, string> {
	return backend === 'pglite' ? { DATA_DIR: dataDir } : { DATABASE_URL: dbUrl!, DATA_DIR: dataDir };
}

async function benchStartup(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-bench-start-'));
	try {
		const cold = await withServer({ DATA_DIR: dir }, async (s) => ({ ms: s.readyMs, rss: s.rssBytes() }));
		record({ name: 'start-up to ready, cold (initdb + migrate)', value: Math.round(cold.ms), unit: 'ms', backend: 'pglite' });
		record({ name: 'server RSS after cold start', value: round(cold.rss / 1048576), unit: 'MiB', backend: 'pglite' });
		const warm: number[] = [];
		for (let i = 0; i < 3; i++) warm.push(await withServer({ DATA_DIR: dir }, async (s) => s.readyMs));
		record({ name: 'start-up to ready, warm (median of 3)', value: Math.round(median(warm)), unit: 'ms', backend: 'pglite' });
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function benchRoundTripAndIngest(backend: Backend): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-bench-'));
	const scratch = backend === 'postgres' ? await scratchDb('postgres') : undefined;
	const p = await preparedServer(envFor(backend, dir, scratch?.options.databaseUrl));
	try {
		// One sealed submission round trip: seal + upload in the employee's role, reveal + open in the handler's.
		const trips: number[] = [];
		for (let i = 0; i < 20; i++) {
			const t0 = performance.now();
			const sealed = await p.seal(encodeRecord({ myNumber: '123456789018' }));
			await p.upload(sealed);
			await revealNumber(p.handler as HandlerSide, sealed.submissionId);
			trips.push(performance.now() - t0);
		}
		record({ name: 'sealed submission round trip (median of 20)', value: round(median(trips)), unit: 'ms', backend, note: 'seal+upload+reveal+open' });

		for (const mb of [1, 5]) {
			const payload = crypto.getRandomValues(new Uint8Array(65536));
			const big = new Uint8Array(mb * 1048576);
			for (let at = 0; at < big.length; at += payload.length) big.set(payload.subarray(0, Math.min(payload.length, big.length - at)), at);
			const times: number[] = [];
			let size = 0;
			for (let i = 0; i < 15; i++) {
				const sealed = await p.seal(big);
				size = sealed.ciphertext.byteLength;
				const t0 = performance.now();
				await p.upload(sealed);
				times.push(performance.now() - t0);
			}
			const ms = median(times);
			record({ name: `ciphertext ingest ${mb} MB via API (median of 15)`, value: round(size / 1048576 / (ms / 1000)), unit: 'MB/s', backend, note: `${round(ms)} ms per upload` });
		}
		const rssBefore = p.s.rssBytes();
		const small = await p.seal(encodeRecord({ myNumber: '123456789018' }));
		const t0 = performance.now();
		for (let i = 0; i < 1000; i++) await p.upload({ submissionId: crypto.randomUUID(), ciphertext: small.ciphertext });
		const seconds = (performance.now() - t0) / 1000;
		record({ name: '1,000 record uploads, sequential', value: round(1000 / seconds), unit: 'req/s', backend });
		record({ name: 'server RSS after 1,000 uploads (+ the 1/5 MB runs)', value: round(p.s.rssBytes() / 1048576), unit: 'MiB', backend, note: `${round(rssBefore / 1048576)} MiB before them` });
	} finally {
		await p.s.stop();
		await scratch?.drop();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function benchPlainInsert(): Promise<void> {
	if (!pgUrl) return;
	const sqlc = postgres(pgUrl, { max: 1, onnotice: () => {} });
	try {
		await sqlc`create temporary table bench_plain (b bytea)`;
		for (const mb of [1, 5]) {
			const bytes = Buffer.from(crypto.getRandomValues(new Uint8Array(65536)));
			const big = Buffer.alloc(mb * 1048576);
			for (let at = 0; at < big.length; at += bytes.length) bytes.copy(big, at);
			const times: number[] = [];
			for (let i = 0; i < 15; i++) {
				const t0 = performance.now();
				await sqlc`insert into bench_plain (b) values (${big})`;
				times.push(performance.now() - t0);
			}
			record({ name: `plain postgres.js insert ${mb} MB (physical limit)`, value: round(mb / (median(times) / 1000)), unit: 'MB/s', backend: 'postgres', note: `${round(median(times))} ms per insert` });
		}
	} finally {
		await sqlc.end();
	}
}

async function benchAudit(backend: Backend): Promise<void> {
	const scratch = await scratchDb(backend);
	const handle = await openDb(scratch.options);
	try {
		const clients = 10;
		const durationMs = 4000;
		let count = 0;
		const end = performance.now() + durationMs;
		await Promise.all(
			Array.from({ length: clients }, async (_, c) => {
				while (performance.now() < end) {
					await appendAudit(handle.db, { actorType: 'system', action: 'login', result: 'ok', actorLabel: `client-${c}` }, new Date());
					count++;
				}
			})
		);
		record({ name: 'audit events appended, 10 concurrent clients', value: Math.round(count / (durationMs / 1000)), unit: 'ev/s', backend });
	} finally {
		await handle.close();
		await scratch.drop();
	}
}

/** Client-side crypto (issue "Keys that a team can live with"): the same code in Node, then in headless Chromium. */
async function benchCrypto(): Promise<{ chromium: string | null }> {
	const fromFigure = (backend: 'node' | 'chromium') => (f: CryptoFigure) => record({ name: f.name, value: f.value, unit: f.unit, backend, ...(f.note ? { note: f.note } : {}), key: f.key });
	for (const f of await runCryptoBench()) fromFigure('node')(f);
	try {
		const { figures, browserVersion } = await runCryptoBenchInChromium({});
		figures.forEach(fromFigure('chromium'));
		return { chromium: browserVersion };
	} catch (error) {
		console.error('crypto in Chromium failed (set CHROMIUM_PATH if Chromium is elsewhere):', error);
		process.exitCode = 1;
		return { chromium: null };
	}
}

async function main(): Promise<void> {
	const sections = selectedSections();
	const backends: Backend[] = pgUrl ? ['pglite', 'postgres'] : ['pglite'];
	console.log(`mynumber-vault bench: ${cpus().length} cores, ${round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, backends: ${backends.join(', ')}, sections: ${sections.join(', ')}\n`);
	// Other work on the machine moves every figure; the 1-minute load average at the start says how busy it was.
	const loadAtStart = round(loadavg()[0]!, 2);
	console.log(`load average (1 min) at start: ${loadAtStart}\n`);
	const started: Partial<Record<Section, string>> = {};
	const begin = (s: Section) => {
		currentSection = s;
		started[s] = new Date().toISOString();
	};
	if (sections.includes('startup')) {
		begin('startup');
		await benchStartup();
	}
	if (sections.includes('ingest')) {
		begin('ingest');
		for (const b of backends) await benchRoundTripAndIngest(b);
		await benchPlainInsert();
		for (const mb of [1, 5]) {
			const api = metrics.find((m) => m.backend === 'postgres' && m.name.startsWith(`ciphertext ingest ${mb} MB`));
			const plain = metrics.find((m) => m.name.startsWith(`plain postgres.js insert ${mb} MB`));
			if (api && plain) record({ name: `ingest ${mb} MB via API ÷ plain insert (target ≥ 0.8)`, value: round(api.value / plain.value, 2), unit: 'ratio', backend: 'postgres' });
		}
	}
	if (sections.includes('audit')) {
		begin('audit');
		for (const b of backends) await benchAudit(b);
	}
	let chromiumVersion: string | null = null;
	if (sections.includes('crypto')) {
		begin('crypto');
		chromiumVersion = (await benchCrypto()).chromium;
	}

	if (sections.includes('employee')) {
		begin('employee');
		const dir = mkdtempSync(join(tmpdir(), 'mnv-bench-employee-'));
		try {
			await withServer({ DATA_DIR: join(dir, 'data') }, async (s) => {
				const { figures, browserVersion } = await runEmployeeBench(s, dir);
				chromiumVersion ??= browserVersion;
				for (const f of figures) record({ ...f, backend: 'chromium' });
			});
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}

	if (sections.includes('desk')) {
		begin('desk');
		// Issue 5's handler's desk: its own server, since it fills a company with 10,000 employees.
		const dir = mkdtempSync(join(tmpdir(), 'mnv-bench-desk-'));
		try {
			await withServer({ DATA_DIR: join(dir, 'data') }, async (s) => {
				const { figures, browserVersion } = await runDeskBench(s, dir, { log: (line) => console.log(line) });
				chromiumVersion ??= browserVersion;
				for (const f of figures) record({ ...f, backend: 'pglite' });
			});
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}

	if (sections.includes('desk-part2')) {
		begin('desk-part2');
		// Issue 6: export of 10,000, history of 100,000 events, disposal of 1,000, on each backend.
		for (const b of backends) for (const f of await runDesk2Bench(b, { log: (line) => console.log(line) })) record({ ...f, backend: b });
	}

	// Assigned in a callback: the cast keeps TypeScript from narrowing it to null.
	let lighthouse = null as (Omit<LighthouseResult, 'figures' | 'browserVersion'> & { seconds: number }) | null;
	if (sections.includes('lighthouse')) {
		begin('lighthouse');
		// Lighthouse (mobile emulation, simulated throttling) on the built app, its own server with a small demo office.
		const dir = mkdtempSync(join(tmpdir(), 'mnv-bench-lighthouse-'));
		const t0 = performance.now();
		try {
			await withServer({ DATA_DIR: join(dir, 'data') }, async (s) => {
				const { figures, browserVersion, ...rest } = await runLighthouseBench(s, { log: (line) => console.log(line) });
				chromiumVersion ??= browserVersion;
				const seconds = round((performance.now() - t0) / 1000);
				console.log(`  Lighthouse ${rest.lighthouseVersion}, ${rest.settings.formFactor}, ${rest.settings.throttlingMethod} throttling, ${rest.settings.screen}, benchmarkIndex ${rest.settings.benchmarkIndex}; one run per screen; ${seconds} s\n`);
				for (const f of figures) record({ ...f, backend: 'chromium' });
				// Accessibility and best-practices audits that fail, with what Lighthouse names; performance ones by id (details in results.json).
				for (const screen of rest.screens) {
					for (const f of screen.failing.filter((f) => f.category !== 'performance')) console.log(`  ${screen.screen}: ${f.category} ${f.id} (${f.title})${f.items.length ? '\n      ' + f.items.join('\n      ') : ''}`);
					const slow = screen.failing.filter((f) => f.category === 'performance').map((f) => f.id);
					if (slow.length) console.log(`  ${screen.screen}: performance audits below 0.9: ${slow.join(', ')}`);
				}
				lighthouse = { ...rest, seconds };
			});
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}

	// A partial run keeps the other sections' figures (and their dates) from bench/results.json.
	const previous = sections.length < SECTIONS.length && existsSync('bench/results.json') ? (JSON.parse(readFileSync('bench/results.json', 'utf8')) as Record<string, unknown>) : null;
	const previousDates = (previous?.sectionDates as Partial<Record<Section, string>> | undefined) ?? {};
	const fallbackDate = typeof previous?.date === 'string' ? previous.date : undefined;
	// Rows of a section that ran are replaced, except PostgreSQL rows when PostgreSQL was not
	// measured this time: those stay, marked with the date they were measured.
	const previousMetrics = ((previous?.metrics as (Metric & { measuredAt?: string })[] | undefined) ?? [])
		.filter((m) => !sections.includes(sectionOf(m)) || (m.backend === 'postgres' && !pgUrl))
		.map((m) => (sections.includes(sectionOf(m)) ? { ...m, measuredAt: m.measuredAt ?? previousDates[sectionOf(m)] ?? fallbackDate } : m));
	const sectionDates = Object.fromEntries(
		SECTIONS.map((s) => [s, started[s] ?? previousDates[s] ?? (previousMetrics.some((m) => sectionOf(m) === s) ? fallbackDate : undefined)]).filter(([, d]) => d)
	);
	const previousVersions = (previous?.versions as Record<string, string> | undefined) ?? {};
	// `npm run bench:load` (bench/load.ts) writes its own key: keep it.
	const load = existsSync('bench/results.json') ? (JSON.parse(readFileSync('bench/results.json', 'utf8')) as { load?: unknown }).load : undefined;
	// The Lighthouse section's details (settings, failing audits per screen): this run's, else the previous ones.
	const lighthouseDetails = lighthouse ?? (existsSync('bench/results.json') ? (JSON.parse(readFileSync('bench/results.json', 'utf8')) as { lighthouse?: unknown }).lighthouse : undefined);
	const result = {
		date: new Date().toISOString(),
		sectionDates,
		machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
		// This run only: the sections it measured and how busy the machine was when it began.
		run: { sections, loadAverage1mAtStart: loadAtStart },
		versions: {
			...previousVersions,
			...Object.fromEntries(['@electric-sql/pglite', 'postgres', 'drizzle-orm', '@trpc/server', 'age-encryption', '@noble/curves', '@noble/ciphers', '@noble/hashes', 'zod'].map((n) => [n, pkgVersion(n)])),
			...(sections.includes('crypto') || sections.includes('employee') || sections.includes('desk') ? { esbuild: pkgVersion('esbuild'), '@playwright/test': pkgVersion('@playwright/test'), ...(chromiumVersion ? { chromium: chromiumVersion } : {}) } : {}),
			...(sections.includes('lighthouse') ? { lighthouse: pkgVersion('lighthouse'), 'puppeteer-core': pkgVersion('puppeteer-core'), ...(chromiumVersion ? { chromium: chromiumVersion } : {}) } : {})
		},
		postgresServer: pgUrl ? await postgresVersion(pgUrl) : ((previous?.postgresServer as string | null | undefined) ?? null),
		metrics: [...previousMetrics, ...metrics].sort((a, b) => SECTIONS.indexOf(sectionOf(a)) - SECTIONS.indexOf(sectionOf(b))),
		...(load === undefined ? {} : { load }),
		...(lighthouseDetails === undefined ? {} : { lighthouse: lighthouseDetails })
	};
	writeFileSync('bench/results.json', JSON.stringify(result, null, 2) + '\n');
	console.log('\nwrote bench/results.json');
}

async function postgresVersion(url: string): Promise<string> {
	const sqlc = postgres(url, { max: 1, onnotice: () => {} });
	try {
		const [row] = await sqlc<{ server_version: string }[]>`show server_version`;
		return row!.server_version;
	} finally {
		await sqlc.end();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
