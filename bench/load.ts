/**
 * `npm run bench:load` (issue 7 item 7, "Load"): a real server process under 50 concurrent
 * employees, on PGlite and on PostgreSQL, then the audit chain under 50 concurrent clients.
 * Figures only, no thresholds. Writes the `load` key of bench/results.json (other keys kept).
 *
 *   npm run bench:load                       # 60 s per backend; PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set
 *   npm run bench:load -- --duration=10      # shorter
 *   npm run bench:load -- --backends=postgres --clients=50 --audit-duration=15 --no-write
 *
 * Per backend:
 * 1. `server/main.ts` as a child process (spawnServer) on a fresh PGlite folder or a scratch
 *    PostgreSQL database; an organisation, a company and N employees who joined through the API.
 * 2. Before the clock starts, each employee's browser work: three ~500 KB photos (random bytes,
 *    as incompressible as a JPEG) and a record sealed for real (sealSubmission: age hybrid PQ,
 *    device-signed). Each round reuses these bytes under a new submission id: the server only
 *    checks the age header and the photos' hashes the record names, so to it every round is a new
 *    submission of 1.5 MB.
 * 3. Timed: N concurrent clients, one per employee, each over its own keep-alive connection,
 *    uploading a full submission as the outbox does (photo 1, 2, 3, then the record, one at a time;
 *    each acknowledgement must carry the SHA-256 of exactly those bytes), again and again until
 *    the duration is up. A small driver on node:http rather than autocannon: autocannon cycles a
 *    fixed list of requests per connection with a context it resets each cycle, cannot tell which
 *    request of the sequence a latency belongs to, and carries on with the record after a photo
 *    failed. Latencies are exact percentiles of every request (no histogram buckets).
 * 4. Audit appends: autocannon, N connections, each POSTing `submission.reveal` (the reason is
 *    appended to the chain in its own transaction before the ciphertext is released) with one
 *    handler session, for --audit-duration seconds; then `audit.verify` through the API.
 * 5. Audit appends in this process, without HTTP: N async workers calling `appendAudit` on a
 *    pool of 10 connections (the server's default), a breakdown of where one append's time goes
 *    (lock wait, and the lock held over select-last, insert and commit), and a prototype of
 *    grouped appends (one transaction for every event waiting) for comparison; the chain is
 *    verified after each.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { desc, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { appendAudit, eventHash, GENESIS_HASH, verifyAuditChain, type AuditInput } from '../server/audit';
import { openDb, type Db, type DbHandle } from '../server/db';
import { auditEvents } from '../server/db/schema';
import { sealSubmission, toBase64Url, verifyManifestChain } from '../src/lib/crypto/index';
import { scratchDb, type Backend, type ScratchDb } from '../tests/support/databases';
import { addEmployee, join as joinAsEmployee, setUpHandler, type HandlerSide } from '../tests/support/journey';
import { spawnServer, type ServerProcess } from '../tests/support/spawn';

// ── Options ─────────────────────────────────────────────────────────────────────────────────

function option(name: string): string | undefined {
	const prefix = `--${name}=`;
	return process.argv.slice(2).find((a) => a.startsWith(prefix))?.slice(prefix.length);
}
function numberOption(name: string, fallback: number): number {
	const raw = option(name);
	if (raw === undefined) return fallback;
	const n = Number(raw);
	if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${raw}`);
	return n;
}

const pgUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || undefined;
const DURATION_S = numberOption('duration', 60);
const AUDIT_S = numberOption('audit-duration', 15);
const CLIENTS = Math.round(numberOption('clients', 50));
const IMAGE_BYTES = Math.round(numberOption('image-kb', 500) * 1024);
const IMAGES = 3;
/** The server's pool (openDb's default for PostgreSQL). */
const POOL = 10;
const WRITE = !process.argv.includes('--no-write');
const BACKENDS: Backend[] = (option('backends')?.split(',').map((b) => b.trim()) as Backend[] | undefined) ?? (pgUrl ? ['pglite', 'postgres'] : ['pglite']);
for (const b of BACKENDS) if (b !== 'pglite' && b !== 'postgres') throw new Error(`unknown backend ${b}`);
if (BACKENDS.includes('postgres') && !pgUrl) throw new Error('PostgreSQL needs BENCH_DATABASE_URL or DATABASE_URL');

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const MiB = 1048576;
const log = (line: string) => console.log(line);

// ── Statistics ──────────────────────────────────────────────────────────────────────────────

interface Percentiles {
	count: number;
	p50: number;
	p90: number;
	p99: number;
	max: number;
	mean: number;
}

/** Exact nearest-rank percentiles of every sample, in ms. */
function percentiles(samples: number[]): Percentiles {
	const s = [...samples].sort((a, b) => a - b);
	const at = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
	return { count: s.length, p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(s.at(-1) ?? 0), mean: round(s.reduce((a, b) => a + b, 0) / (s.length || 1)) };
}

/** Peak resident memory of a process: VmRSS sampled every 200 ms, and the kernel's own high-water mark. */
function memoryWatch(pid: number) {
	const read = (field: 'VmRSS' | 'VmHWM') => {
		try {
			return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
		} catch {
			return 0;
		}
	};
	let peak = read('VmRSS');
	const timer = setInterval(() => (peak = Math.max(peak, read('VmRSS'))), 200);
	return {
		stop() {
			clearInterval(timer);
			return { peakRssDuringLoad: Math.max(peak, read('VmRSS')), hwm: read('VmHWM'), rssAfter: read('VmRSS') };
		}
	};
}

// ── Setting up: an office, a company, N employees who joined, and their sealed submissions ──

interface SealedItem {
	kind: 'image' | 'record';
	itemIndex: number;
	bytes: Buffer;
	sha256: string;
}

interface LoadEmployee {
	code: string;
	cookie: string;
	epoch: number;
	device: string;
	items: SealedItem[];
}

const RECORD = {
	myNumber: '123456789018',
	name: '試験　花子',
	kana: 'しけん　はなこ',
	birthDate: '1990-04-01',
	address: '東京都千代田区千代田1-1',
	dependents: [{ relationship: '子', name: '試験　一郎', kana: 'しけん　いちろう', birthDate: '2015-05-05', myNumber: '123456789018' }]
};

async function prepareEmployees(server: ServerProcess, handler: HandlerSide, n: number): Promise<LoadEmployee[]> {
	const out: LoadEmployee[] = [];
	// A few at a time: each join costs the server a scrypt hash, each seal this process 1.5 MB of age.
	for (let from = 0; from < n; from += 5) {
		const batch = Array.from({ length: Math.min(5, n - from) }, (_, i) => from + i);
		out.push(
			...(await Promise.all(
				batch.map(async (k) => {
					const code = `LOAD-${String(k + 1).padStart(3, '0')}`;
					const { employee, device } = await joinAsEmployee(server.url, await addEmployee(handler, code));
					const keys = await employee.trpc.employee.companyKeys.query();
					const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
					const images = Array.from({ length: IMAGES }, () => randomBytes(IMAGE_BYTES));
					const sealed = await sealSubmission({ recipient: manifest.recipient, companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId: randomUUID(), record: RECORD, images, device });
					return {
						code,
						cookie: [...employee.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
						epoch: manifest.epoch,
						device: toBase64Url(device.publicKey),
						items: sealed.map((i) => ({ kind: i.kind as 'image' | 'record', itemIndex: i.itemIndex, bytes: Buffer.from(i.sealed), sha256: i.sha256 }))
					};
				})
			))
		);
	}
	return out;
}

// ── The timed upload phase ──────────────────────────────────────────────────────────────────

function post(agent: Agent, base: URL, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const req = request({ host: base.hostname, port: base.port, path, method: 'POST', agent, headers: { ...headers, 'content-length': String(body.byteLength) } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

interface UploadPhase {
	seconds: number;
	submissions: number;
	requests: number;
	errors: number;
	errorSamples: string[];
	bytesSent: number;
	latency: { image: Percentiles; record: Percentiles; all: Percentiles };
}

async function uploadPhase(server: ServerProcess, employees: LoadEmployee[], durationS: number): Promise<UploadPhase> {
	const base = new URL(server.url);
	const image: number[] = [];
	const record: number[] = [];
	const errorSamples: string[] = [];
	let errors = 0;
	let submissions = 0;
	let requests = 0;
	let bytesSent = 0;
	const started = performance.now();
	const deadline = started + durationS * 1000;
	await Promise.all(
		employees.map(async (e) => {
			const agent = new Agent({ keepAlive: true, maxSockets: 1 });
			const hashes = e.items.filter((i) => i.kind === 'image').map((i) => i.sha256);
			try {
				while (performance.now() < deadline && server.child.exitCode === null && server.child.signalCode === null) {
					const submissionId = randomUUID();
					let complete = true;
					for (const item of e.items) {
						const meta =
							item.kind === 'image'
								? { kind: 'image', submissionId, epoch: e.epoch, itemIndex: item.itemIndex, device: e.device }
								: { kind: 'record', submissionId, epoch: e.epoch, images: hashes, device: e.device };
						const headers = {
							'content-type': 'application/octet-stream',
							'x-upload-meta': Buffer.from(JSON.stringify(meta)).toString('base64url'),
							'x-mnv-lang': 'en',
							cookie: e.cookie
						};
						const t0 = performance.now();
						let problem: string | null = null;
						try {
							const res = await post(agent, base, '/trpc/submission.upload', headers, item.bytes);
							const ack = res.status === 200 ? (JSON.parse(res.body) as { result?: { data?: { id?: string; sha256?: string } } }).result?.data : undefined;
							if (res.status !== 200) problem = `HTTP ${res.status} ${res.body.slice(0, 300)}`;
							else if (ack?.id !== submissionId || ack.sha256 !== item.sha256) problem = `acknowledgement does not match: ${res.body.slice(0, 300)}`;
						} catch (error) {
							problem = `request failed: ${error instanceof Error ? error.message : String(error)}`;
						}
						const ms = performance.now() - t0;
						requests++;
						if (problem) {
							errors++;
							if (errorSamples.length < 20) errorSamples.push(`${e.code} ${item.kind} ${item.itemIndex}: ${problem}`);
							complete = false;
							break; // the outbox holds the record back when a photo failed
						}
						(item.kind === 'image' ? image : record).push(ms);
						bytesSent += item.bytes.byteLength;
					}
					if (complete) submissions++;
				}
			} finally {
				agent.destroy();
			}
		})
	);
	return {
		seconds: (performance.now() - started) / 1000,
		submissions,
		requests,
		errors,
		errorSamples,
		bytesSent,
		latency: { image: percentiles(image), record: percentiles(record), all: percentiles([...image, ...record]) }
	};
}

// ── Audit appends over HTTP (autocannon) ────────────────────────────────────────────────────

async function auditOverHttp(server: ServerProcess, handler: HandlerSide, target: string, durationS: number) {
	const cookie = [...handler.client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
	const before = await handler.client.trpc.audit.head.query({});
	const result = await autocannon({
		url: `${server.url}/trpc/submission.reveal`,
		method: 'POST',
		connections: CLIENTS,
		duration: durationS,
		headers: { 'content-type': 'application/json', cookie, 'x-mnv-lang': 'en' },
		body: JSON.stringify({ submissionId: target, reason: '源泉徴収票作成事務' })
	});
	// autocannon stops at the deadline without waiting for the requests still in flight: let them land.
	let after = await handler.client.trpc.audit.head.query({});
	for (let i = 0; i < 50; i++) {
		await new Promise((r) => setTimeout(r, 100));
		const again = await handler.client.trpc.audit.head.query({});
		if (again.seq === after.seq) break;
		after = again;
	}
	const t0 = performance.now();
	const verdict = await handler.client.trpc.audit.verify.query();
	const verifyMs = performance.now() - t0;
	return {
		connections: CLIENTS,
		seconds: round(result.duration, 2),
		responses2xx: result['2xx'],
		non2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts,
		eventsPerSecond: Math.round(result['2xx'] / result.duration),
		eventsAppended: after.seq - before.seq,
		latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
		chain: { ok: verdict.ok, count: verdict.count, verifyMs: Math.round(verifyMs) }
	};
}

// ── Audit appends in this process ───────────────────────────────────────────────────────────

const AUDIT_LOCK_KEY = 0x6d6e7602; // server/audit.ts
const event = (worker: number): AuditInput => ({ actorType: 'system', action: 'login', result: 'ok', actorLabel: `worker-${worker}`, ip: '127.0.0.1', userAgent: 'bench/load.ts' });

/** `appendAuditInTx`'s steps, timed: the lock wait, then the lock held over select-last, insert and commit. */
async function timedAppend(db: Db, e: AuditInput) {
	const t0 = performance.now();
	let t1 = 0;
	let t2 = 0;
	let t3 = 0;
	await db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
		t1 = performance.now();
		const [last] = await tx.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
		t2 = performance.now();
		const row = rowOf(e, (last?.seq ?? 0) + 1, last?.hash ?? GENESIS_HASH, new Date());
		await tx.insert(auditEvents).values({ ...row, hash: eventHash(row) });
		t3 = performance.now();
	});
	const t4 = performance.now();
	return { waitMs: t1 - t0, selectMs: t2 - t1, insertMs: t3 - t2, commitMs: t4 - t3, heldMs: t4 - t1 };
}

type Timing = Awaited<ReturnType<typeof timedAppend>>;

function rowOf(e: AuditInput, seq: number, prevHash: string, at: Date) {
	return {
		seq,
		at,
		orgId: e.orgId ?? null,
		companyId: e.companyId ?? null,
		actorType: e.actorType,
		actorId: e.actorId ?? null,
		actorLabel: e.actorLabel ?? null,
		action: e.action,
		targetType: e.targetType ?? null,
		targetId: e.targetId ?? null,
		purpose: e.purpose ?? null,
		reason: e.reason ?? null,
		result: e.result,
		ip: e.ip ?? null,
		userAgent: e.userAgent ?? null,
		detail: e.detail ?? null,
		prevHash
	};
}

/**
 * The proposal, as a prototype: callers queue their event and wait; one flush at a time takes
 * every event waiting, and appends them in one transaction (one lock, one select-last, one
 * multi-row insert, one commit). Each caller resolves when its own event is committed.
 */
function groupedAppender(db: Db) {
	let waiting: { e: AuditInput; at: Date; resolve: (seq: number) => void; reject: (err: unknown) => void }[] = [];
	let flushing = false;
	const batches: number[] = [];
	async function flush() {
		if (flushing) return;
		flushing = true;
		try {
			while (waiting.length) {
				const batch = waiting.slice(0, 1000);
				waiting = waiting.slice(batch.length);
				batches.push(batch.length);
				try {
					const seqs = await db.transaction(async (tx) => {
						await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
						const [last] = await tx.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
						let seq = last?.seq ?? 0;
						let prev = last?.hash ?? GENESIS_HASH;
						const rows = batch.map((b) => {
							const row = rowOf(b.e, ++seq, prev, b.at);
							prev = eventHash(row);
							return { ...row, hash: prev };
						});
						await tx.insert(auditEvents).values(rows);
						return rows.map((r) => r.seq);
					});
					batch.forEach((b, i) => b.resolve(seqs[i]!));
				} catch (error) {
					for (const b of batch) b.reject(error);
				}
			}
		} finally {
			flushing = false;
		}
	}
	return {
		append(e: AuditInput, at: Date): Promise<number> {
			return new Promise((resolve, reject) => {
				waiting.push({ e, at, resolve, reject });
				void flush();
			});
		},
		batches
	};
}

async function workers(n: number, seconds: number, fn: (worker: number) => Promise<unknown>): Promise<{ count: number; seconds: number }> {
	let count = 0;
	const t0 = performance.now();
	const end = t0 + seconds * 1000;
	await Promise.all(
		Array.from({ length: n }, async (_, w) => {
			while (performance.now() < end) {
				await fn(w);
				count++;
			}
		})
	);
	return { count, seconds: (performance.now() - t0) / 1000 };
}

async function auditInProcess(backend: Backend, seconds: number) {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-load-audit-'));
	const scratch: ScratchDb | null = backend === 'postgres' ? await scratchDb('postgres') : null;
	// PGlite on disk, as the server runs it; PostgreSQL with the server's pool size.
	const handle: DbHandle = await openDb(scratch ? { databaseUrl: scratch.options.databaseUrl!, maxConnections: POOL } : { dataDir: dir });
	try {
		const verify = async () => {
			const v = await verifyAuditChain(handle.db);
			if (!v.ok) throw new Error(`audit chain broken at ${v.firstBrokenSeq}`);
			return v.count;
		};
		// Today's code: one transaction per event.
		const today = await workers(CLIENTS, seconds, (w) => appendAudit(handle.db, event(w), new Date()));
		const countToday = await verify();

		// Where one append's time goes: alone (no contention), then under N clients.
		const alone: Timing[] = [];
		for (let i = 0; i < 300; i++) alone.push(await timedAppend(handle.db, event(0)));
		const contended: Timing[] = [];
		const underLoad = await workers(CLIENTS, Math.min(seconds, 5), async (w) => contended.push(await timedAppend(handle.db, event(w))));
		await verify();
		const median = (xs: number[]) => percentiles(xs).p50;
		const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
		const breakdown = (xs: Timing[]) => ({
			waitMs: { median: round(median(xs.map((x) => x.waitMs)), 2), mean: round(mean(xs.map((x) => x.waitMs)), 2) },
			selectLastMs: round(mean(xs.map((x) => x.selectMs)), 3),
			insertMs: round(mean(xs.map((x) => x.insertMs)), 3),
			commitMs: round(mean(xs.map((x) => x.commitMs)), 3),
			lockHeldMs: round(mean(xs.map((x) => x.heldMs)), 3)
		});

		// The proposal: every event waiting goes into one transaction.
		const grouped = groupedAppender(handle.db);
		const groupedRun = await workers(CLIENTS, seconds, (w) => grouped.append(event(w), new Date()));
		const countAll = await verify();
		return {
			method: `in process, ${CLIENTS} async workers, ${backend === 'postgres' ? `postgres.js pool of ${POOL}` : 'one PGlite on disk'}, ${seconds} s per run`,
			appendAudit: { eventsPerSecond: Math.round(today.count / today.seconds), events: today.count, chainOk: true, chainLength: countToday },
			breakdownAlone: breakdown(alone),
			breakdownUnderLoad: { ...breakdown(contended), eventsPerSecond: Math.round(underLoad.count / underLoad.seconds) },
			groupedPrototype: {
				eventsPerSecond: Math.round(groupedRun.count / groupedRun.seconds),
				events: groupedRun.count,
				transactions: grouped.batches.length,
				meanBatch: round(groupedRun.count / (grouped.batches.length || 1), 1),
				chainOk: true,
				chainLength: countAll
			}
		};
	} finally {
		await handle.close();
		await scratch?.drop();
		rmSync(dir, { recursive: true, force: true });
	}
}

// ── One backend ─────────────────────────────────────────────────────────────────────────────

async function runBackend(backend: Backend) {
	const loadAverage1mAtStart = round(loadavg()[0]!, 2);
	log(`\n── ${backend} (load average ${loadAverage1mAtStart}) ──`);
	const dir = mkdtempSync(join(tmpdir(), 'mnv-load-'));
	const scratch = backend === 'postgres' ? await scratchDb('postgres') : null;
	let server: ServerProcess | null = null;
	try {
		server = await spawnServer(scratch ? { DATABASE_URL: scratch.options.databaseUrl!, DATA_DIR: dir } : { DATA_DIR: join(dir, 'data') });
		log(`server ${server.url} (pid ${server.child.pid}) ready in ${Math.round(server.readyMs)} ms`);
		const running = server;
		running.child.once('exit', (code, signal) => {
			if (running !== server) return; // stopped by this script
			console.error(`\nthe server exited during the run (code ${code}, signal ${signal}); its last output:\n${running.output().split('\n').slice(-40).join('\n')}`);
		});
		const handler = await setUpHandler(server.url, server.setupUrl!.split('#')[1]!);
		const t0 = performance.now();
		const employees = await prepareEmployees(server, handler, CLIENTS);
		const perSubmission = employees[0]!.items.reduce((n, i) => n + i.bytes.byteLength, 0);
		log(`${employees.length} employees joined, their submissions sealed (${round(perSubmission / MiB, 2)} MiB each) in ${round((performance.now() - t0) / 1000)} s`);

		const rssBefore = server.rssBytes();
		const watch = memoryWatch(server.child.pid!);
		const load = await uploadPhase(server, employees, DURATION_S);
		const memory = watch.stop();
		for (const line of load.errorSamples) console.error(`  error: ${line}`);
		const upload = {
			clients: CLIENTS,
			seconds: round(load.seconds, 2),
			submissionsCompleted: load.submissions,
			requests: load.requests,
			errors: load.errors,
			sealedImageBytes: employees[0]!.items.find((i) => i.kind === 'image')!.bytes.byteLength,
			sealedRecordBytes: employees[0]!.items.find((i) => i.kind === 'record')!.bytes.byteLength,
			latencyMs: load.latency,
			throughput: {
				requestsPerSecond: round(load.requests / load.seconds),
				submissionsPerSecond: round(load.submissions / load.seconds, 2),
				mibPerSecond: round(load.bytesSent / MiB / load.seconds, 1)
			},
			serverMemoryMiB: {
				beforeLoad: round(rssBefore / MiB),
				peakDuringLoad: round(memory.peakRssDuringLoad / MiB),
				afterLoad: round(memory.rssAfter / MiB),
				processHighWaterMark: round(memory.hwm / MiB)
			}
		};
		log(
			`uploads: ${upload.submissionsCompleted} submissions, ${upload.requests} requests, ${upload.errors} errors in ${upload.seconds} s; ` +
				`${upload.throughput.requestsPerSecond} req/s, ${upload.throughput.mibPerSecond} MiB/s; ` +
				`image p50/p99 ${load.latency.image.p50}/${load.latency.image.p99} ms, record p50/p99 ${load.latency.record.p50}/${load.latency.record.p99} ms; ` +
				`server RSS peak ${upload.serverMemoryMiB.peakDuringLoad} MiB (high-water mark ${upload.serverMemoryMiB.processHighWaterMark} MiB)`
		);

		// Something to reveal: the first employee's submission of the run.
		const [target] = await listSubmission(server, employees[0]!);
		const auditHttp = await auditOverHttp(server, handler, target!, AUDIT_S);
		log(`audit over HTTP (autocannon, ${CLIENTS} connections, submission.reveal): ${auditHttp.eventsPerSecond} events/s, ${auditHttp.non2xx} non-2xx, ${auditHttp.errors} errors; p50/p99 ${auditHttp.latencyMs.p50}/${auditHttp.latencyMs.p99} ms; chain ok: ${auditHttp.chain.ok} (${auditHttp.chain.count} events)`);
		const done = server;
		server = null;
		await done.stop();

		const auditLocal = await auditInProcess(backend, AUDIT_S);
		log(`audit in process (${auditLocal.method}): appendAudit ${auditLocal.appendAudit.eventsPerSecond} events/s; grouped prototype ${auditLocal.groupedPrototype.eventsPerSecond} events/s (mean batch ${auditLocal.groupedPrototype.meanBatch}); chain ok`);
		log(`  one append alone: ${JSON.stringify(auditLocal.breakdownAlone)}`);
		log(`  under ${CLIENTS} clients: ${JSON.stringify(auditLocal.breakdownUnderLoad)}`);
		return { loadAverage1mAtStart, loadAverage1mAtEnd: round(loadavg()[0]!, 2), upload, auditHttp, auditInProcess: auditLocal };
	} finally {
		const left = server;
		server = null;
		await left?.stop();
		await scratch?.drop();
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The id of one of the employee's stored submissions (asked as that employee). */
async function listSubmission(server: ServerProcess, e: LoadEmployee): Promise<string[]> {
	const res = await fetch(`${server.url}/trpc/submission.mine`, { headers: { cookie: e.cookie } });
	const body = (await res.json()) as { result: { data: { submissions: { id: string }[] } } };
	const ids = body.result.data.submissions.map((s) => s.id);
	if (!ids.length) throw new Error('no submission to reveal');
	return ids;
}

// ── Main ────────────────────────────────────────────────────────────────────────────────────

function pkgVersion(name: string): string {
	return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
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

async function main(): Promise<void> {
	const loadAtStart = round(loadavg()[0]!, 2);
	log(`mynumber-vault load bench: ${cpus().length} cores, Node ${process.version}, backends ${BACKENDS.join(', ')}, ${CLIENTS} clients, ${DURATION_S} s uploads, ${AUDIT_S} s audit runs, photos ${IMAGE_BYTES / 1024} KiB; load average (1 min) ${loadAtStart}`);
	const results: Partial<Record<Backend, unknown>> = {};
	let failed = false;
	for (const backend of BACKENDS) {
		const r = await runBackend(backend);
		results[backend] = { measuredAt: new Date().toISOString(), ...r };
		if (r.upload.errors > 0 || r.auditHttp.non2xx > 0 || r.auditHttp.errors > 0 || !r.auditHttp.chain.ok) failed = true;
	}
	if (WRITE) {
		const path = 'bench/results.json';
		const all = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
		const previous = (all.load as { backends?: Record<string, unknown> } | undefined)?.backends ?? {};
		all.load = {
			date: new Date().toISOString(),
			method:
				'server/main.ts as a child process; N concurrent employees (node:http keep-alive, one connection each) each uploading a full submission (3 sealed photos, then the record) in a loop; ' +
				'audit over HTTP: autocannon POSTing submission.reveal with N connections; audit in process: N async workers on appendAudit',
			machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
			loadAverage1mAtStart: loadAtStart,
			options: { clients: CLIENTS, uploadSeconds: DURATION_S, auditSeconds: AUDIT_S, photoPlaintextBytes: IMAGE_BYTES, photosPerSubmission: IMAGES, serverPool: POOL },
			versions: Object.fromEntries(['autocannon', '@electric-sql/pglite', 'postgres', 'drizzle-orm', '@trpc/server', 'age-encryption'].map((n) => [n, pkgVersion(n)])),
			postgresServer: pgUrl ? await postgresVersion(pgUrl) : null,
			// A run of one backend keeps the other's figures from before (each has its own measuredAt).
			backends: { ...previous, ...results }
		};
		writeFileSync(path, JSON.stringify(all, null, 2) + '\n');
		log('\nwrote the "load" key of bench/results.json');
	}
	if (failed) {
		console.error('\nerrors during the load run (see above)');
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
