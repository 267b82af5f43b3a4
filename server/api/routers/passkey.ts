/**
 * Passkeys (issue 3, items 1 and 2): registration, one-touch sign-in, the second factor after a
 * password, and the list / rename / remove of a handler's credentials.
 *
 * The server verifies WebAuthn ceremonies and stores credentials' public keys. It never sees PRF
 * output: the browser derives the unlock key from it and sends only the age file sealed to that
 * key (`handler_key_wraps`, method 'passkey'). Responses that carry PRF results are refused.
 */
import {
	generateAuthenticationOptions,
	generateRegistrationOptions,
	type AuthenticationResponseJSON,
	type RegistrationResponseJSON
} from '@simplewebauthn/server';
import { and, count, eq, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import { isAgeFile, PASSKEY_PRF_INPUT_B64 } from '../../../src/lib/crypto/index';
import { appendAudit, appendAuditInTx } from '../../audit';
import { createSession, sessionCookie } from '../../auth/session';
import { ipAllowed } from '../../auth/ip';
import { ACCOUNT_POLICY, clearFailures, IP_POLICY } from '../../auth/throttle';
import { handlerKeys, handlerKeyWraps, organisations, users, webauthnCredentials } from '../../db/schema';
import { b64, plainText, toB64, uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure, publicProcedure, type Context } from '../trpc';
import { consumeChallenge, creationOptionsJSON, relyingParty, requestOptionsJSON, splitTransports, storeChallenge, userHandle, verifyPasskeyAssertion, verifyPasskeyRegistration } from '../webauthn';
import { countFailure, enforceThrottle } from './auth';

// ── Inputs ─────────────────────────────────────────────────────────────────────────────

/** base64url that may be empty (WebAuthn fields), bounded. */
const b64u = (maxChars: number) => z.string().max(maxChars).regex(/^[A-Za-z0-9_-]*$/);
/** Credential ids are at most 1023 bytes. */
const credentialId = z.string().min(1).max(1400).regex(/^[A-Za-z0-9_-]+$/);
const passkeyName = plainText(64);
/** Transport hints ('internal', 'usb', 'hybrid', …); new ones appear over time, so only their shape is checked. */
const transports = z.array(z.string().regex(/^[a-z][a-z-]{0,31}$/)).max(8);

/**
 * Client extension results as the server may see them. `prf.results` (the PRF output, i.e. the
 * unlock secret) is refused outright: `.strict()` turns it into a validation error. Unknown
 * extensions are dropped.
 */
const clientExtensionResults = z.object({
	prf: z.object({ enabled: z.boolean().optional() }).strict().optional(),
	credProps: z.object({ rk: z.boolean().optional() }).optional()
});

export const registrationResponse = z.object({
	id: credentialId,
	rawId: credentialId,
	type: z.literal('public-key'),
	authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
	clientExtensionResults,
	response: z.object({
		clientDataJSON: b64u(8192),
		attestationObject: b64u(96 * 1024),
		authenticatorData: b64u(64 * 1024).optional(),
		transports: transports.optional(),
		publicKeyAlgorithm: z.number().int().optional(),
		publicKey: b64u(8192).optional()
	})
});

export const authenticationResponse = z.object({
	id: credentialId,
	rawId: credentialId,
	type: z.literal('public-key'),
	authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
	clientExtensionResults,
	response: z.object({
		clientDataJSON: b64u(8192),
		authenticatorData: b64u(64 * 1024),
		signature: b64u(2048),
		userHandle: b64u(128).optional()
	})
});

export const ceremony = <T extends z.ZodTypeAny>(response: T) => z.object({ challengeId: uuid, response });

// ── Helpers ────────────────────────────────────────────────────────────────────────────

type Credential = typeof webauthnCredentials.$inferSelect;

function auditBase(ctx: Context) {
	return { ip: ctx.req.ip, userAgent: ctx.req.userAgent };
}

/** Verifies an assertion against a stored credential and records its new counter. */
async function verifyAssertion(
	ctx: Context,
	cred: Credential,
	response: AuthenticationResponseJSON,
	expectedChallenge: string,
	requireUserVerification: boolean,
	now: Date
): Promise<boolean> {
	const { verified, newCounter } = await verifyPasskeyAssertion(
		ctx,
		{ id: cred.id, publicKey: new Uint8Array(cred.publicKey), counter: cred.counter, transports: cred.transports, ownerId: cred.userId },
		response,
		expectedChallenge,
		requireUserVerification
	);
	if (verified) {
		await ctx.db.update(webauthnCredentials).set({ counter: newCounter, lastUsedAt: now }).where(eq(webauthnCredentials.id, cred.id));
	}
	return verified;
}

/** Creates the handler session and records the sign-in, as password login does. */
async function signIn(ctx: Context, user: { id: string; orgId: string; lastLoginAt: Date | null }, now: Date): Promise<void> {
	const [org] = await ctx.db.select({ ipAllowlist: organisations.handlerIpAllowlist }).from(organisations).where(eq(organisations.id, user.orgId));
	if (!ipAllowed(ctx.req.ip, org?.ipAllowlist)) {
		// Recorded like a refused password sign-in: the history shows every failed sign-in.
		await appendAudit(ctx.db, { orgId: user.orgId, actorType: 'handler', actorId: user.id, action: 'passkey_login', result: 'denied', ip: ctx.req.ip, userAgent: ctx.req.userAgent, detail: { ipNotAllowed: true } }, now);
		fail('FORBIDDEN', 'ip_not_allowed');
	}
	const { token } = await createSession(ctx.db, { kind: 'handler', userId: user.id }, now, ctx.services.config.handlerMaxSeconds);
	ctx.req.setCookie(sessionCookie(token, ctx.services.config.handlerMaxSeconds, ctx.req.secure));
	await ctx.db.update(users).set({ previousLoginAt: user.lastLoginAt, lastLoginAt: now }).where(eq(users.id, user.id));
}

async function findCredential(ctx: Context, id: string, userId?: string): Promise<Credential | undefined> {
	const [cred] = await ctx.db
		.select()
		.from(webauthnCredentials)
		.where(userId ? and(eq(webauthnCredentials.id, id), eq(webauthnCredentials.userId, userId)) : eq(webauthnCredentials.id, id));
	return cred;
}

// ── Router ─────────────────────────────────────────────────────────────────────────────

export const passkeyRouter = createTRPCRouter({
	/** The caller's passkeys, and whether the passphrase wrap exists. */
	list: handlerProcedure.query(async ({ ctx }) => {
		const rows = await ctx.db
			.select({
				id: webauthnCredentials.id,
				name: webauthnCredentials.name,
				prf: webauthnCredentials.prf,
				createdAt: webauthnCredentials.createdAt,
				lastUsedAt: webauthnCredentials.lastUsedAt,
				wrapId: handlerKeyWraps.id
			})
			.from(webauthnCredentials)
			.leftJoin(handlerKeyWraps, and(eq(handlerKeyWraps.credentialId, webauthnCredentials.id), eq(handlerKeyWraps.userId, webauthnCredentials.userId)))
			.where(eq(webauthnCredentials.userId, ctx.user.id))
			.orderBy(webauthnCredentials.createdAt);
		const [pass] = await ctx.db
			.select({ n: count() })
			.from(handlerKeyWraps)
			.where(and(eq(handlerKeyWraps.userId, ctx.user.id), eq(handlerKeyWraps.method, 'passphrase')));
		return {
			passphrase: (pass?.n ?? 0) > 0,
			passkeys: rows.map(({ wrapId, createdAt, lastUsedAt, ...r }) => ({
				...r,
				unlocks: wrapId !== null,
				createdAt: createdAt.toISOString(),
				lastUsedAt: lastUsedAt?.toISOString() ?? null
			}))
		};
	}),

	/** Starts registering a passkey of the signed-in handler. The browser adds the PRF input itself (binary). */
	registerOptions: handlerProcedure.mutation(async ({ ctx }) => {
		const now = ctx.services.now();
		const { rpID } = relyingParty(ctx);
		const existing = await ctx.db
			.select({ id: webauthnCredentials.id, transports: webauthnCredentials.transports })
			.from(webauthnCredentials)
			.where(eq(webauthnCredentials.userId, ctx.user.id));
		const options = await generateRegistrationOptions({
			rpName: 'mynumber-vault',
			rpID,
			userName: ctx.user.loginId,
			userDisplayName: ctx.user.displayName,
			userID: userHandle(ctx.user.id),
			attestationType: 'none',
			excludeCredentials: existing.map((c) => ({ id: c.id, transports: splitTransports(c.transports) })),
			// Discoverable where possible (one-touch sign-in); a key that cannot store one still serves as a second factor.
			authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' }
		});
		const challengeId = await storeChallenge(ctx.db, 'register', options.challenge, ctx.user.id, now);
		return { challengeId, options: creationOptionsJSON(options), prfInput: PASSKEY_PRF_INPUT_B64 };
	}),

	/**
	 * Finishes a registration. `wrapped` is the handler's private keys sealed (in the browser) to the
	 * identity derived from this passkey's PRF output; absent when the authenticator has no PRF, and
	 * then the passkey serves sign-in and the second factor only.
	 */
	registerFinish: handlerProcedure
		.input(ceremony(registrationResponse).extend({ name: passkeyName, wrapped: b64(64 * 1024).optional() }))
		.mutation(async ({ ctx, input }) => {
			const now = ctx.services.now();
			const { challenge } = await consumeChallenge(ctx.db, input.challengeId, 'register', now, ctx.user.id);
			const credential = await verifyPasskeyRegistration(ctx, input.response as RegistrationResponseJSON, challenge, false);
			if (!credential) fail('BAD_REQUEST', 'passkey_failed');
			const wrapped = input.wrapped ? Buffer.from(input.wrapped, 'base64url') : null;
			if (wrapped && !isAgeFile(new Uint8Array(wrapped))) fail('BAD_REQUEST', 'sealed_data_invalid');
			await ctx.db.transaction(async (tx) => {
				if (await tx.select({ id: webauthnCredentials.id }).from(webauthnCredentials).where(eq(webauthnCredentials.id, credential.id)).then((r) => r.length)) {
					fail('CONFLICT', 'passkey_exists');
				}
				if (wrapped) {
					const [key] = await tx.select({ userId: handlerKeys.userId }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
					if (!key) fail('BAD_REQUEST', 'handler_key_missing');
				}
				await tx.insert(webauthnCredentials).values({
					id: credential.id,
					userId: ctx.user.id,
					publicKey: new Uint8Array(credential.publicKey),
					counter: credential.counter,
					transports: (credential.transports ?? input.response.response.transports ?? []).join(',') || null,
					name: input.name,
					prf: wrapped !== null,
					prfSalt: wrapped ? PASSKEY_PRF_INPUT_B64 : null,
					createdAt: now
				});
				if (wrapped) {
					await tx.insert(handlerKeyWraps).values({
						userId: ctx.user.id,
						method: 'passkey',
						credentialId: credential.id,
						label: input.name,
						ciphertext: new Uint8Array(wrapped),
						createdAt: now
					});
				}
				await appendAuditInTx(
					tx,
					{
						orgId: ctx.user.orgId,
						actorType: 'handler',
						actorId: ctx.user.id,
						actorLabel: ctx.user.loginId,
						action: 'passkey_register',
						targetType: 'passkey',
						targetId: credential.id.slice(0, 64),
						result: 'ok',
						...auditBase(ctx),
						detail: { unlocks: wrapped !== null }
					},
					now
				);
			});
			return { id: credential.id, unlocks: wrapped !== null };
		}),

	rename: handlerProcedure.input(z.object({ id: credentialId, name: passkeyName })).mutation(async ({ ctx, input }) => {
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			const updated = await tx
				.update(webauthnCredentials)
				.set({ name: input.name })
				.where(and(eq(webauthnCredentials.id, input.id), eq(webauthnCredentials.userId, ctx.user.id)))
				.returning({ id: webauthnCredentials.id });
			if (!updated.length) fail('NOT_FOUND', 'not_found');
			await tx
				.update(handlerKeyWraps)
				.set({ label: input.name })
				.where(and(eq(handlerKeyWraps.credentialId, input.id), eq(handlerKeyWraps.userId, ctx.user.id)));
			await appendAuditInTx(
				tx,
				{
					orgId: ctx.user.orgId,
					actorType: 'handler',
					actorId: ctx.user.id,
					actorLabel: ctx.user.loginId,
					action: 'passkey_rename',
					targetType: 'passkey',
					targetId: input.id.slice(0, 64),
					result: 'ok',
					...auditBase(ctx)
				},
				now
			);
		});
		return { ok: true as const };
	}),

	/**
	 * Removes a passkey and its wrap. Refused when its wrap is the last way to unlock the keys, and
	 * when the organisation requires a second factor and it is the handler's last credential.
	 */
	remove: handlerProcedure.input(z.object({ id: credentialId })).mutation(async ({ ctx, input }) => {
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			const [cred] = await tx
				.select({ id: webauthnCredentials.id })
				.from(webauthnCredentials)
				.where(and(eq(webauthnCredentials.id, input.id), eq(webauthnCredentials.userId, ctx.user.id)));
			if (!cred) fail('NOT_FOUND', 'not_found');
			const wraps = await tx
				.select({ credentialId: handlerKeyWraps.credentialId })
				.from(handlerKeyWraps)
				.where(eq(handlerKeyWraps.userId, ctx.user.id));
			const own = wraps.filter((w) => w.credentialId === input.id).length;
			if (own > 0 && wraps.length - own === 0) fail('CONFLICT', 'passkey_last_unlock_method');
			const [org] = await tx
				.select({ required: organisations.requireSecondFactor })
				.from(organisations)
				.where(eq(organisations.id, ctx.user.orgId));
			if (org?.required) {
				const [others] = await tx
					.select({ n: count() })
					.from(webauthnCredentials)
					.where(and(eq(webauthnCredentials.userId, ctx.user.id), ne(webauthnCredentials.id, input.id)));
				if ((others?.n ?? 0) === 0) fail('CONFLICT', 'passkey_last_second_factor');
			}
			await tx.delete(handlerKeyWraps).where(and(eq(handlerKeyWraps.userId, ctx.user.id), eq(handlerKeyWraps.credentialId, input.id)));
			await tx.delete(webauthnCredentials).where(and(eq(webauthnCredentials.id, input.id), eq(webauthnCredentials.userId, ctx.user.id)));
			await appendAuditInTx(
				tx,
				{
					orgId: ctx.user.orgId,
					actorType: 'handler',
					actorId: ctx.user.id,
					actorLabel: ctx.user.loginId,
					action: 'passkey_remove',
					targetType: 'passkey',
					targetId: input.id.slice(0, 64),
					result: 'ok',
					...auditBase(ctx)
				},
				now
			);
		});
		return { ok: true as const };
	}),

	/** The keys sealed to one of the caller's passkeys, with the public info to check them against. */
	wrap: handlerProcedure.input(z.object({ credentialId })).query(async ({ ctx, input }) => {
		const [row] = await ctx.db
			.select({
				recipient: handlerKeys.recipient,
				signingPublicKey: handlerKeys.signingPublicKey,
				fingerprint: handlerKeys.fingerprint,
				ciphertext: handlerKeyWraps.ciphertext
			})
			.from(handlerKeyWraps)
			.innerJoin(handlerKeys, eq(handlerKeys.userId, handlerKeyWraps.userId))
			.where(
				and(eq(handlerKeyWraps.userId, ctx.user.id), eq(handlerKeyWraps.method, 'passkey'), eq(handlerKeyWraps.credentialId, input.credentialId))
			);
		if (!row) fail('NOT_FOUND', 'passkey_no_wrap');
		const { ciphertext, ...pub } = row;
		return { ...pub, wrapped: toB64(ciphertext) };
	}),

	/** Starts a one-touch sign-in with a discoverable passkey (no user ID typed). */
	loginOptions: publicProcedure.mutation(async ({ ctx }) => {
		const now = ctx.services.now();
		await enforceThrottle(ctx, [{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }]);
		const { rpID } = relyingParty(ctx);
		const options = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
		const challengeId = await storeChallenge(ctx.db, 'authenticate', options.challenge, null, now);
		return { challengeId, options: requestOptionsJSON(options), prfInput: PASSKEY_PRF_INPUT_B64 };
	}),

	/** Finishes a one-touch sign-in: the passkey (with user verification) is both factors. */
	login: publicProcedure.input(ceremony(authenticationResponse)).mutation(async ({ ctx, input }) => {
		const now = ctx.services.now();
		const ipKey = [{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }];
		await enforceThrottle(ctx, ipKey);
		const { challenge } = await consumeChallenge(ctx.db, input.challengeId, 'authenticate', now);
		const cred = await findCredential(ctx, input.response.id);
		const [user] = cred ? await ctx.db.select().from(users).where(eq(users.id, cred.userId)) : [];
		const ok = cred && user ? await verifyAssertion(ctx, cred, input.response as AuthenticationResponseJSON, challenge, true, now) : false;
		const audit = {
			orgId: user?.orgId ?? null,
			actorType: user ? ('handler' as const) : ('anonymous' as const),
			actorId: user?.id ?? null,
			actorLabel: user?.loginId ?? null,
			action: 'passkey_login' as const,
			targetType: 'passkey',
			targetId: input.response.id.slice(0, 64),
			...auditBase(ctx)
		};
		if (!cred || !user || !ok) {
			await countFailure(ctx, ipKey);
			await appendAudit(ctx.db, { ...audit, result: 'denied' }, now);
			fail('UNAUTHORIZED', 'passkey_failed');
		}
		await signIn(ctx, user, now);
		await appendAudit(ctx.db, { ...audit, result: 'ok' }, now);
		return { ok: true as const, credentialId: cred.id, unlocks: cred.prf };
	}),

	/**
	 * Completes a password sign-in when the organisation requires a second factor: the assertion
	 * must come from one of that user's credentials, for the challenge the password step issued.
	 */
	secondFactor: publicProcedure.input(ceremony(authenticationResponse)).mutation(async ({ ctx, input }) => {
		const now = ctx.services.now();
		const { challenge, userId } = await consumeChallenge(ctx.db, input.challengeId, 'second_factor', now);
		const [user] = userId ? await ctx.db.select().from(users).where(eq(users.id, userId)) : [];
		if (!user) fail('BAD_REQUEST', 'passkey_challenge_invalid');
		const keys = [
			{ key: `login:${user.loginId.toLowerCase()}`, policy: ACCOUNT_POLICY },
			{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }
		];
		await enforceThrottle(ctx, keys);
		const cred = await findCredential(ctx, input.response.id, user.id);
		const ok = cred ? await verifyAssertion(ctx, cred, input.response as AuthenticationResponseJSON, challenge, false, now) : false;
		const audit = {
			orgId: user.orgId,
			actorType: 'handler' as const,
			actorId: user.id,
			actorLabel: user.loginId,
			action: 'second_factor' as const,
			targetType: 'passkey',
			targetId: input.response.id.slice(0, 64),
			...auditBase(ctx)
		};
		if (!cred || !ok) {
			const locked = await countFailure(ctx, keys);
			await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { locked } }, now);
			fail('UNAUTHORIZED', 'passkey_failed');
		}
		await clearFailures(ctx.db, keys[0]!.key);
		await signIn(ctx, user, now);
		await appendAudit(ctx.db, { ...audit, result: 'ok' }, now);
		return { ok: true as const, credentialId: cred.id, unlocks: cred.prf };
	})
});

/** Handlers of an organisation who have no credential (they cannot sign in once a second factor is required). */
export async function handlersWithoutPasskey(db: Context['db'], orgId: string): Promise<number> {
	const rows = await db
		.select({ id: users.id })
		.from(users)
		.leftJoin(webauthnCredentials, eq(webauthnCredentials.userId, users.id))
		.where(and(eq(users.orgId, orgId), isNull(webauthnCredentials.id)));
	return new Set(rows.map((r) => r.id)).size;
}

/** Whether a handler has at least one credential. */
export async function hasPasskey(db: Context['db'], userId: string): Promise<boolean> {
	const [row] = await db.select({ n: count() }).from(webauthnCredentials).where(eq(webauthnCredentials.userId, userId));
	return (row?.n ?? 0) > 0;
}
