/**
 * Client-side crypto figures for the issue "Keys that a team can live with". Environment-free:
 * it imports only src/lib/crypto and uses `performance` and WebCrypto, so `bench/run.ts` runs it
 * in Node and `bench/browser.ts` bundles the same code for headless Chromium.
 *
 * Figures only, no thresholds: the targets are printed next to the values for the reader.
 */
import {
	decodeRecord,
	encodeRecord,
	generateEpochKeys,
	generateHandlerKeys,
	generateSigningKeyPair,
	openEmployeeName,
	openEnvelope,
	openWithDataKey,
	sealEmployeeName,
	sealEnvelope,
	sealWithDataKey,
	toBase64Url,
	unwrapHandlerKeys,
	wrapHandlerKeys,
	type EnvelopeContext
} from '../src/lib/crypto/index';

export interface CryptoFigure {
	/** Stable key shared by the Node and Chromium runs (the docs table pairs on it). */
	key: string;
	name: string;
	value: number;
	unit: string;
	note?: string;
}

export interface CryptoBenchOptions {
	/** scrypt unlocks to time (median reported). */
	unlockRuns?: number;
	/** Full passes over the 10,000 names / records (median reported). */
	bulkRuns?: number;
	/** Records sealed and opened through the public-key path. */
	publicKeyRecords?: number;
	log?: (line: string) => void;
}

export const ROSTER_SIZE = 10_000;
const IMAGE_BYTES = 2 * 1024 * 1024;

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const spread = (xs: number[], digits = 1) => `min ${round(Math.min(...xs), digits)}, max ${round(Math.max(...xs), digits)}`;

/** Random bytes of any length (getRandomValues takes at most 64 KiB per call). */
function randomBytes(n: number): Uint8Array {
	const out = new Uint8Array(n);
	for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
	return out;
}

/** A twelve-digit number with a valid My Number check digit (the format only; not a real person's). */
function myNumber(i: number): string {
	const body = String(100_000_000_00 + i).slice(-11);
	const digits = [...body].map(Number).reverse();
	let sum = 0;
	for (let n = 1; n <= 11; n++) sum += digits[n - 1]! * (n <= 6 ? n + 1 : n - 5);
	const r = sum % 11;
	return body + String(r <= 1 ? 0 : 11 - r);
}

const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const GIVEN = ['翔太', '陽菜', '蓮', '結衣', '大翔', 'さくら', '悠真', '美咲', '湊', '葵'];
const nameOf = (i: number) => `${FAMILY[i % 10]} ${GIVEN[Math.floor(i / 10) % 10]}`;

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
	const t0 = performance.now();
	const value = await fn();
	return { ms: performance.now() - t0, value };
}

export async function runCryptoBench(opts: CryptoBenchOptions = {}): Promise<CryptoFigure[]> {
	const unlockRuns = opts.unlockRuns ?? 5;
	const bulkRuns = opts.bulkRuns ?? 5;
	const pkRecords = opts.publicKeyRecords ?? 200;
	const log = opts.log ?? (() => {});
	const figures: CryptoFigure[] = [];
	const add = (f: CryptoFigure) => {
		figures.push(f);
		log(`${f.name}: ${f.value} ${f.unit}${f.note ? ' (' + f.note + ')' : ''}`);
	};

	// 1. Handler unlock by passphrase, scrypt logN 18 (target ≤ 2 s).
	{
		const keys = await generateHandlerKeys();
		const pass = 'correct horse battery staple 2026';
		const wrap = await time(() => wrapHandlerKeys(keys, pass, { logN: 18 }));
		const times: number[] = [];
		for (let i = 0; i < unlockRuns; i++) {
			const r = await time(() => unwrapHandlerKeys(wrap.value, pass));
			if (r.value.recipient !== keys.recipient) throw new Error('unwrap returned other keys');
			times.push(r.ms);
		}
		add({ key: 'unlock', name: `handler unlock, scrypt logN 18 (median of ${unlockRuns}; target ≤ 2 s)`, value: Math.round(median(times)), unit: 'ms', note: `${spread(times, 0)}; wrap took ${Math.round(wrap.ms)} ms` });
	}

	const epoch = await generateEpochKeys(1);
	const companyId = crypto.randomUUID();
	const employeeIds = Array.from({ length: ROSTER_SIZE }, () => crypto.randomUUID());

	// 2. Open a roster of 10,000 names with the epoch data key (target ≤ 1.5 s).
	{
		const sealed = employeeIds.map((employeeId, i) => sealEmployeeName({ dataKey: epoch.dataKey, epoch: 1, companyId, employeeId, name: nameOf(i) }));
		const times: number[] = [];
		for (let run = 0; run < bulkRuns; run++) {
			const r = await time(() => {
				const names = new Array<string>(ROSTER_SIZE);
				for (let i = 0; i < ROSTER_SIZE; i++) names[i] = openEmployeeName({ dataKey: epoch.dataKey, sealed: sealed[i]!, companyId, employeeId: employeeIds[i]! });
				return names;
			});
			if (r.value[1234] !== nameOf(1234)) throw new Error('roster opened to the wrong names');
			times.push(r.ms);
		}
		add({ key: 'roster', name: `open roster of 10,000 names, data key (median of ${bulkRuns}; target ≤ 1.5 s)`, value: Math.round(median(times)), unit: 'ms', note: spread(times, 0) });
	}

	// 3. Decrypt 10,000 records for export through the data-key path (target ≤ 3 s).
	const aadOf = (employeeId: string) => `mnv:bench-record:v1:${companyId}:${employeeId}`;
	const recordOf = (i: number) => encodeRecord({ myNumber: myNumber(i), name: nameOf(i) });
	let dataKeyOpenPerRecordMs = 0;
	{
		const seal = await time(() => employeeIds.map((employeeId, i) => sealWithDataKey({ dataKey: epoch.dataKey, epoch: 1, plaintext: recordOf(i), aad: aadOf(employeeId) })));
		const sealed = seal.value;
		const times: number[] = [];
		for (let run = 0; run < bulkRuns; run++) {
			const r = await time(() => {
				const rows = new Array<Record<string, unknown>>(ROSTER_SIZE);
				for (let i = 0; i < ROSTER_SIZE; i++) rows[i] = decodeRecord(openWithDataKey({ dataKey: epoch.dataKey, sealed: sealed[i]!, aad: aadOf(employeeIds[i]!) }));
				return rows;
			});
			if (r.value[42]!.myNumber !== myNumber(42)) throw new Error('records opened to the wrong values');
			times.push(r.ms);
		}
		dataKeyOpenPerRecordMs = median(times) / ROSTER_SIZE;
		add({ key: 'export', name: `decrypt 10,000 records for export, data key (median of ${bulkRuns}; target ≤ 3 s)`, value: Math.round(median(times)), unit: 'ms', note: `${spread(times, 0)}; open + JSON decode; ${round(dataKeyOpenPerRecordMs * 1000, 1)} µs/record` });
		add({ key: 'export-seal', name: 'seal 10,000 records, data key (one pass)', value: Math.round(seal.ms), unit: 'ms' });
	}

	// 4. Seal one 2 MB image to the epoch recipient (target ≤ 60 ms).
	const device = generateSigningKeyPair();
	const contextOf = (employeeId: string, itemKind: 'record' | 'image'): EnvelopeContext => ({ companyId, epoch: 1, employeeId, submissionId: crypto.randomUUID(), itemKind, itemIndex: 0 });
	{
		const image = randomBytes(IMAGE_BYTES);
		const context = contextOf(employeeIds[0]!, 'image');
		const seal = () => sealEnvelope({ recipient: epoch.recipient, context, payload: image, device });
		for (let i = 0; i < 2; i++) await seal(); // warm-up
		const times: number[] = [];
		let ciphertext: Uint8Array = new Uint8Array(0);
		for (let i = 0; i < 15; i++) {
			const r = await time(seal);
			ciphertext = r.value;
			times.push(r.ms);
		}
		add({ key: 'image-seal', name: 'seal one 2 MB image, envelope to epoch (median of 15; target ≤ 60 ms)', value: round(median(times)), unit: 'ms', note: `${spread(times)}; device-signed` });
		const opens: number[] = [];
		for (let i = 0; i < 5; i++) {
			const r = await time(() => openEnvelope({ identities: [epoch.identity], ciphertext, expected: context, devicePublicKey: toBase64Url(device.publicKey) }));
			if (r.value.payload.length !== IMAGE_BYTES) throw new Error('image opened to the wrong size');
			opens.push(r.ms);
		}
		add({ key: 'image-open', name: 'open one 2 MB image, envelope (median of 5)', value: round(median(opens)), unit: 'ms', note: spread(opens) });
	}

	// 5. The same small record through the public-key path (age hybrid ML-KEM-768 + X25519 per
	// record). Each record is timed on its own and the median taken, so a burst of other load on a
	// shared machine moves the figure less than a total would; the mean is in the note.
	{
		const devicePublicKey = toBase64Url(device.publicKey);
		const items = employeeIds.slice(0, pkRecords).map((employeeId, i) => ({ context: contextOf(employeeId, 'record'), payload: recordOf(i) }));
		const warm = Math.min(20, items.length);
		const sealOne = (i: number) => sealEnvelope({ recipient: epoch.recipient, context: items[i]!.context, payload: items[i]!.payload, device });
		for (let i = 0; i < warm; i++) await sealOne(i); // warm-up (JIT)
		const sealed: Uint8Array[] = [];
		const sealTimes: number[] = [];
		for (let i = 0; i < items.length; i++) {
			const r = await time(() => sealOne(i));
			sealed.push(r.value);
			sealTimes.push(r.ms);
		}
		const openOne = (i: number, verify: boolean) => openEnvelope({ identities: [epoch.identity], ciphertext: sealed[i]!, expected: items[i]!.context, ...(verify ? { devicePublicKey } : {}) });
		for (let i = 0; i < warm; i++) await openOne(i, true); // warm-up (JIT)
		const openAll = async (verify: boolean) => {
			const times: number[] = [];
			for (let i = 0; i < items.length; i++) {
				const r = await time(() => openOne(i, verify));
				if (decodeRecord(r.value.payload).myNumber !== myNumber(i) || r.value.deviceVerified !== verify) throw new Error('public-key records opened to the wrong values');
				times.push(r.ms);
			}
			return times;
		};
		const plainTimes = await openAll(false);
		const verifiedTimes = await openAll(true);
		const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
		const tenK = (xs: number[]) => `×10,000 ≈ ${round((median(xs) * ROSTER_SIZE) / 1000)} s`;
		const note = (xs: number[]) => `mean ${round(mean(xs), 2)} ms; ${tenK(xs)}`;
		const gain = (xs: number[]) => `≈ ${Math.round(median(xs) / dataKeyOpenPerRecordMs)}× the data-key path`;
		add({ key: 'pk-seal', name: `seal a record, public-key envelope, device-signed (median of ${pkRecords})`, value: round(median(sealTimes), 2), unit: 'ms', note: note(sealTimes) });
		add({ key: 'pk-open', name: `open a record, public-key envelope (median of ${pkRecords})`, value: round(median(plainTimes), 2), unit: 'ms', note: `${note(plainTimes)}; ${gain(plainTimes)}` });
		add({ key: 'pk-open-verified', name: `open + verify device signature, public-key (median of ${pkRecords})`, value: round(median(verifiedTimes), 2), unit: 'ms', note: `${note(verifiedTimes)}; ${gain(verifiedTimes)}` });
		add({ key: 'pk-open-10k', name: 'decrypt 10,000 records via public key (extrapolated)', value: round((median(plainTimes) * ROSTER_SIZE) / 1000, 1), unit: 's', note: `median of ${pkRecords} × 10,000; compare the data-key export figure` });
	}

	return figures;
}
