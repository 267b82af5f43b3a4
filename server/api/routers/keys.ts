import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { fingerprint, isAgeFile } from '../../../src/lib/crypto/index';
import { appendAuditInTx, handlerEvent } from '../../audit';
import { handlerKeys, handlerKeyWraps } from '../../db/schema';
import { b64, toB64, toBytes } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure } from '../trpc';

export const keysRouter = createTRPCRouter({
	/**
	 * Stores a handler's public keys and the passphrase-wrapped private half (an age scrypt
	 * file made in the browser). The passphrase itself never reaches the server.
	 */
	create: handlerProcedure
		.input(
			z.object({
				recipient: z.string().regex(/^age1[0-9a-z]+$/).max(4000),
				signingPublicKey: b64(32),
				fingerprint: z.string().regex(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/),
				wrapped: b64(64 * 1024)
			})
		)
		.mutation(async ({ ctx, input }) => {
			const wrapped = toBytes(input.wrapped);
			if (!isAgeFile(wrapped)) fail('BAD_REQUEST', 'sealed_data_invalid');
			if (toBytes(input.signingPublicKey).length !== 32) fail('BAD_REQUEST', 'invalid_input');
			// The fingerprint people compare must be the recipient's, not whatever the client claims.
			if (fingerprint(input.recipient) !== input.fingerprint) fail('BAD_REQUEST', 'invalid_input');
			const now = ctx.services.now();
			await ctx.db.transaction(async (tx) => {
				const existing = await tx.select({ userId: handlerKeys.userId }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
				if (existing.length) fail('CONFLICT', 'handler_key_exists');
				await tx.insert(handlerKeys).values({
					userId: ctx.user.id,
					recipient: input.recipient,
					signingPublicKey: input.signingPublicKey,
					fingerprint: input.fingerprint,
					createdAt: now
				});
				await tx.insert(handlerKeyWraps).values({ userId: ctx.user.id, method: 'passphrase', ciphertext: wrapped, createdAt: now });
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, { action: 'handler_key_create', targetType: 'handler_key', targetId: input.fingerprint }),
					now
				);
			});
			return { ok: true as const };
		}),

	/** The passphrase-wrapped private keys, to be unlocked in the browser. */
	wrapped: handlerProcedure.query(async ({ ctx }) => {
		const [row] = await ctx.db
			.select({
				recipient: handlerKeys.recipient,
				signingPublicKey: handlerKeys.signingPublicKey,
				fingerprint: handlerKeys.fingerprint,
				ciphertext: handlerKeyWraps.ciphertext
			})
			.from(handlerKeys)
			.innerJoin(handlerKeyWraps, eq(handlerKeyWraps.userId, handlerKeys.userId))
			.where(and(eq(handlerKeys.userId, ctx.user.id), eq(handlerKeyWraps.method, 'passphrase')));
		if (!row) fail('NOT_FOUND', 'handler_key_missing');
		const { ciphertext, ...pub } = row;
		return { ...pub, wrapped: toB64(ciphertext) };
	})
});
