/**
 * The employee's own password in the browser: at joining it seals the new device key for the
 * server to keep; at a later sign-in it opens it again (`src/lib/crypto/employee.ts`).
 */
import { api } from '$lib/api';
import { deriveEmployeeKeys, fromBase64Url, toBase64Url, unwrapDeviceKey, wrapDeviceKey, type SigningKeyPair } from '$lib/crypto';
import { join, type RememberedEmployee } from './join.svelte';
import { session } from './session.svelte';

/** The shortest own password the join form accepts. */
export const MIN_EMPLOYEE_PASSWORD = 8;

interface Ids {
	companyId: string;
	employeeId: string;
}

/** What `join.redeem` takes for the employee's own password: a sign-in key and the sealed device key. */
export async function credentialFor(password: string, ids: Ids, device: SigningKeyPair): Promise<{ authKey: string; wrappedDevice: string }> {
	const { authKey, wrapKey } = await deriveEmployeeKeys(password, ids);
	try {
		const wrapped = wrapDeviceKey({ ...ids, wrapKey, device, pinnedFingerprint: join.pinnedFingerprint, minEpoch: join.minEpoch });
		return { authKey, wrappedDevice: toBase64Url(wrapped) };
	} finally {
		wrapKey.fill(0);
	}
}

/**
 * Signs the employee in with their own password and opens the device key it protects.
 * @throws the API's error (`bad_credentials`, `rate_limited`, offline) or a CryptoError.
 */
export async function signInEmployee(password: string, who: RememberedEmployee): Promise<void> {
	const { authKey, wrapKey } = await deriveEmployeeKeys(password, who);
	try {
		const { wrappedDevice } = await api.auth.employeeLogin.mutate({ employeeId: who.employeeId, authKey });
		join.unlocked(unwrapDeviceKey({ ...who, wrapKey, wrapped: fromBase64Url(wrappedDevice) }));
	} finally {
		wrapKey.fill(0);
	}
	join.remember(who);
	await session.refresh();
}
