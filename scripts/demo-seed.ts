/**
 * The fictitious office behind `npm run demo` (scripts/demo.ts), seeded through the real HTTP API
 * with the same crypto the browsers use: handler keys wrapped under a passphrase, companies whose
 * keys are made and signed here, names and profiles sealed under the data key, invitations with a
 * one-time device secret, employees who join with a device key and their own password, submissions
 * (records, photos, refusals) sealed to the company and signed by that device, reviews that open
 * them, verify the device, store the verified copy and the sealed last four digits, reminders, an
 * export, and disposals with their certificate. The server never sees more than it would in use.
 *
 * Everything is generated and obviously fictitious:
 * - the office and companies are marked 【デモ】; 法人番号 are repdigits (9-1111-1111-1111, 9-2222-…)
 *   whose first digit is their check digit;
 * - names combine the family names 見本・試験・架空・仮名・例示 ("sample", "test", "fictitious",
 *   "pseudonym", "example") with common given names; addresses are in 架空区 / 架空市, which do not exist;
 * - My Numbers are `1234 5678 9NN` + check digit (NN = the person's number, 01–99) and, for
 *   dependents, `9876 5432 1NN` + check digit: the well-known synthetic sequences of DOMAIN.md §10.1,
 *   valid for the check digit only, so the app accepts them and nobody takes them for real;
 * - document photos are drawn by scripts/demo-images.ts with a 「見本」 stamp.
 *
 * With a `clock` (the server's `now`), the history spreads over the last three weeks: set-up, letters,
 * submissions, reviews, reminders, a correction, an export and a disposal each happen on their own
 * day, at office hours in Japan. Without one, everything happens now.
 *
 * Cost (2 cores): the employee's password KDF (scrypt N = 2^15 in src/lib/crypto/employee.ts, ~0.7 s
 * each in @noble/hashes on this machine) is computed with node:crypto's native scrypt instead, which
 * gives the very same bytes (checked against `deriveEmployeeKeys` once per run) in ~60 ms on the
 * thread pool. Handler key files use scrypt log N = 16 (`handlerLogN`) instead of the app's 18: the
 * age file names its own cost, so the desk unlocks them the same way, only faster.
 */
import { scrypt as scryptCb } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
	ciphertextHash,
	deriveEmployeeKeys,
	deviceRegistrationMac,
	encodeRecord,
	generateHandlerKeys,
	generateSigningKeyPair,
	handlerPublicInfo,
	prepareGrant,
	sealEmployeeName,
	sealEnvelope,
	signCheckpoint,
	signCompanyPin,
	toBase64Url,
	utf8,
	verifyManifestChain,
	wrapDeviceKey,
	wrapHandlerKeys,
	type CompanyKeys,
	type EmployeeKeys,
	type HandlerKeys,
	type SigningKeyPair
} from '../src/lib/crypto/index';
import { corporateCheckDigit, individualCheckDigit } from '../src/lib/mynumber/index';
import type { Purpose } from '../src/lib/purposes/index';
import { checklistFor } from '../src/lib/review/checklist';
import { parseRoster } from '../src/lib/roster/index';
import { batches, sealRosterRows } from '../src/lib/roster/seal';
import { testClient, type TestClient } from '../tests/support/client';
import { candidateOf, createCompany, firstSignIn, inviteEmployee, revealNumber, type HandlerSide } from '../tests/support/journey';
import { demoDocumentImage, type DemoDocument } from './demo-images';

// ── What the demo contains ─────────────────────────────────────────────────────────────

/** Where a person stands, as the company's status board shows it (`employee.list`). */
export const DEMO_STATES = ['not_invited', 'invited', 'joined', 'submitted', 'accepted', 'returned', 'declined', 'disposed'] as const;
export type DemoState = (typeof DEMO_STATES)[number];

export const DEMO_STATE_LABELS: Record<DemoState, string> = {
	not_invited: '未依頼',
	invited: '依頼済み・未参加',
	joined: '参加済み・未提出',
	submitted: '提出済み・確認待ち',
	accepted: '確認済み',
	returned: '差し戻し',
	declined: '提供しない',
	disposed: '廃棄済み'
};

/** How 50 people spread over the states; smaller or larger demos keep every state (at least one each). */
const STATE_WEIGHTS: Record<DemoState, number> = { not_invited: 5, invited: 7, joined: 5, submitted: 8, accepted: 16, returned: 4, declined: 3, disposed: 2 };

export const DEMO_OFFICE = {
	name: '【デモ】見本社会保険労務士事務所',
	address: '東京都架空区見本町１－１－１　見本ビル３階',
	contact: '03-0000-0000'
};

interface CompanyPlan {
	name: string;
	/** 12-digit base of the 法人番号 (its check digit is computed). */
	corporateBase: string;
	address: string;
	departments: string[];
	purposes: Purpose[];
	/** Prefix of employee codes. */
	codeStart: number;
}

const COMPANIES: [CompanyPlan, CompanyPlan] = [
	{
		name: '【デモ】見本商事株式会社',
		corporateBase: '111111111111',
		address: '東京都架空区見本町２－２－２',
		departments: ['営業部', '総務部', '経理部', '物流部'],
		purposes: ['withholding', 'employment_insurance', 'social_insurance', 'payment_report'],
		codeStart: 1
	},
	{
		name: '【デモ】架空製作所株式会社',
		corporateBase: '222222222222',
		address: '大阪府架空市試験町３－３－３',
		departments: ['製造部', '品質保証部', '開発部', '総務部'],
		purposes: ['withholding', 'employment_insurance', 'social_insurance', 'workers_comp'],
		codeStart: 101
	}
];

export const DEMO_PASSPHRASE = 'demo-passphrase-2026';
export const DEMO_USERS = {
	admin: { loginId: 'demo-admin', password: 'demo-admin-2026', displayName: 'デモ　管理者', role: '管理者・両社の事務取扱責任者' },
	staff: { loginId: 'demo-staff', password: 'demo-staff-2026', displayName: 'デモ　担当者', role: `${COMPANIES[0].name} の事務取扱担当者` },
	sekinin: { loginId: 'demo-sekinin', password: 'demo-sekinin-2026', displayName: 'デモ　責任者', role: `${COMPANIES[1].name} の事務取扱責任者` }
} as const;
/** The password every seeded employee chose on their (simulated) phone. */
const EMPLOYEE_PASSWORD = 'demo-employee-2026';
/** What the administrator handed the two other handlers; they replaced it at their first sign-in. */
const INITIAL_HANDLER_PASSWORD = 'demo-initial-password';

const FAMILY: [string, string][] = [
	['見本', 'ミホン'],
	['試験', 'シケン'],
	['架空', 'カクウ'],
	['仮名', 'カメイ'],
	['例示', 'レイジ']
];
const GIVEN: [string, string][] = [
	['太郎', 'タロウ'],
	['花子', 'ハナコ'],
	['一郎', 'イチロウ'],
	['春子', 'ハルコ'],
	['次郎', 'ジロウ'],
	['夏子', 'ナツコ'],
	['三郎', 'サブロウ'],
	['秋子', 'アキコ'],
	['四郎', 'シロウ'],
	['冬子', 'フユコ'],
	['五郎', 'ゴロウ'],
	['桃子', 'モモコ'],
	['健太', 'ケンタ'],
	['美咲', 'ミサキ'],
	['翔太', 'ショウタ'],
	['陽子', 'ヨウコ'],
	['大輔', 'ダイスケ'],
	['由美', 'ユミ'],
	['拓也', 'タクヤ'],
	['直子', 'ナオコ']
];

/** The check-digit-valid number `prefix` + `nn` + check digit (see the module comment for why these are safe). */
function syntheticNumber(prefix: string, nn: number): string {
	const base = prefix + String(nn).padStart(11 - prefix.length, '0');
	return base + individualCheckDigit(base);
}
/** The person's own number: 1234 5678 9NN C. */
export const demoMyNumber = (n: number) => syntheticNumber('123456789', n);
/** A dependent's number: 9876 5432 1NN C. */
export const demoDependentNumber = (n: number) => syntheticNumber('987654321', n);
export const demoCorporateNumber = (base12: string) => `${corporateCheckDigit(base12)}${base12}`;

const toHiragana = (katakana: string) => katakana.replace(/[ァ-ヶ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
const fullWidthDigits = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

export interface DemoDependent {
	relationship: 'spouse' | 'child';
	name: string;
	kana: string;
	birthDate: string;
	myNumber: string;
}

export interface DemoPerson {
	/** 1-based, over the whole demo; also the NN of the person's number. */
	n: number;
	company: 0 | 1;
	code: string;
	kind: 'employee' | 'payee';
	state: DemoState;
	name: string;
	/** Reading in katakana, as payroll exports write it. */
	kanaKatakana: string;
	department?: string;
	employment: 'active' | 'offer' | 'left';
	hiredOn?: string;
	leftOn?: string;
	birthDate: string;
	address: string;
	myNumber: string;
	evidence: 'card' | 'notification_card';
	dependents: DemoDependent[];
	/** Returned, then corrected by the employee: a new submission waits for review. */
	corrected: boolean;
	/** Filled while seeding. */
	employeeId?: string;
}

/** A small deterministic PRNG (mulberry32), so the same demo comes out every run. */
function prng(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** People per state for `total` people: at least one in every state, the rest by the weights (largest remainder). */
export function demoStateCounts(total: number): Record<DemoState, number> {
	if (!Number.isInteger(total) || total < DEMO_STATES.length || total > 99) throw new Error(`the demo needs 8 to 99 people, not ${total}`);
	const counts = Object.fromEntries(DEMO_STATES.map((s) => [s, 1])) as Record<DemoState, number>;
	const extra = total - DEMO_STATES.length;
	const pool = DEMO_STATES.reduce((n, s) => n + STATE_WEIGHTS[s] - 1, 0);
	const shares = DEMO_STATES.map((s) => ({ s, exact: (extra * (STATE_WEIGHTS[s] - 1)) / pool }));
	let left = extra;
	for (const { s, exact } of shares) {
		counts[s] += Math.floor(exact);
		left -= Math.floor(exact);
	}
	for (const { s } of [...shares].sort((a, b) => (b.exact % 1) - (a.exact % 1)).slice(0, left)) counts[s] += 1;
	return counts;
}

/**
 * The people of the demo, deterministic for a given `total`: states spread over both companies
 * (the first company gets the odd one out, except for disposals, which the second company's own
 * 責任者 makes), then shuffled within each company before codes are given, so a code says nothing
 * about a state. A few of the first company's people are payees (支払先); a few employees left long
 * ago (due for disposal) or recently, and one is a future hire (内定).
 */
export function planDemoPeople(total = 50, today = new Date()): DemoPerson[] {
	const counts = demoStateCounts(total);
	const year = today.getFullYear();
	const random = prng(20260401);
	const byCompany: [DemoState[], DemoState[]] = [[], []];
	for (const state of DEMO_STATES) {
		for (let i = 0; i < counts[state]; i++) byCompany[((state === 'disposed' ? 1 : 0) + i) % 2 as 0 | 1].push(state);
	}
	const people: DemoPerson[] = [];
	let n = 0;
	let dependents = 0;
	for (const company of [0, 1] as const) {
		const states = byCompany[company];
		for (let i = states.length - 1; i > 0; i--) {
			const j = Math.floor(random() * (i + 1));
			[states[i], states[j]] = [states[j]!, states[i]!];
		}
		const plan = COMPANIES[company];
		let code = plan.codeStart;
		let payees = 0;
		for (const state of states) {
			n++;
			const family = FAMILY[(n - 1) % FAMILY.length]!;
			const given = GIVEN[Math.floor((n - 1) / FAMILY.length) % GIVEN.length]!;
			// Up to three payees in the first company, in states a payee is often in.
			const payee = company === 0 && payees < 3 && ['accepted', 'invited', 'not_invited'][payees] === state;
			if (payee) payees++;
			const person: DemoPerson = {
				n,
				company,
				code: payee ? `P-${String(payees).padStart(3, '0')}` : `D-${String(code++).padStart(3, '0')}`,
				kind: payee ? 'payee' : 'employee',
				state,
				name: `${family[0]}　${given[0]}`,
				kanaKatakana: `${family[1]}　${given[1]}`,
				department: payee ? undefined : plan.departments[n % plan.departments.length],
				employment: 'active',
				hiredOn: payee ? undefined : `${2004 + ((n * 7) % 20)}-04-01`,
				birthDate: `${1962 + ((n * 13) % 38)}-${String(1 + ((n * 5) % 12)).padStart(2, '0')}-${String(1 + ((n * 11) % 28)).padStart(2, '0')}`,
				address: company === 0 ? `東京都架空区見本町${fullWidthDigits(`${1 + (n % 5)}－${1 + (n % 9)}－${n}`)}` : `大阪府架空市試験町${fullWidthDigits(`${1 + (n % 4)}－${1 + (n % 7)}－${n}`)}`,
				myNumber: demoMyNumber(n),
				evidence: n % 4 === 3 ? 'notification_card' : 'card',
				dependents: [],
				corrected: false
			};
			if (!payee && n % 6 === 2) {
				const spouse = GIVEN[(Math.floor((n - 1) / FAMILY.length) + 7) % GIVEN.length]!;
				const child = GIVEN[(Math.floor((n - 1) / FAMILY.length) + 12) % GIVEN.length]!;
				person.dependents.push(
					{ relationship: 'spouse', name: `${family[0]}　${spouse[0]}`, kana: toHiragana(`${family[1]}　${spouse[1]}`), birthDate: `${1965 + ((n * 3) % 30)}-06-15`, myNumber: demoDependentNumber(++dependents) },
					{ relationship: 'child', name: `${family[0]}　${child[0]}`, kana: toHiragana(`${family[1]}　${child[1]}`), birthDate: `${2008 + (n % 12)}-10-20`, myNumber: demoDependentNumber(++dependents) }
				);
			}
			people.push(person);
		}
	}
	// Leavers: the disposed left ten years ago; one accepted employee per company left nine years
	// ago (their retention is over: the disposal list shows them as due); one left last year (not due).
	const employees = (company: 0 | 1, state: DemoState) => people.filter((p) => p.company === company && p.state === state && p.kind === 'employee');
	const leave = (p: DemoPerson | undefined, leftYear: number, monthDay: string) =>
		p && Object.assign(p, { employment: 'left', hiredOn: `${leftYear - 4 - (p.n % 6)}-04-01`, leftOn: `${leftYear}-${monthDay}` });
	for (const p of people.filter((p) => p.state === 'disposed')) leave(p, year - 10, '03-31');
	for (const company of [0, 1] as const) {
		const accepted = employees(company, 'accepted');
		leave(accepted[0], year - 9, company === 0 ? '06-30' : '03-31');
		if (company === 0) leave(accepted[1], year - 1, '09-30');
	}
	// A future hire (内定), not asked yet.
	const offer = employees(1, 'not_invited')[0] ?? employees(0, 'not_invited')[0];
	if (offer) Object.assign(offer, { employment: 'offer', hiredOn: `${year + 1}-04-01` });
	// The first company's first waiting submission is a correction of a returned one.
	const waiting = people.find((p) => p.company === 0 && p.state === 'submitted');
	if (waiting) waiting.corrected = true;
	return people.sort((a, b) => a.company - b.company || a.code.localeCompare(b.code));
}

// ── The employee's password, fast ──────────────────────────────────────────────────────

let derivationCheck: Promise<void> | undefined;

/**
 * `deriveEmployeeKeys` (src/lib/crypto/employee.ts, version 1) with node:crypto's native scrypt:
 * scrypt(NFKC(password), "mynumber-vault/employee/v1:<companyId>:<employeeId>", N = 2^15, r = 8,
 * p = 1, 32 bytes), then HKDF-SHA256 "auth" and "wrap". The first call per run compares the result
 * with the app's own function, so a change there cannot go unnoticed: the demo would stop instead of
 * seeding employees whose phones could never sign in.
 */
async function employeeKeys(password: string, ids: { companyId: string; employeeId: string }): Promise<EmployeeKeys> {
	const salt = `mynumber-vault/employee/v1:${ids.companyId}:${ids.employeeId}`;
	const stretched = await new Promise<Buffer>((resolve, reject) =>
		scryptCb(password.normalize('NFKC'), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)))
	);
	const keys = {
		authKey: toBase64Url(hkdf(sha256, stretched, undefined, utf8('auth'), 32)),
		wrapKey: hkdf(sha256, stretched, undefined, utf8('wrap'), 32)
	};
	stretched.fill(0);
	derivationCheck ??= deriveEmployeeKeys(password, ids).then((reference) => {
		if (reference.authKey !== keys.authKey || toBase64Url(reference.wrapKey) !== toBase64Url(keys.wrapKey)) {
			throw new Error('demo: the fast employee key derivation no longer matches src/lib/crypto/employee.ts');
		}
	});
	await derivationCheck;
	return keys;
}

// ── Seeding ────────────────────────────────────────────────────────────────────────────

/** The server's clock, moved back while seeding so the history spreads over days (see `startServer({ now })`). */
export interface DemoClock {
	offsetMs: number;
	now(): Date;
}

export function demoClock(): DemoClock {
	const clock: DemoClock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
	return clock;
}

export interface SeedOptions {
	/** Where the seeding clients send their requests (`http://127.0.0.1:<port>`). */
	baseUrl: string;
	/** The server's one-time setup token (`services.setup.token`). */
	setupToken: string;
	/** People in both companies (8–99); 50 by default. */
	people?: number;
	clock?: DemoClock;
	/** scrypt cost of the handlers' key files (16; tests use 10). */
	handlerLogN?: number;
	/** Progress lines. */
	log?: (line: string) => void;
}

export interface SeededUser {
	loginId: string;
	password: string;
	displayName: string;
	role: string;
}

export interface SeedResult {
	office: string;
	users: SeededUser[];
	passphrase: string;
	companies: { id: string; name: string; corporateNumber: string; people: number }[];
	/** The companies' keys as their creator's browser made them (in memory only: nothing prints them). */
	companyKeys: CompanyKeys[];
	people: DemoPerson[];
	counts: Record<DemoState, number>;
	/** An open invitation, for trying the employee's phone: the link's fragment (append to `<url>/join#`) and its initial password. */
	tryJoin: { code: string; name: string; company: string; fragment: string; initialPassword: string } | null;
}

interface Handler {
	client: TestClient;
	keys: HandlerKeys;
	userId: string;
	loginId: string;
	password: string;
}

interface Joined {
	client: TestClient;
	device: SigningKeyPair;
	authKey: string;
	submissionId?: string;
	record?: Record<string, unknown>;
}

const DESK_AGENT = 'mynumber-vault demo seed (desk)';
const PHONE_AGENT = 'mynumber-vault demo seed (phone)';

const REVIEW_REASON = '提出内容の確認（番号確認・身元確認）';
const RETURN_REASON = 'マイナンバーカード裏面の写真がぼやけていて、番号が読み取れません。明るい場所で撮り直して、もう一度送ってください。';
const DECLINE_REASON = '家族と相談してから提出したいので、今回は見送ります。';

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) await fn(items[next++]!);
		})
	);
}

/** Seeds the demo into a server that has not been set up yet. */
export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
	const log = opts.log ?? (() => {});
	const now = () => opts.clock?.now() ?? new Date();
	const people = planDemoPeople(opts.people ?? 50);
	const handlerLogN = opts.handlerLogN ?? 16;
	const url = opts.baseUrl;

	/**
	 * Moves the server's clock to `daysAgo` days before today, at `hour`:`minute` in Japan: back
	 * three weeks before anything exists, then only forwards (the history's order is its time order).
	 */
	let moved = false;
	const day = (daysAgo: number, hour: number, minute = 0) => {
		if (!opts.clock) return;
		const jst = new Date(Date.now() + 9 * 3_600_000 - daysAgo * 86_400_000);
		const target = Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate(), hour - 9, minute);
		if ((!moved || target > opts.clock.now().getTime()) && target < Date.now()) opts.clock.offsetMs = target - Date.now();
		moved = true;
	};

	const signIn = async (h: Handler) => {
		await h.client.trpc.auth.login.mutate({ loginId: h.loginId, password: h.password });
		// As the desk does right after an unlock: sign the head of the handling history.
		const head = await h.client.trpc.audit.head.query({});
		if (head.seq === 0) return;
		const signedAt = now().toISOString();
		const signature = signCheckpoint(h.keys.signing.secretKey, { seq: head.seq, head: head.head, userId: h.userId, signedAt });
		await h.client.trpc.audit.checkpoint.mutate({ seq: head.seq, head: head.head, signedAt, signature });
	};

	// ── Day 1 (three weeks ago): the office, its handlers, the companies and their rosters ──
	day(21, 9, 30);
	log('office, handlers and companies');
	const adminClient = testClient(url, { userAgent: DESK_AGENT });
	await adminClient.trpc.setup.create.mutate({ token: opts.setupToken, organisation: DEMO_OFFICE, admin: { loginId: DEMO_USERS.admin.loginId, displayName: DEMO_USERS.admin.displayName, password: DEMO_USERS.admin.password } });
	const newKeys = async (client: TestClient) => {
		const keys = await generateHandlerKeys();
		await client.trpc.keys.create.mutate({ ...handlerPublicInfo(keys), wrapped: toBase64Url(await wrapHandlerKeys(keys, DEMO_PASSPHRASE, { logN: handlerLogN })) });
		const me = await client.trpc.auth.me.query();
		return { keys, userId: me?.kind === 'handler' ? me.user.id : '' };
	};
	const admin: Handler = { client: adminClient, ...(await newKeys(adminClient)), loginId: DEMO_USERS.admin.loginId, password: DEMO_USERS.admin.password };

	const companyKeys: CompanyKeys[] = [];
	for (const plan of COMPANIES) {
		const keys = await createCompany(admin.client, admin.keys, plan.name, demoCorporateNumber(plan.corporateBase));
		await admin.client.trpc.company.setPurposes.mutate({ companyId: keys.companyId, purposes: plan.purposes });
		await admin.client.trpc.company.updateDetails.mutate({ companyId: keys.companyId, address: plan.address, departments: plan.departments });
		companyKeys.push(keys);
	}
	const [companyA, companyB] = companyKeys as [CompanyKeys, CompanyKeys];

	const addHandler = async (user: (typeof DEMO_USERS)['staff' | 'sekinin']): Promise<Handler> => {
		await admin.client.trpc.users.create.mutate({ loginId: user.loginId, displayName: user.displayName, password: INITIAL_HANDLER_PASSWORD });
		const client = testClient(url, { userAgent: DESK_AGENT });
		// Their first sign-in replaces the administrator's password, so the next one lands on the desk.
		await firstSignIn(client, user.loginId, INITIAL_HANDLER_PASSWORD, user.password);
		return { client, ...(await newKeys(client)), loginId: user.loginId, password: user.password };
	};
	const staff = await addHandler(DEMO_USERS.staff);
	const sekinin = await addHandler(DEMO_USERS.sekinin);
	// Granted after comparing fingerprints; each pins the company's root key, as on first opening it.
	for (const [company, who, role] of [[companyA, staff, 'staff'], [companyB, sekinin, 'responsible']] as const) {
		await admin.client.trpc.company.grant.mutate(await prepareGrant({ companyId: company.companyId, root: company.root, epochs: company.epochs, granter: admin.keys, candidate: candidateOf(who), role }));
		const detail = await who.client.trpc.company.get.query({ companyId: company.companyId });
		await who.client.trpc.company.pin.mutate({ companyId: company.companyId, pinSignature: signCompanyPin(who.keys.signing, company.companyId, detail.rootPublicKey) });
	}
	const fingerprints = await Promise.all(companyKeys.map(async (c) => (await admin.client.trpc.company.get.query({ companyId: c.companyId })).rootFingerprint));

	/** Who works on which company: 見本商事 by its 担当者 (and now and then the administrator), 架空製作所 by its own 責任者. */
	const side = (h: Handler, company: 0 | 1): HandlerSide => ({ client: h.client, keys: h.keys, company: companyKeys[company]! });
	const worker = (p: DemoPerson): HandlerSide => (p.company === 1 ? side(sekinin, 1) : p.n % 3 === 0 ? side(admin, 0) : side(staff, 0));

	log('rosters (CSV import) and payees');
	for (const company of [0, 1] as const) {
		const importer = company === 0 ? staff : sekinin;
		const keys = companyKeys[company]!;
		const rows = people.filter((p) => p.company === company && p.kind === 'employee');
		const status = { active: '在職', offer: '内定', left: '退職' } as const;
		const csv = ['社員番号,氏名,フリガナ,部署,在籍区分,入社日,退職日', ...rows.map((p) => [p.code, p.name, p.kanaKatakana, p.department, status[p.employment], p.hiredOn ?? '', p.leftOn ?? ''].join(','))].join('\r\n');
		// The payroll export, read by the same parser the company page uses.
		const parsed = parseRoster(new TextEncoder().encode('\ufeff' + csv + '\r\n'));
		if (parsed.errors.length || parsed.employees.length !== rows.length) throw new Error(`demo roster does not parse: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
		const sealed = sealRosterRows({ companyId: keys.companyId, dataKey: keys.epochs[0]!.dataKey, epoch: keys.epochs[0]!.epoch }, parsed.employees, new Map());
		for (const batch of batches(sealed)) await importer.client.trpc.employee.importRoster.mutate({ companyId: keys.companyId, rows: batch });
		for (const row of sealed) people.find((p) => p.company === company && p.code === row.code)!.employeeId = row.id;
	}
	for (const p of people.filter((p) => p.kind === 'payee')) {
		const h = worker(p);
		const epoch = h.company.epochs[0]!;
		p.employeeId = crypto.randomUUID();
		const sealedName = toBase64Url(sealEmployeeName({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId: h.company.companyId, employeeId: p.employeeId, name: p.name }));
		await h.client.trpc.employee.create.mutate({ id: p.employeeId, companyId: h.company.companyId, code: p.code, sealedName, kind: 'payee' });
	}
	const idOf = (p: DemoPerson) => p.employeeId!;

	// ── Three days later: notification letters for everyone but the not-yet-asked ──
	day(18, 10);
	log('notification letters');
	for (const h of [admin, staff, sekinin]) await signIn(h);
	const invitations = new Map<DemoPerson, Awaited<ReturnType<typeof inviteEmployee>>>();
	await eachLimited(
		people.filter((p) => p.state !== 'not_invited'),
		4,
		async (p) => void invitations.set(p, await inviteEmployee(worker(p), idOf(p)))
	);

	// ── Over the next days: employees join on their phones, submit or refuse ──
	day(15, 12, 10);
	log('employees join and submit (sealed on their simulated phones)');
	const joined = new Map<DemoPerson, Joined>();
	const purposesOf = (p: DemoPerson) => COMPANIES[p.company].purposes;
	/** Seals and uploads a record (with photos) or a refusal as the phone's outbox does, the record last. */
	const send = async (p: DemoPerson, j: Joined, record: Record<string, unknown>, images: Uint8Array[], supersedes?: string) => {
		const keys = await j.client.trpc.employee.companyKeys.query();
		const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
		const submissionId = crypto.randomUUID();
		const context = { companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId };
		// The envelopes carry the (simulated) moment of sealing, like sealSubmission with the phone's clock.
		const createdAt = now().toISOString();
		const device = toBase64Url(j.device.publicKey);
		const hashes: string[] = [];
		for (const [i, image] of images.entries()) {
			const sealed = await sealEnvelope({ recipient: manifest.recipient, context: { ...context, itemKind: 'image', itemIndex: i + 1 }, payload: image, createdAt, device: j.device });
			hashes.push(await ciphertextHash(sealed));
			await j.client.upload({ kind: 'image', submissionId, epoch: manifest.epoch, itemIndex: i + 1, device }, sealed);
		}
		const sealed = await sealEnvelope({ recipient: manifest.recipient, context: { ...context, itemKind: 'record', itemIndex: 0 }, payload: encodeRecord(record), createdAt, siblingHashes: hashes, device: j.device });
		const kind = record.decline === true ? 'decline' : 'record';
		await j.client.upload({ kind, submissionId, epoch: manifest.epoch, images: hashes, device, ...(supersedes ? { supersedes } : {}) }, sealed);
		j.submissionId = submissionId;
		j.record = record;
	};
	/** The person's document photos, made once (a correction sends the same cards photographed again). */
	const photos = new Map<string, Uint8Array>();
	const submitRecord = async (p: DemoPerson, j: Joined, supersedes: string | null = null) => {
		const slots: DemoDocument[] = p.evidence === 'card' ? ['card_front', 'card_back'] : ['notification_card', 'photo_id'];
		const images = slots.map((slot) => photos.get(`${p.n}:${slot}`) ?? photos.set(`${p.n}:${slot}`, demoDocumentImage(slot, p)).get(`${p.n}:${slot}`)!);
		const record = {
			v: 2,
			myNumber: p.myNumber,
			name: p.name,
			kana: toHiragana(p.kanaKatakana),
			birthDate: p.birthDate,
			address: p.address,
			purposes: purposesOf(p),
			purposesAcknowledgedAt: now().toISOString(),
			supersedes,
			identityEvidence: { evidence: p.evidence, identity: p.evidence === 'card' ? null : 'photo_id' },
			photos: slots.map((slot, i) => ({ index: i + 1, slot })),
			dependents: p.dependents.map((d) => ({ ...d, verification: 'employee' }))
		};
		await send(p, j, record, images, supersedes ?? undefined);
	};
	await eachLimited(
		people.filter((p) => !['not_invited', 'invited'].includes(p.state)),
		3,
		async (p) => {
			const invitation = invitations.get(p)!;
			const client = testClient(url, { userAgent: PHONE_AGENT });
			const { companyId, employeeId } = await client.trpc.join.peek.mutate({ token: invitation.token });
			const device = generateSigningKeyPair();
			const publicKey = toBase64Url(device.publicKey);
			const mac = deviceRegistrationMac({ secret: invitation.secret, companyId, employeeId, devicePublicKey: publicKey });
			const { authKey, wrapKey } = await employeeKeys(EMPLOYEE_PASSWORD, { companyId, employeeId });
			const wrappedDevice = toBase64Url(wrapDeviceKey({ companyId, employeeId, wrapKey, device, pinnedFingerprint: fingerprints[p.company]!, minEpoch: 1 }));
			await client.trpc.join.redeem.mutate({ token: invitation.token, password: invitation.initialPassword, device: { publicKey, mac }, credential: { authKey, wrappedDevice } });
			const j: Joined = { client, device, authKey };
			joined.set(p, j);
			if (p.state === 'joined') return;
			if (p.state === 'declined') {
				await send(p, j, { v: 2, decline: true, reason: DECLINE_REASON, purposes: purposesOf(p), declinedAt: now().toISOString(), supersedes: null }, []);
				return;
			}
			await submitRecord(p, j);
		}
	);

	// ── Review: the handlers open each submission (reason first), check it, accept or return ──
	day(11, 10);
	log('handlers review: reveal with a reason, check, accept or return');
	for (const h of [admin, staff, sekinin]) await signIn(h);
	const reviewed = people.filter((p) => ['accepted', 'returned', 'disposed'].includes(p.state) || p.corrected);
	await eachLimited(reviewed, 3, async (p) => {
		const h = worker(p);
		const j = joined.get(p)!;
		const number = await revealNumber(h, j.submissionId!, REVIEW_REASON);
		if (number !== p.myNumber) throw new Error(`demo: ${p.code} opened as another number`);
		// The photos, each fetched with the reason recorded again.
		for (const itemIndex of [1, 2]) await h.client.trpc.submission.image.mutate({ submissionId: j.submissionId!, itemIndex, reason: REVIEW_REASON });
		if (p.state === 'returned' || p.corrected) {
			await h.client.trpc.submission.setStatus.mutate({ submissionId: j.submissionId!, status: 'returned', reason: RETURN_REASON });
		} else {
			const checks = checklistFor(j.record as Parameters<typeof checklistFor>[0]).map((c) => c.id);
			await h.client.trpc.submission.setStatus.mutate({ submissionId: j.submissionId!, status: 'accepted', checks, ocr: 'match' });
		}
	});

	// ── Reminders for those who joined and have nothing current; one lost letter made again ──
	day(8, 9, 45);
	log('reminders and a second letter');
	for (const h of [admin, staff, sekinin]) await signIn(h);
	for (const company of [0, 1] as const) {
		const due = people.filter((p) => p.company === company && (p.state === 'joined' || p.state === 'returned' || p.corrected));
		if (due.length) await (company === 0 ? staff : sekinin).client.trpc.employee.remind.mutate({ companyId: companyKeys[company]!.companyId, employeeIds: due.map(idOf) });
	}
	const tryPerson = people.find((p) => p.company === 0 && p.state === 'invited' && p.kind === 'employee') ?? people.find((p) => p.state === 'invited');
	if (tryPerson) invitations.set(tryPerson, await inviteEmployee(worker(tryPerson), idOf(tryPerson)));

	// ── A correction: the returned employee photographs the card again ──
	day(5, 19, 20);
	const corrected = people.find((p) => p.corrected);
	if (corrected) {
		log('a returned submission is corrected');
		const j = joined.get(corrected)!;
		await j.client.trpc.auth.employeeLogin.mutate({ employeeId: idOf(corrected), authKey: j.authKey });
		await submitRecord(corrected, j, j.submissionId!);
	}

	// ── Use: an export for the year-end adjustment, and single numbers for filings ──
	day(3, 10, 30);
	log('an export and reveals for filings');
	for (const h of [admin, staff, sekinin]) await signIn(h);
	await admin.client.trpc.submission.exportVerified.mutate({
		companyId: companyA.companyId,
		reason: '年末調整（源泉徴収票の作成）のため',
		scope: 'current',
		columns: ['employeeCode', 'name', 'kana', 'myNumber'],
		format: 'csv'
	});
	const accepted = (company: 0 | 1) => people.filter((p) => p.company === company && p.state === 'accepted');
	for (const p of accepted(0).slice(0, 2)) await revealNumber(side(admin, 0), joined.get(p)!.submissionId!, '源泉徴収票作成事務');
	for (const p of accepted(1).slice(0, 2)) await revealNumber(side(sekinin, 1), joined.get(p)!.submissionId!, '雇用保険被保険者資格取得届の作成');

	// ── Disposal: each company's 責任者 disposes of people whose retention is over ──
	day(1, 16);
	log('disposal with a certificate');
	for (const h of [admin, sekinin]) await signIn(h);
	for (const company of [0, 1] as const) {
		const gone = people.filter((p) => p.company === company && p.state === 'disposed');
		if (!gone.length) continue;
		const h = company === 0 ? admin : sekinin;
		await h.client.trpc.disposal.dispose.mutate({
			companyId: companyKeys[company]!.companyId,
			employeeIds: gone.map(idOf),
			basis: 'retention_expired',
			note: '退職後の保存期間が経過したため廃棄（デモ）',
			responsibleId: h.userId
		});
	}
	if (opts.clock) opts.clock.offsetMs = 0;

	const counts = Object.fromEntries(DEMO_STATES.map((s) => [s, people.filter((p) => p.state === s).length])) as Record<DemoState, number>;
	const tryInvitation = tryPerson ? invitations.get(tryPerson)! : null;
	return {
		office: DEMO_OFFICE.name,
		users: [DEMO_USERS.admin, DEMO_USERS.staff, DEMO_USERS.sekinin].map((u) => ({ loginId: u.loginId, password: u.password, displayName: u.displayName, role: u.role })),
		passphrase: DEMO_PASSPHRASE,
		companies: COMPANIES.map((plan, i) => ({ id: companyKeys[i]!.companyId, name: plan.name, corporateNumber: demoCorporateNumber(plan.corporateBase), people: people.filter((p) => p.company === i).length })),
		companyKeys,
		people,
		counts,
		tryJoin:
			tryPerson && tryInvitation
				? {
						code: tryPerson.code,
						name: tryPerson.name,
						company: COMPANIES[tryPerson.company].name,
						fragment: new URLSearchParams({ t: tryInvitation.token, fp: fingerprints[tryPerson.company]!, s: toBase64Url(tryInvitation.secret), e: '1' }).toString(),
						initialPassword: tryInvitation.initialPassword
					}
				: null
	};
}

/** The block `npm run demo` prints once the data is in: where to go, who to be, what is there. */
export function formatDemoSummary(result: SeedResult, p: { url: string; dataDir: string; seconds: number }): string {
	const line = '─'.repeat(78);
	const pad = (s: string, n: number) => s + ' '.repeat(Math.max(1, n - [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0xff ? 2 : 1), 0)));
	const out = [
		line,
		' mynumber-vault デモ — デモ用の架空データです / fictitious demo data only',
		line,
		` URL          ${p.url}/login`,
		` 事務所       ${result.office}`,
		` まず開く会社 ${result.companies[0]!.name}（${result.companies[1]!.name} もあります）`,
		'',
		` ${pad('ユーザーID', 16)}${pad('パスワード', 20)}役割`,
		...result.users.map((u) => ` ${pad(u.loginId, 16)}${pad(u.password, 20)}${u.role}`),
		` 鍵のパスフレーズ（3人共通 / key passphrase, all three）: ${result.passphrase}`,
		'',
		' 状態（人数）: ' + DEMO_STATES.map((s) => `${DEMO_STATE_LABELS[s]} ${result.counts[s]}`).join(' / ')
	];
	if (result.tryJoin) {
		out.push(
			'',
			` 従業員のスマートフォン画面を試すには（別のブラウザかプライベートウィンドウで）:`,
			`   ${p.url}/join#${result.tryJoin.fragment}`,
			`   初期パスワード ${result.tryJoin.initialPassword}（${result.tryJoin.company} ${result.tryJoin.code} ${result.tryJoin.name}）`
		);
	}
	out.push(
		'',
		` 名前・住所・個人番号・書類画像はすべて生成した架空のものです（番号は 1234 5678 9… の見本番号）。`,
		` Data: ${p.dataDir} (wiped by the next \`npm run demo\`). Seeded in ${p.seconds.toFixed(1)} s. Ctrl-C stops the server.`,
		line
	);
	return out.join('\n');
}
