/**
 * @module Turns parsed roster rows into what the server stores: each name and profile sealed in
 * the browser under the company's newest data key, bound to the employee id. Re-imported codes
 * keep their existing ids (the seal is bound to the id), new codes get fresh ones.
 */
import { sealEmployeeName, sealEmployeeProfile, toBase64Url } from '../crypto';
import type { RosterEmployee } from './index';

/** One row as `employee.importRoster` takes it. */
export interface SealedRosterRow {
	id: string;
	code: string;
	sealedName: string;
	sealedProfile: string;
	status: RosterEmployee['status'];
}

/**
 * Seals parsed rows for import.
 * @param existing employee ids by code, from the current roster, so a re-import updates in place.
 */
export function sealRosterRows(
	keys: { companyId: string; dataKey: Uint8Array; epoch: number },
	rows: readonly RosterEmployee[],
	existing: ReadonlyMap<string, string>
): SealedRosterRow[] {
	return rows.map((r) => {
		const employeeId = existing.get(r.employeeCode) ?? crypto.randomUUID();
		const common = { dataKey: keys.dataKey, epoch: keys.epoch, companyId: keys.companyId, employeeId };
		const profile = { nameKana: r.nameKana, department: r.department, hiredOn: r.hiredOn, leftOn: r.leftOn, email: r.email };
		return {
			id: employeeId,
			code: r.employeeCode,
			sealedName: toBase64Url(sealEmployeeName({ ...common, name: r.name })),
			sealedProfile: toBase64Url(sealEmployeeProfile({ ...common, profile })),
			status: r.status
		};
	});
}

/** Splits rows into batches the server accepts (1,000 per call). */
export function batches<T>(rows: readonly T[], size = 1000): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
	return out;
}
