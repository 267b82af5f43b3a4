/**
 * WebAuthn plumbing shared by the passkey router and password sign-in (second factor):
 * relying party from the request, single-use challenges, and the second-factor start.
 *
 * The relying party is the host the browser talked to (the `Host` header, which the same-origin
 * check already ties to `Origin`), so the same build serves localhost, an intranet name or a
 * public domain without configuration. Chromium refuses IP addresses as RP ID.
 */
import {
	generateAuthenticationOptions,
	verifyAuthenticationResponse,
	verifyRegistrationResponse,
	type RegistrationResponseJSON,
	type AuthenticationResponseJSON,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON
} from '@simplewebauthn/server';
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { webauthnChallenges, webauthnCredentials } from '../db/schema';
import { fail, type Context } from './trpc';

/** How long a ceremony may take before its challenge is refused. */
export const CHALLENGE_SECONDS = 5 * 60;

export type ChallengePurpose = 'register' | 'authenticate' | 'second_factor';

/** RP ID and expected origin from the request. @throws BAD_REQUEST for a missing or odd Host header. */
export function relyingParty(ctx: Pick<Context, 'req'>): { rpID: string; origin: string } {
	const host = ctx.req.headers.host;
	if (typeof host !== 'string' || !/^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host) || host.length > 255) {
		fail('BAD_REQUEST', 'invalid_input');
	}
	const rpID = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
	return { rpID: rpID.toLowerCase(), origin: `${ctx.req.secure ? 'https' : 'http'}://${host.toLowerCase()}` };
}

/** Stores a challenge; also clears expired ones, so abandoned ceremonies do not pile up. */
export async function storeChallenge(db: Db, purpose: ChallengePurpose, challenge: string, userId: string | null, now: Date, employeeId: string | null = null): Promise<string> {
	await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now));
	const [row] = await db
		.insert(webauthnChallenges)
		.values({ purpose, challenge, userId, employeeId, expiresAt: new Date(now.getTime() + CHALLENGE_SECONDS * 1000) })
		.returning({ id: webauthnChallenges.id });
	return row!.id;
}

/**
 * Takes a challenge out of the table (single use, also when it turns out to be expired).
 * @throws BAD_REQUEST `passkey_challenge_invalid` when it does not exist, has another purpose or
 *   user, or has expired.
 */
export async function consumeChallenge(
	db: Db,
	id: string,
	purpose: ChallengePurpose,
	now: Date,
	userId?: string
): Promise<{ challenge: string; userId: string | null; employeeId: string | null }> {
	const [row] = await db
		.delete(webauthnChallenges)
		.where(and(eq(webauthnChallenges.id, id), eq(webauthnChallenges.purpose, purpose)))
		.returning({ challenge: webauthnChallenges.challenge, userId: webauthnChallenges.userId, employeeId: webauthnChallenges.employeeId, expiresAt: webauthnChallenges.expiresAt });
	if (!row || row.expiresAt.getTime() <= now.getTime() || (userId !== undefined && row.userId !== userId)) {
		fail('BAD_REQUEST', 'passkey_challenge_invalid');
	}
	return { challenge: row.challenge, userId: row.userId, employeeId: row.employeeId };
}

/**
 * Checks a registration (attestation "none") against its challenge, origin and RP.
 * @returns the new credential, or null when anything does not verify.
 */
export async function verifyPasskeyRegistration(ctx: Pick<Context, 'req'>, response: RegistrationResponseJSON, expectedChallenge: string, requireUserVerification: boolean) {
	const { rpID, origin } = relyingParty(ctx);
	try {
		const verification = await verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification });
		return verification.verified ? verification.registrationInfo.credential : null;
	} catch {
		return null;
	}
}

/**
 * Checks an assertion against a stored public key (handler or employee credential): signature,
 * challenge, origin, RP and the owner named by a discoverable credential's user handle.
 * @returns whether it verified and the authenticator's new counter.
 */
export async function verifyPasskeyAssertion(
	ctx: Pick<Context, 'req'>,
	stored: { id: string; publicKey: Uint8Array; counter: number; transports: string | null; ownerId: string },
	response: AuthenticationResponseJSON,
	expectedChallenge: string,
	requireUserVerification: boolean
): Promise<{ verified: boolean; newCounter: number }> {
	const { rpID, origin } = relyingParty(ctx);
	// A discoverable credential names its owner; it must be the credential's.
	if (response.response.userHandle && response.response.userHandle !== Buffer.from(userHandle(stored.ownerId)).toString('base64url')) return { verified: false, newCounter: stored.counter };
	try {
		const result = await verifyAuthenticationResponse({
			response,
			expectedChallenge,
			expectedOrigin: origin,
			expectedRPID: rpID,
			credential: { id: stored.id, publicKey: new Uint8Array(stored.publicKey), counter: stored.counter, transports: splitTransports(stored.transports) },
			requireUserVerification
		});
		return { verified: result.verified, newCounter: result.authenticationInfo.newCounter };
	} catch {
		// Wrong signature, origin, RP, challenge, a counter that went backwards (a cloned key): all "not verified".
		return { verified: false, newCounter: stored.counter };
	}
}

/** The WebAuthn user handle of a handler or an employee: the 16 bytes of their id. */
export function userHandle(userId: string): Uint8Array<ArrayBuffer> {
	return new Uint8Array(Buffer.from(userId.replaceAll('-', ''), 'hex'));
}

/**
 * Options as JSON for the browser. Extensions are binary (BufferSource) and so are not JSON: the
 * browser adds the PRF input itself. Dropping them here also keeps the tRPC output type plain.
 */
export type RequestOptionsJSON = Omit<PublicKeyCredentialRequestOptionsJSON, 'extensions'>;
export type CreationOptionsJSON = Omit<PublicKeyCredentialCreationOptionsJSON, 'extensions'>;

export function requestOptionsJSON(options: PublicKeyCredentialRequestOptionsJSON): RequestOptionsJSON {
	const { extensions: _, ...rest } = options;
	return rest;
}

export function creationOptionsJSON(options: PublicKeyCredentialCreationOptionsJSON): CreationOptionsJSON {
	const { extensions: _, ...rest } = options;
	return rest;
}

export interface SecondFactorChallenge {
	challengeId: string;
	options: RequestOptionsJSON;
}

/**
 * After a correct password of a user whose organisation requires a second factor: a challenge
 * for one of the user's registered credentials. No session exists until it is answered.
 * @throws FORBIDDEN `second_factor_no_passkey` when the user has no credential to answer with.
 */
export async function startSecondFactor(ctx: Pick<Context, 'db' | 'req'>, userId: string, now: Date): Promise<SecondFactorChallenge> {
	const creds = await ctx.db
		.select({ id: webauthnCredentials.id, transports: webauthnCredentials.transports })
		.from(webauthnCredentials)
		.where(eq(webauthnCredentials.userId, userId));
	if (!creds.length) fail('FORBIDDEN', 'second_factor_no_passkey');
	const { rpID } = relyingParty(ctx);
	const options = await generateAuthenticationOptions({
		rpID,
		allowCredentials: creds.map((c) => ({ id: c.id, transports: splitTransports(c.transports) })),
		userVerification: 'preferred'
	});
	const challengeId = await storeChallenge(ctx.db, 'second_factor', options.challenge, userId, now);
	return { challengeId, options: requestOptionsJSON(options) };
}

export function splitTransports(value: string | null): string[] | undefined {
	return value ? value.split(',').filter(Boolean) : undefined;
}
