/**
 * Issue 6's "Speed" figures (the handler's desk, part 2), on one backend at a time:
 * - **Export of 10,000 people**: `submission.exportVerified` (the reason recorded) over HTTP, opening
 *   the 10,000 verified records with the data key as `exportVerifiedRecords` (src/lib/managers/vault.ts)
 *   does, and the Shift_JIS CSV as the export panel builds it (src/lib/exports).
 * - **History of 100,000 events**: `audit.search` first pages (limit 100) for one company, without
 *   and with each filter, and `verifyAuditChain` over the whole chain.
 * - **Disposal of 1,000 people**: one `disposal.dispose` batch (the procedure's and the panel's
 *   maximum) of people with submissions, photos, invitations, requests, sessions and some passkeys.
 *
 * The server runs in this process (`startServer`, as the server tests start it) on a temporary PGlite
 * folder on disk, or on a scratch PostgreSQL database (`scratchDb`), and is called over HTTP with the
 * tests' tRPC client. The office, its handler keys and companies are made through the API; the bulk
 * data is inserted straight through drizzle (real ciphertext from `src/lib/crypto`, one sealed record
 * per person), and the 100,000 events go through the real append path, `appendAuditInTx`. Only the
 * export, history and disposal calls are timed.
 *
 * BENCH_DESK2_IMAGE_KB sets the size of each document photo (default 32 KiB; real ones are 0.3–1 MB
 * but are usually deleted after acceptance). BENCH_DESK2_EXPLAIN=1 prints the query plans of the
 * history pages (EXPLAIN ANALYZE of the same conditions as `audit.search`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inArray, sql } from 'drizzle-orm';
import { startServer, type RunningServer } from '../server/app';
import { appendAuditInTx, verifyAuditChain, type AuditInput } from '../server/audit';
import type { Db } from '../server/db';
import { employeePasskeys, employeeRequests, employees, invitations, sessions, submissionImages, submissions } from '../server/db/schema';
import {
	dataKeyEpochOf,
	decodeRecord,
	encodeRecord,
	fromBase64Url,
	generateHandlerKeys,
	handlerPublicInfo,
	openVerifiedRecord,
	sealDeviceSecret,
	sealEmployeeName,
	sealEmployeeProfile,
	sealEnvelope,
	sealVerifiedRecord,
	toBase64Url,
	wrapHandlerKeys,
	type CompanyKeys
} from '../src/lib/crypto/index';
import { DEFAULT_FORMAT, encodeCsv, exportTable, toCsv, type ExportColumn } from '../src/lib/exports/index';
import { individualCheckDigit } from '../src/lib/mynumber/index';
import { testClient, type TestClient } from '../tests/support/client';
import { scratchDb, type Backend } from '../tests/support/databases';
import { createCompany } from '../tests/support/journey';

export interface Desk2Figure {
	name: string;
	value: number;
	unit: string;
	note?: string;
}

const EXPORT_PEOPLE = 10_000;
const HISTORY_EVENTS = 100_000;
const DISPOSAL_PEOPLE = 1_000;
/** Appends per seeding transaction: the chain is the same as one per request, only faster to fill. */
const APPENDS_PER_TX = 1_000;
const IMAGE_BYTES = Number(process.env.BENCH_DESK2_IMAGE_KB ?? 32) * 1024;
const EXPLAIN = process.env.BENCH_DESK2_EXPLAIN === '1';
const LOGIN = { loginId: 'admin', password: 'correct horse battery' };

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => Math.round(x);

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same history. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A fictitious but valid My Number: 11 digits from `i`, then the check digit. */
function syntheticNumber(i: number): string {
	const first11 = String(10_000_000_000 + i).slice(-11);
	return first11 + String(individualCheckDigit(first11));
}

/** What an employee's phone seals (src/routes/me/+page.svelte), with fictitious values; every third person has a spouse. */
function personRecord(i: number): Record<string, unknown> {
	const given = ['花子', '太郎', '一郎', '春子', '夏子'][i % 5]!;
	return {
		v: 2,
		myNumber: syntheticNumber(i),
		name: `試験　${given}`,
		kana: 'しけん　はなこ',
		birthDate: `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
		address: `東京都千代田区千代田${1 + (i % 9)}-${1 + (i % 30)}-${1 + (i % 20)}　ベンチハイツ${100 + (i % 900)}`,
		postalCode: '100-0001',
		purposes: ['withholding', 'employment_insurance', 'social_insurance'],
		purposesAcknowledgedAt: '2026-04-01T09:00:00.000Z',
		supersedes: null,
		identityEvidence: { evidence: 'card', identity: null },
		photos: [
			{ index: 1, slot: 'card_front' },
			{ index: 2, slot: 'card_back' }
		],
		dependents:
			i % 3 === 0
				? [{ relationship: 'spouse', name: `試験　配偶者${i % 10}`, kana: 'しけん　はいぐうしゃ', birthDate: '1980-05-05', myNumber: syntheticNumber(500_000 + i), verification: 'employee' }]
				: []
	};
}

async function insertChunked<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
	for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

// ── The office ──────────────────────────────────────────────────────────────────────────────

interface Office {
	app: RunningServer;
	client: TestClient;
	adminId: string;
	orgId: string;
	/** The 10,000 people to export, and the company whose history is searched. */
	exporting: CompanyKeys;
	disposing: CompanyKeys;
	/** Two more companies, so the history is spread as an office's is. */
	others: CompanyKeys[];
	close(): Promise<void>;
}

/** A server on a fresh database (temporary PGlite folder, or a scratch PostgreSQL database) with an office set up through the API. */
async function openOffice(backend: Backend): Promise<Office> {
	const dir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'mnv-bench-desk2-')) : undefined;
	const scratch = backend === 'postgres' ? await scratchDb('postgres') : undefined;
	const app = await startServer({ db: scratch ? scratch.options : { dataDir: dir }, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true });
	const client = testClient(app.url);
	await client.trpc.setup.create.mutate({
		token: app.services.setup.token!,
		organisation: { name: 'ベンチ社労士事務所', address: '東京都千代田区千代田1-1', contact: '03-0000-0000' },
		admin: { loginId: LOGIN.loginId, displayName: '管理者', password: LOGIN.password }
	});
	const keys = await generateHandlerKeys();
	// The unlock is not timed here, so the test helper's fast work factor will do.
	await client.trpc.keys.create.mutate({ ...handlerPublicInfo(keys), wrapped: toBase64Url(await wrapHandlerKeys(keys, 'desk2 bench passphrase', { logN: 10 })) });
	const me = await client.trpc.auth.me.query();
	if (me?.kind !== 'handler') throw new Error('desk2 bench: not signed in');
	const exporting = await createCompany(client, keys, '株式会社ベンチ出力', null);
	const disposing = await createCompany(client, keys, '株式会社ベンチ廃棄', null);
	const others = [await createCompany(client, keys, '株式会社ベンチ三', null), await createCompany(client, keys, '株式会社ベンチ四', null)];
	return {
		app,
		client,
		adminId: me.user.id,
		orgId: me.user.orgId,
		exporting,
		disposing,
		others,
		async close() {
			await app.close();
			await scratch?.drop();
			if (dir) rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** One record envelope as a phone seals it: the `ciphertext` every seeded submission carries (never opened here). */
async function sampleEnvelope(company: CompanyKeys, itemKind: 'record' | 'image', payload: Uint8Array): Promise<Uint8Array> {
	const epoch = company.epochs[0]!;
	return sealEnvelope({
		recipient: epoch.recipient,
		context: { companyId: company.companyId, epoch: epoch.epoch, employeeId: randomUUID(), submissionId: randomUUID(), itemKind, itemIndex: itemKind === 'record' ? 0 : 1 },
		payload
	});
}

// ── Seeding ─────────────────────────────────────────────────────────────────────────────────

interface ExportPeople {
	codes: Map<string, string>;
	ids: string[];
}

/** 10,000 employees, each with an accepted record whose verified copy is sealed under the data key. */
async function seedExportCompany(db: Db, office: Office): Promise<ExportPeople> {
	const company = office.exporting;
	const epoch = company.epochs.at(-1)!;
	const companyId = company.companyId;
	const envelope = await sampleEnvelope(company, 'record', encodeRecord(personRecord(0)));
	const codes = new Map<string, string>();
	const people: (typeof employees.$inferInsert)[] = [];
	const subs: (typeof submissions.$inferInsert)[] = [];
	const start = Date.parse('2026-04-01T09:00:00Z');
	for (let i = 1; i <= EXPORT_PEOPLE; i++) {
		const id = randomUUID();
		const submissionId = randomUUID();
		const code = `E-${String(i).padStart(5, '0')}`;
		codes.set(id, code);
		const at = new Date(start + i * 60_000);
		people.push({ id, companyId, code, sealedName: sealEmployeeName({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId: id, name: `試験　花子${i}` }), createdBy: office.adminId, joinedAt: at, createdAt: at });
		const record = encodeRecord(personRecord(i));
		subs.push({
			id: submissionId,
			companyId,
			employeeId: id,
			epoch: epoch.epoch,
			kind: 'record',
			status: 'accepted',
			statusAt: at,
			ciphertext: envelope,
			size: envelope.byteLength,
			verifiedRecord: sealVerifiedRecord({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId: id, submissionId, record }),
			verifiedAt: at,
			verifiedBy: office.adminId,
			createdAt: at
		});
	}
	await insertChunked(people, 1000, (c) => db.insert(employees).values(c));
	await insertChunked(subs, 1000, (c) => db.insert(submissions).values(c));
	return { codes, ids: [...codes.keys()] };
}

/**
 * 1,000 people who left, each with: a name and profile, their own password and wrapped device
 * key, two invitations (one used, one revoked), a letter and a reminder, an employee session, two
 * submissions (a superseded one and the accepted correction with its verified copy) of two photos
 * each, and for every tenth person a passkey.
 */
async function seedDisposalCompany(db: Db, office: Office): Promise<{ ids: string[]; images: number }> {
	const company = office.disposing;
	const epoch = company.epochs.at(-1)!;
	const companyId = company.companyId;
	const photo = await sampleEnvelope(company, 'image', crypto.getRandomValues(new Uint8Array(IMAGE_BYTES - 600)));
	const photoHash = createHash('sha256').update(photo).digest('base64url');
	const envelope = await sampleEnvelope(company, 'record', encodeRecord(personRecord(0)));
	const people: (typeof employees.$inferInsert)[] = [];
	const invites: (typeof invitations.$inferInsert)[] = [];
	const requests: (typeof employeeRequests.$inferInsert)[] = [];
	const subs: (typeof submissions.$inferInsert)[] = [];
	const images: (typeof submissionImages.$inferInsert)[] = [];
	const employeeSessions: (typeof sessions.$inferInsert)[] = [];
	const passkeys: (typeof employeePasskeys.$inferInsert)[] = [];
	const joined = new Date('2018-04-01T09:00:00Z');
	const future = new Date(Date.now() + 7 * 86_400_000);
	for (let i = 1; i <= DISPOSAL_PEOPLE; i++) {
		const id = randomUUID();
		const used = randomUUID();
		const revoked = randomUUID();
		const sealedDeviceSecret = sealDeviceSecret({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId: id, secret: randomBytes(32) });
		people.push({
			id,
			companyId,
			code: `D-${String(i).padStart(5, '0')}`,
			sealedName: sealEmployeeName({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId: id, name: `試験　廃棄${i}` }),
			sealedProfile: sealEmployeeProfile({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId: id, profile: { department: '総務部', leftOn: '2018-03-31' } }),
			status: 'left',
			passwordHash: `scrypt$15$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`,
			deviceKeyWrapped: randomBytes(180),
			deviceInvitationId: used,
			joinedAt: joined,
			createdBy: office.adminId
		});
		for (const [invitationId, state] of [[revoked, 'revoked'], [used, 'used']] as const) {
			invites.push({
				id: invitationId,
				employeeId: id,
				tokenHash: randomBytes(32).toString('hex'),
				passwordHash: randomBytes(32).toString('base64url'),
				sealedDeviceSecret,
				devicePublicKey: state === 'used' ? randomBytes(32).toString('base64url') : null,
				deviceMac: state === 'used' ? randomBytes(32).toString('base64url') : null,
				createdBy: office.adminId,
				expiresAt: joined,
				usedAt: state === 'used' ? joined : null,
				revokedAt: state === 'revoked' ? joined : null
			});
		}
		requests.push({ companyId, employeeId: id, kind: 'letter', purposes: ['withholding'], invitationId: used, createdBy: office.adminId });
		requests.push({ companyId, employeeId: id, kind: 'reminder', purposes: ['withholding'], invitationId: null, createdBy: office.adminId });
		const first = randomUUID();
		const correction = randomUUID();
		for (const [submissionId, status] of [[first, 'superseded'], [correction, 'accepted']] as const) {
			subs.push({
				id: submissionId,
				companyId,
				employeeId: id,
				epoch: epoch.epoch,
				kind: 'record',
				status,
				imageHashes: [photoHash, photoHash],
				supersedes: status === 'accepted' ? first : null,
				invitationId: used,
				ciphertext: envelope,
				size: envelope.byteLength,
				verifiedRecord: status === 'accepted' ? sealVerifiedRecord({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId: id, submissionId, record: encodeRecord(personRecord(i)) }) : null,
				createdAt: new Date(joined.getTime() + (status === 'accepted' ? 86_400_000 : 0))
			});
			for (const itemIndex of [1, 2]) images.push({ submissionId, itemIndex, companyId, employeeId: id, ciphertext: photo, size: photo.byteLength, sha256: photoHash });
		}
		employeeSessions.push({ id: randomBytes(32).toString('base64url'), kind: 'employee', employeeId: id, invitationId: used, expiresAt: future });
		if (i % 10 === 0) passkeys.push({ id: randomBytes(16).toString('base64url'), employeeId: id, publicKey: randomBytes(77), wrappedDevice: randomBytes(180) });
	}
	await insertChunked(people, 1000, (c) => db.insert(employees).values(c));
	await insertChunked(invites, 1000, (c) => db.insert(invitations).values(c));
	await insertChunked(requests, 1000, (c) => db.insert(employeeRequests).values(c));
	await insertChunked(subs, 1000, (c) => db.insert(submissions).values(c));
	await insertChunked(images, Math.max(1, Math.floor((4 << 20) / IMAGE_BYTES)), (c) => db.insert(submissionImages).values(c));
	await insertChunked(employeeSessions, 1000, (c) => db.insert(sessions).values(c));
	await insertChunked(passkeys, 1000, (c) => db.insert(employeePasskeys).values(c));
	return { ids: people.map((p) => p.id!), images: images.length };
}

/** Whose events the searched company's history holds, for the filters to pick from. */
interface HistoryCast {
	frequentHandler: string;
	rareHandler: string;
	/** A person of the searched company with a typical number of events. */
	person: string;
	/** Events of the searched company in the chain, by what each filter matches. */
	counts: { company: number; frequentHandler: number; rareHandler: number; person: number; reveal: number; export: number };
}

interface TimedEvent {
	at: number;
	event: AuditInput;
}

/**
 * A year of an office's work, cut at 100,000 events: each person of four companies is created,
 * invited, joins, submits, is viewed (record and both photos), verified and accepted over a few
 * weeks; some sign in again later. Handlers sign in and out every working day (organisation
 * events), issue reminders weekly and export monthly. The searched company holds about 40 % of
 * the events; its handlers are the administrator (10 %), a frequent 担当者 (60 %), another (29.9 %)
 * and a rare one (0.1 %).
 */
function historyEvents(office: Office, exportIds: string[], disposalIds: string[]): { events: TimedEvent[]; cast: HistoryCast } {
	const random = prng(6);
	const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
	const day = 86_400_000;
	const yearStart = Date.parse('2026-01-05T00:00:00Z');
	const handlers = [
		{ id: office.adminId, label: LOGIN.loginId },
		...['tanto-1', 'tanto-2', 'tanto-3', 'tanto-4', 'tanto-5'].map((label) => ({ id: randomUUID(), label }))
	] as const;
	const [admin, frequent, second, rare, otherA, otherB] = handlers;
	// Who does a company's handler work: cumulative weights.
	const searchedStaff = [
		{ h: admin, upTo: 0.1 },
		{ h: frequent, upTo: 0.7 },
		{ h: second, upTo: 0.999 },
		{ h: rare, upTo: 1 }
	];
	const otherStaff = [
		{ h: admin, upTo: 0.2 },
		{ h: otherA, upTo: 0.6 },
		{ h: otherB, upTo: 1 }
	];
	const companies = [
		{ id: office.exporting.companyId, people: exportIds.slice(0, 4_800), staff: searchedStaff },
		{ id: office.disposing.companyId, people: disposalIds, staff: otherStaff },
		{ id: office.others[0]!.companyId, people: Array.from({ length: 2_600 }, () => randomUUID()), staff: otherStaff },
		{ id: office.others[1]!.companyId, people: Array.from({ length: 2_600 }, () => randomUUID()), staff: otherStaff }
	];
	const events: TimedEvent[] = [];
	const ip = '192.0.2.10';
	const userAgent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';
	const handlerEvent = (at: number, companyId: string | null, h: (typeof handlers)[number], e: Omit<AuditInput, 'orgId' | 'actorType' | 'actorId' | 'actorLabel' | 'result' | 'ip' | 'userAgent'>) =>
		events.push({ at, event: { orgId: office.orgId, companyId, actorType: 'handler', actorId: h.id, actorLabel: h.label, result: 'ok', ip, userAgent, ...e } });
	const employeeEvent = (at: number, companyId: string, employeeId: string, code: string, e: Omit<AuditInput, 'orgId' | 'actorType' | 'actorId' | 'actorLabel' | 'result' | 'ip' | 'userAgent'>) =>
		events.push({ at, event: { orgId: office.orgId, companyId, actorType: 'employee', actorId: employeeId, actorLabel: code, result: 'ok', ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)', ...e } });
	for (const c of companies) {
		const staff = () => {
			const r = random();
			return c.staff.find((s) => r < s.upTo)!.h;
		};
		c.people.forEach((employeeId, n) => {
			const code = `P-${n + 1}`;
			let t = yearStart + random() * 330 * day;
			const submissionId = randomUUID();
			handlerEvent(t, c.id, staff(), { action: 'employee_create', targetType: 'employee', targetId: employeeId, detail: { code, kind: 'employee' } });
			handlerEvent((t += 60_000), c.id, staff(), { action: 'employee_invite', targetType: 'employee', targetId: employeeId, detail: { kind: 'employee' } });
			employeeEvent((t += random() * 5 * day), c.id, employeeId, code, { action: 'employee_join', targetType: 'invitation', targetId: randomUUID() });
			employeeEvent((t += 600_000), c.id, employeeId, code, { action: 'submit', targetType: 'submission', targetId: submissionId, detail: { size: 2113, epoch: 1, kind: 'record', images: 2, supersedes: null } });
			const viewer = staff();
			t += random() * 3 * day;
			handlerEvent(t, c.id, viewer, { action: 'reveal', targetType: 'submission', targetId: submissionId, reason: '源泉徴収票作成事務', detail: { employeeId } });
			handlerEvent((t += 2_000), c.id, viewer, { action: 'verify', targetType: 'submission', targetId: submissionId, detail: { employeeId } });
			for (const itemIndex of [1, 2]) handlerEvent((t += 5_000), c.id, viewer, { action: 'reveal_image', targetType: 'submission', targetId: submissionId, reason: '本人確認', detail: { employeeId, itemIndex } });
			handlerEvent((t += 60_000), c.id, viewer, { action: 'accept', targetType: 'submission', targetId: submissionId, detail: { employeeId, checks: 'number,identity' } });
			if (random() < 0.3) employeeEvent(t + random() * 60 * day, c.id, employeeId, code, { action: 'employee_login' });
		});
		for (let d = 0; d < 365; d += 7) handlerEvent(yearStart + d * day + 10 * 3_600_000, c.id, staff(), { action: 'reminders_issue', targetType: 'company', targetId: c.id, detail: { count: 12, skipped: 0 } });
		for (let month = 0; month < 12; month++)
			handlerEvent(yearStart + month * 30 * day + 15 * 3_600_000, c.id, staff(), { action: 'export', targetType: 'company', targetId: c.id, reason: '給与計算', detail: { records: 100, scope: 'current' } });
	}
	for (let d = 0; d < 365; d++) {
		if (d % 7 >= 5) continue;
		for (const h of handlers) {
			handlerEvent(yearStart + d * day + 9 * 3_600_000 + random() * 600_000, null, h, { action: 'login' });
			handlerEvent(yearStart + d * day + 18 * 3_600_000 + random() * 600_000, null, h, { action: 'logout' });
		}
	}
	events.sort((a, b) => a.at - b.at);
	if (events.length < HISTORY_EVENTS) throw new Error(`desk2 bench: only ${events.length} events generated`);
	const chain = events.slice(0, HISTORY_EVENTS);
	const searched = companies[0]!.id;
	const inCompany = chain.filter((e) => e.event.companyId === searched);
	const person = companies[0]!.people[100]!;
	const isPerson = (e: AuditInput) => e.targetId === person || e.detail?.employeeId === person || (e.actorType === 'employee' && e.actorId === person);
	return {
		events: chain,
		cast: {
			frequentHandler: frequent.id,
			rareHandler: rare.id,
			person,
			counts: {
				company: inCompany.length,
				frequentHandler: inCompany.filter((e) => e.event.actorId === frequent.id).length,
				rareHandler: inCompany.filter((e) => e.event.actorId === rare.id).length,
				person: inCompany.filter((e) => isPerson(e.event)).length,
				reveal: inCompany.filter((e) => e.event.action === 'reveal').length,
				export: inCompany.filter((e) => e.event.action === 'export').length
			}
		}
	};
}

/** Appends the events through the real append path, many per transaction. @returns events per second. */
async function appendHistory(db: Db, events: TimedEvent[]): Promise<number> {
	const t0 = performance.now();
	for (let i = 0; i < events.length; i += APPENDS_PER_TX) {
		const batch = events.slice(i, i + APPENDS_PER_TX);
		await db.transaction(async (tx) => {
			for (const e of batch) await appendAuditInTx(tx, e.event, new Date(e.at));
		});
	}
	return events.length / ((performance.now() - t0) / 1000);
}

// ── Measuring ───────────────────────────────────────────────────────────────────────────────

/** Default header names of the export columns, as the Japanese page shows them (messages/ja.json). */
function headerLabels(): (c: ExportColumn) => string {
	const messages = JSON.parse(readFileSync(new URL('../messages/ja.json', import.meta.url), 'utf8')) as Record<string, string>;
	const keys: Record<ExportColumn, string> = {
		employeeCode: 'export_col_code',
		name: 'export_col_name',
		kana: 'export_col_kana',
		birthDate: 'export_col_birth',
		postalCode: 'export_col_postal',
		address: 'export_col_address',
		myNumber: 'export_col_number',
		relationship: 'export_col_relationship',
		dependentName: 'export_col_dep_name',
		dependentKana: 'export_col_dep_kana',
		dependentBirthDate: 'export_col_dep_birth',
		dependentMyNumber: 'export_col_dep_number'
	};
	return (c) => messages[keys[c]] ?? c;
}

/**
 * One download of the export panel (src/lib/ui/ExportPanel.svelte) for everyone, in the default
 * format (Shift_JIS): the server call, then `exportVerifiedRecords`' loop, then the file.
 */
async function exportOnce(office: Office, codes: ReadonlyMap<string, string>, headerOf: (c: ExportColumn) => string) {
	const company = office.exporting;
	const epochs = new Map(company.epochs.map((e) => [e.epoch, e]));
	const t0 = performance.now();
	const rows = await office.client.trpc.submission.exportVerified.mutate({ companyId: company.companyId, reason: '源泉徴収票作成事務', scope: 'current', columns: DEFAULT_FORMAT.columns, format: '給与システム用' });
	const t1 = performance.now();
	// As `exportVerifiedRecords` (src/lib/managers/vault.ts), which imports the browser's tRPC client and cannot run here.
	const records: { employeeId: string; record: Record<string, unknown> }[] = [];
	const failed: string[] = [];
	for (const row of rows) {
		try {
			const sealed = fromBase64Url(row.sealed);
			const keys = epochs.get(dataKeyEpochOf(sealed));
			if (!keys) throw new Error('no grant for the epoch');
			records.push({ employeeId: row.employeeId, record: decodeRecord(openVerifiedRecord({ dataKey: keys.dataKey, sealed, companyId: company.companyId, employeeId: row.employeeId, submissionId: row.submissionId })) });
		} catch {
			failed.push(row.submissionId);
		}
	}
	const t2 = performance.now();
	const people = records.map((r) => ({ code: codes.get(r.employeeId) ?? '', record: r.record })).sort((a, b) => a.code.localeCompare(b.code));
	const csv = toCsv(exportTable(people, DEFAULT_FORMAT, headerOf, (code) => code));
	const { bytes, unrepresentable } = encodeCsv(csv, DEFAULT_FORMAT.encoding);
	const t3 = performance.now();
	if (records.length !== EXPORT_PEOPLE || failed.length || unrepresentable.length) throw new Error(`desk2 bench: export opened ${records.length}, failed ${failed.length}, unrepresentable ${unrepresentable.join('')}`);
	return { total: t3 - t0, fetch: t1 - t0, open: t2 - t1, file: t3 - t2, bytes: bytes.byteLength, responseChars: JSON.stringify(rows).length };
}

async function benchExport(office: Office, codes: ReadonlyMap<string, string>, log: (line: string) => void): Promise<Desk2Figure[]> {
	const headerOf = headerLabels();
	const runs = [];
	for (let i = 0; i < 3; i++) runs.push(await exportOnce(office, codes, headerOf));
	log(`desk2: export runs ${runs.map((r) => ms(r.total)).join(', ')} ms`);
	const mid = [...runs].sort((a, b) => a.total - b.total)[1]!;
	const n = EXPORT_PEOPLE.toLocaleString('en');
	return [
		{ name: `export ${n} people: exportVerified + open ${n} records + Shift_JIS CSV (target ≤ 5 s; median of 3)`, value: round(mid.total / 1000, 2), unit: 's', note: `runs ${runs.map((r) => ms(r.total)).join(', ')} ms; the first export of the process also builds the Shift_JIS table` },
		{ name: `export ${n}: submission.exportVerified over HTTP (reason recorded, ${n} sealed records)`, value: ms(mid.fetch), unit: 'ms', note: `${round(mid.responseChars / 1048576)} MiB of JSON; runs ${runs.map((r) => ms(r.fetch)).join(', ')} ms` },
		{ name: `export ${n}: opening the ${n} verified records (data key, as exportVerifiedRecords)`, value: ms(mid.open), unit: 'ms', note: `runs ${runs.map((r) => ms(r.open)).join(', ')} ms` },
		{ name: `export ${n}: the file (table, CSV, Shift_JIS bytes)`, value: ms(mid.file), unit: 'ms', note: `${round(mid.bytes / 1024)} KiB; runs ${runs.map((r) => ms(r.file)).join(', ')} ms` }
	];
}

interface SearchCase {
	label: string;
	filter: { actorId?: string; employeeId?: string; action?: 'reveal' | 'export' };
	matches: number;
}

async function timeSearch(office: Office, c: SearchCase, runs: number): Promise<{ median: number; all: number[]; rows: number }> {
	const all: number[] = [];
	let rows = 0;
	// One call first: the first query of a kind plans and warms caches, which the medians leave out.
	await office.client.trpc.audit.search.query({ companyId: office.exporting.companyId, limit: 100, ...c.filter });
	for (let i = 0; i < runs; i++) {
		const t0 = performance.now();
		const page = await office.client.trpc.audit.search.query({ companyId: office.exporting.companyId, limit: 100, ...c.filter });
		all.push(performance.now() - t0);
		rows = page.rows.length;
	}
	return { median: median(all), all, rows };
}

/**
 * The plan of one history page, for the analysis (BENCH_DESK2_EXPLAIN=1): the same conditions
 * `audit.search` builds (server/api/routers/audit.ts `historyRows` and `filterConditions`).
 */
async function explainSearch(office: Office, c: SearchCase): Promise<string> {
	const conditions = [sql`company_id = ${office.exporting.companyId}`];
	if (c.filter.actorId) conditions.push(sql`actor_id = ${c.filter.actorId}`);
	if (c.filter.action) conditions.push(sql`action = ${c.filter.action}`);
	if (c.filter.employeeId) conditions.push(sql`(target_id = ${c.filter.employeeId} or detail ->> 'employeeId' = ${c.filter.employeeId} or (actor_type = 'employee' and actor_id = ${c.filter.employeeId}))`);
	const rows = await office.app.handle.rows<{ 'QUERY PLAN': string }>(
		sql`explain (analyze, buffers) select seq, at, company_id, actor_id, actor_label, actor_type, action, target_type, target_id, purpose, reason, result, ip, user_agent, detail from audit_events where ${sql.join(conditions, sql` and `)} order by seq desc limit 101`
	);
	return rows.map((r) => r['QUERY PLAN']).join('\n');
}

async function benchHistory(office: Office, cast: HistoryCast, appendRate: number, backend: Backend, log: (line: string) => void): Promise<Desk2Figure[]> {
	const figures: Desk2Figure[] = [
		{ name: `history: seeding through appendAuditInTx, ${APPENDS_PER_TX.toLocaleString('en')} appends per transaction`, value: Math.round(appendRate), unit: 'ev/s', note: 'not a target; how fast the 100,000 events were written' }
	];
	const k = cast.counts;
	const cases: SearchCase[] = [
		{ label: 'no filter', filter: {}, matches: k.company },
		{ label: 'actor filter, frequent handler', filter: { actorId: cast.frequentHandler }, matches: k.frequentHandler },
		{ label: 'actor filter, rare handler', filter: { actorId: cast.rareHandler }, matches: k.rareHandler },
		{ label: 'person filter (employeeId)', filter: { employeeId: cast.person }, matches: k.person },
		{ label: 'action filter, reveal (common)', filter: { action: 'reveal' }, matches: k.reveal },
		{ label: 'action filter, export (rare)', filter: { action: 'export' }, matches: k.export }
	];
	// Whether PostgreSQL would have gathered statistics on its own by now; PGlite (a single-user
	// backend) runs no autovacuum at all, so there the table stays "as written" until something runs ANALYZE.
	const autovacuum = backend === 'postgres' ? (await office.app.handle.rows<{ autovacuum: string }>(sql`show autovacuum`))[0]?.autovacuum : 'none in PGlite';
	for (const stats of ['as written', 'after ANALYZE'] as const) {
		if (stats === 'after ANALYZE') await office.app.handle.db.execute(sql`analyze`);
		for (const c of cases) {
			const t = await timeSearch(office, c, 7);
			const expected = Math.min(100, c.matches);
			if (t.rows !== expected) throw new Error(`desk2 bench: ${c.label} gave ${t.rows} rows, expected ${expected}`);
			figures.push({
				name: `history ${HISTORY_EVENTS.toLocaleString('en')} events: audit.search first page (100), ${c.label}, statistics ${stats} (target ≤ 300 ms; median of 7)`,
				value: round(t.median, 1),
				unit: 'ms',
				note: `${c.matches.toLocaleString('en')} of the company's ${k.company.toLocaleString('en')} events match; ${stats === 'as written' ? `autovacuum ${autovacuum}; ` : ''}runs ${t.all.map((x) => round(x, 1)).join(', ')} ms`
			});
			if (EXPLAIN) log(`desk2: plan on ${backend}, ${c.label}, statistics ${stats}:\n${await explainSearch(office, c)}\n`);
		}
	}
	const verifyRuns: number[] = [];
	let count = 0;
	for (let i = 0; i < 3; i++) {
		const t0 = performance.now();
		const verdict = await verifyAuditChain(office.app.handle.db);
		verifyRuns.push(performance.now() - t0);
		if (!verdict.ok) throw new Error(`desk2 bench: the chain does not verify (first broken seq ${verdict.firstBrokenSeq})`);
		count = verdict.count;
	}
	figures.push({ name: `history: verifyAuditChain over ${HISTORY_EVENTS.toLocaleString('en')}+ events (target ≤ 10 s; median of 3)`, value: round(median(verifyRuns) / 1000, 2), unit: 's', note: `${count.toLocaleString('en')} events, ok; runs ${verifyRuns.map(ms).join(', ')} ms` });
	return figures;
}

async function benchDisposal(office: Office, seeded: { ids: string[]; images: number }): Promise<Desk2Figure[]> {
	const t0 = performance.now();
	const result = await office.client.trpc.disposal.dispose.mutate({ companyId: office.disposing.companyId, employeeIds: seeded.ids, basis: 'retention_expired', responsibleId: office.adminId });
	const elapsed = performance.now() - t0;
	const images = result.people.reduce((n, p) => n + p.images, 0);
	const subs = result.people.reduce((n, p) => n + p.submissions, 0);
	const [left] = await office.app.handle.rows<{ n: number }>(sql`select count(*)::int as n from ${submissionImages} where ${inArray(submissionImages.employeeId, seeded.ids)}`);
	if (result.people.length !== seeded.ids.length || images !== seeded.images || Number(left?.n) !== 0) throw new Error(`desk2 bench: disposal of ${result.people.length} people, ${images} photos, ${left?.n} photos left`);
	return [
		{
			name: `disposal.dispose, ${DISPOSAL_PEOPLE.toLocaleString('en')} people in one batch (target ≤ 10 s; the procedure's maximum)`,
			value: round(elapsed / 1000, 2),
			unit: 's',
			note: `one run; deleted ${subs.toLocaleString('en')} submissions, ${images.toLocaleString('en')} photos of ${IMAGE_BYTES / 1024} KiB, ${(2 * DISPOSAL_PEOPLE).toLocaleString('en')} invitations and requests, sessions, passkeys`
		}
	];
}

/** Seeds a fresh database on `backend` and measures export, history and disposal there. */
export async function runDesk2Bench(backend: Backend, opts: { log?: (line: string) => void } = {}): Promise<Desk2Figure[]> {
	const log = opts.log ?? (() => {});
	const office = await openOffice(backend);
	try {
		const db = office.app.handle.db;
		let t0 = performance.now();
		const exportPeople = await seedExportCompany(db, office);
		const disposal = await seedDisposalCompany(db, office);
		log(`desk2 ${backend}: seeded ${EXPORT_PEOPLE} + ${DISPOSAL_PEOPLE} people in ${round((performance.now() - t0) / 1000)} s`);
		const { events, cast } = historyEvents(office, exportPeople.ids, disposal.ids);
		t0 = performance.now();
		const rate = await appendHistory(db, events);
		log(`desk2 ${backend}: appended ${events.length} events in ${round((performance.now() - t0) / 1000)} s; searched company ${JSON.stringify(cast.counts)}`);

		const figures = await benchHistory(office, cast, rate, backend, log);
		log(`desk2 ${backend}: history measured`);
		figures.push(...(await benchExport(office, exportPeople.codes, log)));
		figures.push(...(await benchDisposal(office, disposal)));
		return figures;
	} finally {
		await office.close();
	}
}
