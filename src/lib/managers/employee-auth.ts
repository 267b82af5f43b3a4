/**
 * The employee's own password in the browser: at joining it seals the new device key for the
 * server to keep; at a later sign-in it opens it again (`src/lib/crypto/employee.ts`).
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { api } from '$lib/api';
import { deriveEmployeeKeys, fromBase64Url, passkeyDeviceWrapKey, toBase64Url, unwrapDeviceKey, wrapDeviceKey, type SigningKeyPair } from '$lib/crypto';
import { prfExtension, randomChallenge, takePrf, withoutPrf } from './passkey';
import { join, type RememberedEmployee } from './join.svelte';
import { session } from './session.svelte';

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

/** Why adding a passkey did not work, beyond the browser's own errors. */
export class NoPrfError extends Error {
	constructor() {
		super('this passkey cannot protect the device key (no PRF)');
		this.name = 'NoPrfError';
	}
}

/**
 * Adds a passkey for the signed-in, unlocked employee: it seals this phone's device key under a key
 * from the passkey's PRF output. Authenticators without PRF are refused (they could sign in but
 * not sign a submission). Some evaluate PRF only on use: then the browser asks for one more touch.
 * @throws NoPrfError, or the browser's WebAuthnError (cancelled, already registered).
 */
export async function registerEmployeePasskey(who: { companyId: string; employeeId: string }): Promise<void> {
	const device = join.device;
	if (!device) throw new Error('device key locked');
	const { challengeId, options } = await api.employeePasskey.registerOptions.mutate();
	const response = await startRegistration({ optionsJSON: { ...options, extensions: prfExtension() } });
	let prf = takePrf(response.clientExtensionResults);
	if (!prf && response.clientExtensionResults.prf?.enabled === true) {
		const assertion = await startAuthentication({
			optionsJSON: { challenge: randomChallenge(), rpId: options.rp.id, allowCredentials: [{ id: response.id, type: 'public-key', transports: response.response.transports }], userVerification: 'required', extensions: prfExtension() }
		});
		prf = assertion.id === response.id ? takePrf(assertion.clientExtensionResults) : null;
	}
	if (!prf) throw new NoPrfError();
	let wrappedDevice: string;
	const wrapKey = passkeyDeviceWrapKey(prf, response.id);
	try {
		wrappedDevice = toBase64Url(wrapDeviceKey({ ...who, wrapKey, device, pinnedFingerprint: join.pinnedFingerprint, minEpoch: join.minEpoch }));
	} finally {
		prf.fill(0);
		wrapKey.fill(0);
	}
	await api.employeePasskey.registerFinish.mutate({ challengeId, response: withoutPrf(response), wrappedDevice });
}

/**
 * One touch: signs the employee the page names in with a passkey and opens the device key with the same touch.
 * @throws the API's `passkey_failed` (unknown or outdated passkey) or `passkey_other_employee`, NoPrfError, or the browser's error.
 */
export async function signInEmployeeWithPasskey(expectedEmployeeId: string): Promise<RememberedEmployee> {
	const { challengeId, options } = await api.passkey.loginOptions.mutate();
	const response = await startAuthentication({ optionsJSON: { ...options, extensions: prfExtension() } });
	const prf = takePrf(response.clientExtensionResults);
	try {
		// The server refuses another employee's passkey before it starts a session (a shared phone).
		const result = await api.employeePasskey.login.mutate({ challengeId, response: withoutPrf(response), employeeId: expectedEmployeeId });
		if (!prf) throw new NoPrfError();
		const wrapKey = passkeyDeviceWrapKey(prf, result.credentialId);
		try {
			join.unlocked(unwrapDeviceKey({ ...result.employee, wrapKey, wrapped: fromBase64Url(result.wrappedDevice) }));
		} finally {
			wrapKey.fill(0);
		}
		join.remember(result.employee);
		await session.refresh();
		return result.employee;
	} finally {
		prf?.fill(0);
	}
}
