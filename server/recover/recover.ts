/**
 * @module The offline recovery tool's core (issue 3 item 6; CRYPTO.md "Recovery and exit"):
 * with a company's recovery kit alone, open every submission of that company in a backup and
 * write them to a folder as a CSV (UTF-8 with BOM, for Excel) plus one file per image.
 *
 * Nothing is written unless the kit and the backup both check out; the output is assembled in a
 * temporary sibling folder and renamed into place at the end, so an interrupted run leaves no
 * half-written folder behind. Messages name rows by id, never by content.
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
	CryptoError,
	dataKeyEpochOf,
	openDeviceSecret,
	verifyDeviceRegistration,
	decodeRecord,
	openEmployeeName,
	openEmployeeProfile,
	openEnvelope,
	parseRecoveryKit,
	verifyRecoveryKit,
	type EmployeeProfile,
	type RecoveryKit
} from '../../src/lib/crypto/index';
import { kitTextFromPdf } from '../../src/lib/documents/recovery-kit';
import { BackupError, checkBackupVersion, readBackup, type BackupRows } from './backup';

export class RecoverError extends Error {}

export interface RecoverSummary {
	companyId: string;
	companyName: string;
	outDir: string;
	employees: number;
	submissions: number;
	records: number;
	images: number;
	/** Epochs the company has that the kit lacks: their submissions cannot be opened. */
	missingEpochs: number[];
	/** Submissions that could not be opened, by id, with the reason. */
	failures: { submissionId: string; reason: string }[];
	/** Opened, but not provably sent from the invited employee's device (unsigned, or the check failed). */
	unverified: { submissionId: string; reason: string }[];
}

/** Reads a kit from a kit PDF (its attached entries) or from any text holding the entries. */
export async function loadKit(bytes: Uint8Array): Promise<RecoveryKit> {
	let text: string;
	if (Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-') {
		let attached: string | null;
		try {
			attached = await kitTextFromPdf(bytes);
		} catch {
			throw new RecoverError('the kit PDF cannot be read (damaged file?); type or scan the printed entries into a text file and pass that instead');
		}
		if (attached === null) throw new RecoverError('this PDF carries no recovery kit; pass the recovery-kit PDF downloaded from the desk, or a text file with its entries');
		text = attached;
	} else {
		text = new TextDecoder().decode(bytes);
	}
	try {
		return await parseRecoveryKit(text);
	} catch (error) {
		if (error instanceof CryptoError) throw new RecoverError(`the recovery kit is not valid: ${error.message}`);
		throw error;
	}
}

const CSV_COLUMNS = ['employee_code', 'employee_name', 'employee_kana', 'department', 'submission_id', 'epoch', 'received_at', 'kind', 'device_verified', 'my_number', 'file', 'record_json'] as const;

/** A CSV cell; a leading = + @ (or - before anything but a code) would run as a formula in Excel, so it gets a quote mark. */
function csvCell(value: string): string {
	const safe = /^[=+@\t\r]/.test(value) || /^-(?![\w-]*$)/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function extensionOf(bytes: Uint8Array): string {
	if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
	if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png';
	if (bytes[0] === 0x25 && bytes[1] === 0x50) return 'pdf';
	return 'bin';
}

/**
 * Decrypts the kit's company from the rows of a backup into `outDir`.
 * @throws RecoverError / BackupError before anything is written.
 */
export async function recoverCompany(kit: RecoveryKit, rows: BackupRows, outDirInput: string): Promise<RecoverSummary> {
	checkBackupVersion(rows);
	const company = rows.companies.find((c) => c.id === kit.companyId);
	if (!company) {
		throw new RecoverError(
			`the backup holds no company ${kit.companyId} (the kit's company): it is a kit of another company, or a backup of another installation`
		);
	}
	const manifests = rows.manifests
		.filter((m) => m.companyId === company.id)
		.sort((a, b) => a.epoch - b.epoch)
		.map((m) => ({ body: m.body, signature: m.signature }));
	let missingEpochs: number[];
	try {
		({ missingEpochs } = verifyRecoveryKit(kit, { companyId: company.id, rootPublicKey: company.rootPublicKey, manifests }));
	} catch (error) {
		if (error instanceof CryptoError) throw new RecoverError(`the recovery kit does not match company ${company.id} in the backup: ${error.message}`);
		throw error;
	}

	const outDir = resolve(outDirInput);
	if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new RecoverError(`${outDir} exists and is not empty; name a new folder`);
	mkdirSync(dirname(outDir), { recursive: true });
	const work = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.partial-`));
	try {
		const epochKeys = new Map(kit.epochs.map((e) => [e.epoch, e]));
		const employees = rows.employees.filter((e) => e.companyId === company.id);
		const names = new Map<string, string>();
		const profiles = new Map<string, EmployeeProfile>();
		for (const e of employees) {
			// An unreadable name or profile leaves its cells empty; the submission rows still recover.
			try {
				const keys = epochKeys.get(dataKeyEpochOf(e.sealedName));
				if (keys) names.set(e.id, openEmployeeName({ dataKey: keys.dataKey, sealed: e.sealedName, companyId: company.id, employeeId: e.id }));
			} catch {}
			try {
				const keys = e.sealedProfile ? epochKeys.get(dataKeyEpochOf(e.sealedProfile)) : undefined;
				if (keys && e.sealedProfile) profiles.set(e.id, openEmployeeProfile({ dataKey: keys.dataKey, sealed: e.sealedProfile, companyId: company.id, employeeId: e.id }));
			} catch {}
		}
		const codes = new Map(employees.map((e) => [e.id, e.code]));
		const submissions = rows.submissions
			.filter((s) => s.companyId === company.id)
			.sort((a, b) => (codes.get(a.employeeId) ?? '').localeCompare(codes.get(b.employeeId) ?? '') || a.createdAt.localeCompare(b.createdAt));

		const invitations = new Map(rows.invitations.map((i) => [i.id, i]));
		/** The device key registered for a submission's invitation, if its HMAC verifies with the kit's data keys. */
		const deviceOf = (invitationId: string | null, employeeId: string): { publicKey: string | null; reason: string } => {
			const inv = invitationId ? invitations.get(invitationId) : undefined;
			if (!inv || inv.employeeId !== employeeId || !inv.sealedDeviceSecret || !inv.devicePublicKey || !inv.deviceMac) return { publicKey: null, reason: 'no device registration' };
			try {
				const secretKeys = epochKeys.get(dataKeyEpochOf(inv.sealedDeviceSecret));
				if (!secretKeys) return { publicKey: null, reason: 'device secret sealed under an epoch missing from the kit' };
				const secret = openDeviceSecret({ dataKey: secretKeys.dataKey, sealed: inv.sealedDeviceSecret, companyId: company.id, employeeId });
				const ok = verifyDeviceRegistration({ secret, companyId: company.id, employeeId, devicePublicKey: inv.devicePublicKey, mac: inv.deviceMac });
				return ok ? { publicKey: inv.devicePublicKey, reason: '' } : { publicKey: null, reason: 'device registration does not verify' };
			} catch {
				return { publicKey: null, reason: 'device registration unreadable' };
			}
		};
		const lines = [CSV_COLUMNS.join(',')];
		const failures: RecoverSummary['failures'] = [];
		const unverified: RecoverSummary['unverified'] = [];
		let records = 0;
		let images = 0;
		for (const s of submissions) {
			const keys = epochKeys.get(s.epoch);
			if (!keys) {
				failures.push({ submissionId: s.id, reason: `epoch ${s.epoch} is not in the kit` });
				continue;
			}
			const itemKind = s.kind === 'image' ? 'image' : 'record';
			const expected = { companyId: company.id, epoch: s.epoch, employeeId: s.employeeId, submissionId: s.id, itemKind, itemIndex: 0 } as const;
			// The same forgery check as a handler's browser: the device registered with the letter's
			// secret must have signed it. Recovery still gets the data out, but says which are unproven.
			const device = deviceOf(s.invitationId, s.employeeId);
			let payload: Uint8Array;
			let verified = 'no';
			try {
				try {
					({ payload } = await openEnvelope({ identities: [keys.identity], ciphertext: s.ciphertext, expected, ...(device.publicKey ? { devicePublicKey: device.publicKey } : {}) }));
					if (device.publicKey) verified = 'yes';
					else unverified.push({ submissionId: s.id, reason: device.reason });
				} catch (error) {
					if (!(error instanceof CryptoError && error.code === 'bad_signature')) throw error;
					({ payload } = await openEnvelope({ identities: [keys.identity], ciphertext: s.ciphertext, expected }));
					unverified.push({ submissionId: s.id, reason: 'not signed by the registered device' });
				}
			} catch (error) {
				failures.push({ submissionId: s.id, reason: error instanceof CryptoError ? error.message : 'cannot be opened' });
				continue;
			}
			const code = codes.get(s.employeeId) ?? '';
			let myNumber = '';
			let recordJson = '';
			let file = '';
			if (itemKind === 'record') {
				try {
					const record = decodeRecord(payload);
					myNumber = typeof record.myNumber === 'string' ? record.myNumber : '';
					recordJson = JSON.stringify(record);
					records++;
				} catch {
					failures.push({ submissionId: s.id, reason: 'the record is not valid JSON' });
					continue;
				}
			} else {
				file = join('images', `${code.replace(/[^\w-]/g, '_') || 'unknown'}`, `${s.id}.${extensionOf(payload)}`);
				mkdirSync(join(work, dirname(file)), { recursive: true });
				writeFileSync(join(work, file), payload, { mode: 0o600 });
				images++;
			}
			const profile = profiles.get(s.employeeId);
			lines.push([code, names.get(s.employeeId) ?? '', profile?.nameKana ?? '', profile?.department ?? '', s.id, String(s.epoch), s.createdAt, itemKind, verified, myNumber, file.replaceAll('\\', '/'), recordJson].map(csvCell).join(','));
		}
		writeFileSync(join(work, 'submissions.csv'), '\uFEFF' + lines.join('\r\n') + '\r\n', { mode: 0o600 });
		const summary: RecoverSummary = {
			companyId: company.id,
			companyName: company.name,
			outDir,
			employees: employees.length,
			submissions: submissions.length,
			records,
			images,
			missingEpochs,
			failures,
			unverified
		};
		writeFileSync(
			join(work, 'recovery-report.json'),
			JSON.stringify({ ...summary, outDir: undefined, source: rows.source, recoveredAt: new Date().toISOString() }, null, 2) + '\n'
		);
		if (existsSync(outDir)) rmSync(outDir, { recursive: true }); // empty, checked above
		renameSync(work, outDir);
		return summary;
	} catch (error) {
		rmSync(work, { recursive: true, force: true });
		throw error;
	}
}

/** The whole run: kit file + backup location → output folder. */
export async function recover(p: { kit: Uint8Array; from: string; outDir: string }): Promise<RecoverSummary> {
	const kit = await loadKit(p.kit);
	const rows = await readBackup(p.from);
	return recoverCompany(kit, rows, p.outDir);
}

export { BackupError };
