/**
 * What the pages do with passkeys: WebAuthn ceremonies through @simplewebauthn/browser, the PRF
 * extension, and the passkey wraps of the handler's keys. Plain functions, no UI state.
 *
 * The PRF output is the unlock secret: it stays in this module's locals, is used once to derive the
 * wrap key (`$lib/crypto` passkey.ts) and is overwritten. `withoutPrf` strips it from every
 * response before the response is sent (and the server's input schema refuses it anyway).
 */
import {
	browserSupportsWebAuthn,
	startAuthentication,
	startRegistration,
	WebAuthnError,
	type AuthenticationExtensionsClientOutputs,
	type AuthenticationResponseJSON,
	type PublicKeyCredentialRequestOptionsJSON,
	type RegistrationResponseJSON
} from '@simplewebauthn/browser';
import { api } from '$lib/api';
import { fromBase64Url, handlerPublicInfo, passkeyPrfInput, toBase64Url, unwrapHandlerKeysWithPasskey, wrapHandlerKeysForPasskey } from '$lib/crypto';
import type { HandlerKeyInfo, HandlerKeys } from './keyring.svelte';
import { IntegrityError, sameFingerprint } from './vault';

export interface Unlocked {
	keys: HandlerKeys;
	info: HandlerKeyInfo;
}

/** Why a passkey did not also unlock the keys. */
export type NoUnlock = 'no_prf' | 'no_wrap';

export function passkeysSupported(): boolean {
	return typeof window !== 'undefined' && browserSupportsWebAuthn();
}

/** What went wrong in the browser's own WebAuthn dialog, for a message; null for anything else. */
export function passkeyErrorKind(error: unknown): 'cancelled' | 'exists' | 'unsupported' | null {
	if (error instanceof WebAuthnError) {
		if (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'exists';
		if (error.code === 'ERROR_CEREMONY_ABORTED') return 'cancelled';
		const cause = error.cause instanceof Error ? error.cause.name : '';
		if (cause === 'NotAllowedError' || cause === 'AbortError') return 'cancelled';
		if (cause === 'NotSupportedError' || error.code === 'ERROR_INVALID_DOMAIN' || error.code === 'ERROR_INVALID_RP_ID') return 'unsupported';
		return null;
	}
	if (error instanceof Error && error.message === 'WebAuthn is not supported in this browser') return 'unsupported';
	if (error instanceof DOMException && error.name === 'NotAllowedError') return 'cancelled';
	return null;
}

/** The PRF extension input every passkey of this app is asked for. */
export function prfExtension() {
	return { prf: { eval: { first: passkeyPrfInput() as Uint8Array<ArrayBuffer> } } };
}

/** The PRF output of a ceremony, copied out of the browser's buffer, or null when there is none. */
export function takePrf(results: AuthenticationExtensionsClientOutputs): Uint8Array | null {
	const first: unknown = results.prf?.results?.first;
	let out: Uint8Array | null = null;
	if (first instanceof ArrayBuffer) out = new Uint8Array(first.slice(0));
	else if (ArrayBuffer.isView(first)) out = new Uint8Array(first.buffer.slice(first.byteOffset, first.byteOffset + first.byteLength));
	return out && out.length === 32 ? out : null;
}

/** A response as the server may see it: only `prf.enabled` of the PRF extension survives. */
export function withoutPrf<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(response: T): T {
	const enabled = response.clientExtensionResults.prf?.enabled;
	return { ...response, clientExtensionResults: enabled === undefined ? {} : { prf: { enabled } } };
}

export function randomChallenge(): string {
	return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Opens the wrap of `credentialId` with the PRF output and checks the keys are the ones the server lists. */
async function openWrap(credentialId: string, prf: Uint8Array, expectedFingerprint: string | null): Promise<Unlocked> {
	try {
		const stored = await api.passkey.wrap.query({ credentialId });
		const keys = await unwrapHandlerKeysWithPasskey(fromBase64Url(stored.wrapped), prf, credentialId);
		const info = handlerPublicInfo(keys);
		if (!sameFingerprint(info.fingerprint, stored.fingerprint)) throw new IntegrityError('fingerprint');
		if (expectedFingerprint && !sameFingerprint(info.fingerprint, expectedFingerprint)) throw new IntegrityError('fingerprint');
		return { keys, info };
	} finally {
		prf.fill(0);
	}
}

/**
 * Registers a passkey. With `unlocked` keys and an authenticator that has PRF, the keys are also
 * sealed to it, so it can unlock them later. Some authenticators evaluate PRF only on use, not at
 * creation: then the browser asks for one more touch to get the output.
 * @returns whether the new passkey can unlock the keys.
 */
export async function registerPasskey(name: string, unlocked: Unlocked | null): Promise<{ unlocks: boolean }> {
	const { challengeId, options } = await api.passkey.registerOptions.mutate();
	const response = await startRegistration({ optionsJSON: { ...options, extensions: prfExtension() } });
	let prf = takePrf(response.clientExtensionResults);
	if (!prf && unlocked && response.clientExtensionResults.prf?.enabled === true) {
		const assertion = await startAuthentication({
			optionsJSON: {
				challenge: randomChallenge(),
				rpId: options.rp.id,
				allowCredentials: [{ id: response.id, type: 'public-key', transports: response.response.transports }],
				userVerification: 'preferred',
				extensions: prfExtension()
			}
		});
		prf = assertion.id === response.id ? takePrf(assertion.clientExtensionResults) : null;
	}
	let wrapped: string | undefined;
	if (prf && unlocked) {
		try {
			wrapped = toBase64Url(await wrapHandlerKeysForPasskey(unlocked.keys, prf, response.id));
		} finally {
			prf.fill(0);
		}
	}
	const result = await api.passkey.registerFinish.mutate({ challengeId, response: withoutPrf(response), name, wrapped });
	return { unlocks: result.unlocks };
}

export type PasskeySignIn = { credentialId: string } & ({ unlocked: Unlocked } | { unlocked: null; because: NoUnlock });

async function afterAssertion(
	result: { credentialId: string; unlocks: boolean },
	prf: Uint8Array | null,
	expectedFingerprint: string | null
): Promise<PasskeySignIn> {
	if (!result.unlocks) {
		prf?.fill(0);
		return { credentialId: result.credentialId, unlocked: null, because: 'no_wrap' };
	}
	if (!prf) return { credentialId: result.credentialId, unlocked: null, because: 'no_prf' };
	return { credentialId: result.credentialId, unlocked: await openWrap(result.credentialId, prf, expectedFingerprint) };
}

/**
 * One touch: signs in with a discoverable passkey and, when it has a wrap and PRF output, opens the
 * keys with the same touch. The caller refreshes the session and hands the keys to the keyring.
 */
export async function signInWithPasskey(): Promise<PasskeySignIn> {
	const { challengeId, options } = await api.passkey.loginOptions.mutate();
	const response = await startAuthentication({ optionsJSON: { ...options, extensions: prfExtension() } });
	const prf = takePrf(response.clientExtensionResults);
	let result: { credentialId: string; unlocks: boolean };
	try {
		result = await api.passkey.login.mutate({ challengeId, response: withoutPrf(response) });
	} catch (error) {
		prf?.fill(0);
		throw error;
	}
	return afterAssertion(result, prf, null);
}

/** Completes a password sign-in that the organisation wants confirmed with a passkey; also unlocks when it can. */
export async function completeSecondFactor(step: { challengeId: string; options: Omit<PublicKeyCredentialRequestOptionsJSON, 'extensions'> }): Promise<PasskeySignIn> {
	const response = await startAuthentication({ optionsJSON: { ...step.options, extensions: prfExtension() } });
	const prf = takePrf(response.clientExtensionResults);
	let result: { credentialId: string; unlocks: boolean };
	try {
		result = await api.passkey.secondFactor.mutate({ challengeId: step.challengeId, response: withoutPrf(response) });
	} catch (error) {
		prf?.fill(0);
		throw error;
	}
	return afterAssertion(result, prf, null);
}

/**
 * Unlocks the keys of a signed-in handler with one of their passkeys (after the idle lock, say).
 * Nothing is verified by the server here: only the PRF output matters, and it never leaves.
 * @returns the keys, or why this passkey could not open them.
 */
export async function unlockWithPasskey(credentialIds: string[], expectedFingerprint: string | null): Promise<Unlocked | NoUnlock> {
	const response = await startAuthentication({
		optionsJSON: {
			challenge: randomChallenge(),
			rpId: location.hostname,
			allowCredentials: credentialIds.map((id) => ({ id, type: 'public-key' })),
			userVerification: 'preferred',
			extensions: prfExtension()
		}
	});
	const prf = takePrf(response.clientExtensionResults);
	if (!prf) return 'no_prf';
	return openWrap(response.id, prf, expectedFingerprint);
}
