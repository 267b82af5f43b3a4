/**
 * Employees' passkeys (issue 4 item 1): after joining with their own password, an employee may add
 * a passkey and then sign in with a touch, on this phone or any phone the passkey syncs to.
 *
 * Only passkeys with the PRF extension are taken: the browser sends the device key sealed under a
 * key derived from the PRF output (`src/lib/crypto/employee.ts`), which the server cannot open. A
 * passkey that could not unlock the device key would sign the employee in to a phone that cannot
 * sign a submission. Sign-in uses the shared discoverable challenge (`passkey.loginOptions`);
 * handler and employee credentials live in separate tables, so neither can sign in as the other.
 */
import { generateRegistrationOptions, type AuthenticationResponseJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { count, eq } from 'drizzle-orm';
import { z } from 'zod';
import { PASSKEY_PRF_INPUT_B64 } from '../../../src/lib/crypto/index';
import { appendAudit, appendAuditInTx } from '../../audit';
import { IP_POLICY } from '../../auth/throttle';
import { companies, employeePasskeys, employees } from '../../db/schema';
import { b64, toB64, toBytes, uuid } from '../inputs';
import { createTRPCRouter, employeeProcedure, fail, publicProcedure } from '../trpc';
import { consumeChallenge, creationOptionsJSON, relyingParty, splitTransports, storeChallenge, userHandle, verifyPasskeyAssertion, verifyPasskeyRegistration } from '../webauthn';
import { countFailure, enforceThrottle, startEmployeeSession } from './auth';
import { authenticationResponse, ceremony, registrationResponse } from './passkey';

export const employeePasskeyRouter = createTRPCRouter({
	/** How many passkeys the signed-in employee has (the page offers to add one when none). */
	count: employeeProcedure.query(async ({ ctx }) => {
		const [row] = await ctx.db.select({ n: count() }).from(employeePasskeys).where(eq(employeePasskeys.employeeId, ctx.employee.id));
		return { passkeys: row?.n ?? 0 };
	}),

	/** Starts registering a passkey for the signed-in employee (discoverable, user verification). */
	registerOptions: employeeProcedure.mutation(async ({ ctx }) => {
		const now = ctx.services.now();
		const { rpID } = relyingParty(ctx);
		const [who] = await ctx.db
			.select({ code: employees.code, companyName: companies.name })
			.from(employees)
			.innerJoin(companies, eq(companies.id, employees.companyId))
			.where(eq(employees.id, ctx.employee.id));
		if (!who) fail('UNAUTHORIZED', 'not_signed_in');
		const existing = await ctx.db.select({ id: employeePasskeys.id, transports: employeePasskeys.transports }).from(employeePasskeys).where(eq(employeePasskeys.employeeId, ctx.employee.id));
		const options = await generateRegistrationOptions({
			rpName: 'mynumber-vault',
			rpID,
			// What the phone's passkey list shows: the company and the employee code, never a name.
			userName: `${who.code} (${who.companyName})`.slice(0, 64),
			userDisplayName: who.code,
			userID: userHandle(ctx.employee.id),
			attestationType: 'none',
			excludeCredentials: existing.map((c) => ({ id: c.id, transports: splitTransports(c.transports) })),
			authenticatorSelection: { residentKey: 'required', userVerification: 'required' }
		});
		const challengeId = await storeChallenge(ctx.db, 'register', options.challenge, null, now, ctx.employee.id);
		return { challengeId, options: creationOptionsJSON(options), prfInput: PASSKEY_PRF_INPUT_B64 };
	}),

	/** Finishes it, with the device key sealed under the passkey's PRF-derived key. */
	registerFinish: employeeProcedure.input(ceremony(registrationResponse).extend({ wrappedDevice: b64(512) })).mutation(async ({ ctx, input }) => {
		const now = ctx.services.now();
		const { challenge, employeeId } = await consumeChallenge(ctx.db, input.challengeId, 'register', now);
		if (employeeId !== ctx.employee.id) fail('BAD_REQUEST', 'passkey_challenge_invalid');
		const credential = await verifyPasskeyRegistration(ctx, input.response as RegistrationResponseJSON, challenge, true);
		if (!credential) fail('BAD_REQUEST', 'passkey_failed');
		await ctx.db.transaction(async (tx) => {
			// Only a session of the current letter may seal a device key: that is the key the passkey will hand out.
			const [current] = await tx.select({ invitationId: employees.deviceInvitationId }).from(employees).where(eq(employees.id, ctx.employee.id));
			if (!current?.invitationId || current.invitationId !== ctx.employee.invitationId) fail('CONFLICT', 'device_mismatch');
			if ((await tx.select({ id: employeePasskeys.id }).from(employeePasskeys).where(eq(employeePasskeys.id, credential.id))).length) fail('CONFLICT', 'passkey_exists');
			await tx.insert(employeePasskeys).values({
				id: credential.id,
				employeeId: ctx.employee.id,
				publicKey: new Uint8Array(credential.publicKey),
				counter: credential.counter,
				transports: (credential.transports ?? input.response.response.transports ?? []).join(',') || null,
				wrappedDevice: toBytes(input.wrappedDevice),
				createdAt: now
			});
			await appendAuditInTx(
				tx,
				{ companyId: ctx.employee.companyId, actorType: 'employee', actorId: ctx.employee.id, action: 'passkey_register', targetType: 'passkey', targetId: credential.id.slice(0, 64), result: 'ok', ip: ctx.req.ip, userAgent: ctx.req.userAgent },
				now
			);
		});
		return { ok: true as const };
	}),

	/**
	 * Finishes a one-touch sign-in (challenge from `passkey.loginOptions`): an employee session and
	 * the sealed device key of that passkey, with what the browser needs to open it.
	 */
	login: publicProcedure
		.input(
			ceremony(authenticationResponse).extend({
				/** The employee the page expects (its sign-in card names them): another one's passkey is refused before any session. */
				employeeId: uuid.optional()
			})
		)
		.mutation(async ({ ctx, input }) => {
		const now = ctx.services.now();
		const ipKey = [{ key: `ip:${ctx.req.ip}`, policy: IP_POLICY }];
		await enforceThrottle(ctx, ipKey);
		const { challenge } = await consumeChallenge(ctx.db, input.challengeId, 'authenticate', now);
		const [row] = await ctx.db
			.select({
				passkey: employeePasskeys,
				code: employees.code,
				companyId: employees.companyId,
				companyName: companies.name,
				orgId: companies.orgId,
				invitationId: employees.deviceInvitationId
			})
			.from(employeePasskeys)
			.innerJoin(employees, eq(employees.id, employeePasskeys.employeeId))
			.innerJoin(companies, eq(companies.id, employees.companyId))
			.where(eq(employeePasskeys.id, input.response.id));
		const { verified, newCounter } = row
			? await verifyPasskeyAssertion(
					ctx,
					{ id: row.passkey.id, publicKey: new Uint8Array(row.passkey.publicKey), counter: row.passkey.counter, transports: row.passkey.transports, ownerId: row.passkey.employeeId },
					input.response as AuthenticationResponseJSON,
					challenge,
					true
				)
			: { verified: false, newCounter: 0 };
		const audit = {
			orgId: row?.orgId ?? null,
			companyId: row?.companyId ?? null,
			actorType: row ? ('employee' as const) : ('anonymous' as const),
			actorId: row?.passkey.employeeId ?? null,
			actorLabel: row?.code ?? null,
			action: 'employee_login' as const,
			targetType: 'passkey',
			targetId: input.response.id.slice(0, 64),
			ip: ctx.req.ip,
			userAgent: ctx.req.userAgent,
			detail: { method: 'passkey' }
		};
		if (!row || !verified || !row.invitationId) {
			await countFailure(ctx, ipKey);
			await appendAudit(ctx.db, { ...audit, result: 'denied' }, now);
			fail('UNAUTHORIZED', 'passkey_failed');
		}
		if (input.employeeId && input.employeeId !== row.passkey.employeeId) {
			await appendAudit(ctx.db, { ...audit, result: 'denied', detail: { method: 'passkey', otherEmployee: true } }, now);
			fail('FORBIDDEN', 'passkey_other_employee');
		}
		await ctx.db.update(employeePasskeys).set({ counter: newCounter, lastUsedAt: now }).where(eq(employeePasskeys.id, row.passkey.id));
		await startEmployeeSession(ctx, row.passkey.employeeId, row.invitationId, now);
		await appendAudit(ctx.db, { ...audit, result: 'ok' }, now);
		return {
			credentialId: row.passkey.id,
			wrappedDevice: toB64(row.passkey.wrappedDevice),
			employee: { companyId: row.companyId, employeeId: row.passkey.employeeId, companyName: row.companyName, employeeCode: row.code }
		};
	})
});
