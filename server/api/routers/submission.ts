import { timingSafeEqual } from 'node:crypto';
import { octetInputParser } from '@trpc/server/http';
import { and, asc, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { dataKeyEpochOf, isAgeFile } from '../../../src/lib/crypto/index';
import { normalizeNumberInput } from '../../../src/lib/mynumber/index';
import { appendAudit, appendAuditInTx, handlerEvent } from '../../audit';
import { companies, invitations, submissions } from '../../db/schema';
import { b64, toB64, toBytes, uuid } from '../inputs';
import { createTRPCRouter, employeeProcedure, fail, handlerProcedure, requireRole } from '../trpc';

/** Metadata of an octet-stream upload, sent as base64url JSON in `x-upload-meta`. */
export const uploadMeta = z.object({ submissionId: uuid, epoch: z.number().int().min(1).max(1_000_000), kind: z.literal('record') });
export const UPLOAD_META_HEADER = 'x-upload-meta';

function parseMeta(header: string | string[] | undefined) {
	if (typeof header !== 'string' || header.length > 2000) fail('BAD_REQUEST', 'upload_meta_invalid');
	try {
		return uploadMeta.parse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
	} catch {
		fail('BAD_REQUEST', 'upload_meta_invalid');
	}
}

async function readAll(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	const reader = stream.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			await reader.cancel();
			fail('PAYLOAD_TOO_LARGE', 'upload_too_large', { limit: `${Math.floor(limit / 1048576)} MB` });
		}
		chunks.push(value);
	}
	const out = new Uint8Array(size);
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.byteLength;
	}
	return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** A reason may be free text, but must not carry a My Number into the (plaintext) audit trail. */
const reason = z
	.string()
	.trim()
	.min(2)
	.max(200)
	.refine((s) => !/\d{12}/.test(normalizeNumberInput(s)), { message: 'reason_contains_number' });

export const submissionRouter = createTRPCRouter({
	/** Stores one sealed record. Idempotent per submission id, so an outbox may resend. */
	upload: employeeProcedure.input(octetInputParser).mutation(async ({ ctx, input }) => {
		const meta = parseMeta(ctx.req.headers['x-upload-meta']);
		const bytes = await readAll(input, ctx.services.config.uploadLimitBytes);
		if (!isAgeFile(bytes)) fail('BAD_REQUEST', 'upload_not_ciphertext');
		const [company] = await ctx.db.select({ currentEpoch: companies.currentEpoch, orgId: companies.orgId }).from(companies).where(eq(companies.id, ctx.employee.companyId));
		if (!company) fail('NOT_FOUND', 'not_found');
		if (meta.epoch !== company.currentEpoch) fail('CONFLICT', 'epoch_outdated');
		const now = ctx.services.now();
		const result = await ctx.db.transaction(async (tx) => {
			// One round trip in the common case; a conflict means a resend (same bytes) or a clash.
			const inserted = await tx
				.insert(submissions)
				.values({
					id: meta.submissionId,
					companyId: ctx.employee.companyId,
					employeeId: ctx.employee.id,
					epoch: meta.epoch,
					kind: meta.kind,
					// The device registered with the invitation this session was started from should have
					// signed it (a re-invited employee's old phone keeps its own device); the handler's browser checks.
					invitationId: ctx.employee.invitationId,
					ciphertext: bytes,
					size: bytes.byteLength,
					createdAt: now
				})
				.onConflictDoNothing({ target: submissions.id })
				.returning({ id: submissions.id });
			if (!inserted.length) {
				const [existing] = await tx
					.select({ employeeId: submissions.employeeId, ciphertext: submissions.ciphertext, createdAt: submissions.createdAt })
					.from(submissions)
					.where(eq(submissions.id, meta.submissionId));
				if (existing && existing.employeeId === ctx.employee.id && sameBytes(existing.ciphertext, bytes)) return existing.createdAt;
				fail('CONFLICT', 'submission_conflict');
			}
			await appendAuditInTx(
				tx,
				{
					orgId: company.orgId,
					companyId: ctx.employee.companyId,
					actorType: 'employee',
					actorId: ctx.employee.id,
					action: 'submit',
					targetType: 'submission',
					targetId: meta.submissionId,
					result: 'ok',
					ip: ctx.req.ip,
					userAgent: ctx.req.userAgent,
					detail: { size: bytes.byteLength, epoch: meta.epoch, kind: meta.kind }
				},
				now
			);
			return now;
		});
		return { id: meta.submissionId, receivedAt: result.toISOString() };
	}),

	list: handlerProcedure.input(z.object({ companyId: uuid, employeeId: uuid })).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const rows = await ctx.db
			.select({ id: submissions.id, epoch: submissions.epoch, size: submissions.size, createdAt: submissions.createdAt })
			.from(submissions)
			.where(and(eq(submissions.companyId, input.companyId), eq(submissions.employeeId, input.employeeId)))
			.orderBy(desc(submissions.createdAt));
		return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
	}),

	/**
	 * Hands out a sealed record for viewing. The reason is committed to the audit trail
	 * before the ciphertext leaves the database (DOMAIN.md §7: 利用・出力状況の記録).
	 */
	reveal: handlerProcedure.input(z.object({ submissionId: uuid, reason })).mutation(async ({ ctx, input }) => {
		const [meta] = await ctx.db
			.select({ companyId: submissions.companyId, employeeId: submissions.employeeId })
			.from(submissions)
			.where(eq(submissions.id, input.submissionId));
		if (!meta) fail('NOT_FOUND', 'not_found');
		await requireRole(ctx, meta.companyId);
		const now = ctx.services.now();
		await appendAudit(
			ctx.db,
			handlerEvent(ctx, { companyId: meta.companyId, action: 'reveal', targetType: 'submission', targetId: input.submissionId, reason: input.reason, detail: { employeeId: meta.employeeId } }),
			now
		);
		const [row] = await ctx.db
			.select({
				ciphertext: submissions.ciphertext,
				epoch: submissions.epoch,
				verified: isNotNull(submissions.verifiedRecord),
				sealedDeviceSecret: invitations.sealedDeviceSecret,
				devicePublicKey: invitations.devicePublicKey,
				deviceMac: invitations.deviceMac
			})
			.from(submissions)
			.leftJoin(invitations, eq(invitations.id, submissions.invitationId))
			.where(eq(submissions.id, input.submissionId));
		if (!row) fail('NOT_FOUND', 'not_found');
		return {
			verified: row.verified,
			ciphertext: toB64(row.ciphertext),
			companyId: meta.companyId,
			employeeId: meta.employeeId,
			epoch: row.epoch,
			submissionId: input.submissionId,
			// The registration the handler's browser verifies before trusting the envelope's signature.
			device:
				row.sealedDeviceSecret && row.devicePublicKey && row.deviceMac
					? { sealedSecret: toB64(row.sealedDeviceSecret), publicKey: row.devicePublicKey, mac: row.deviceMac }
					: null
		};
	}),

	/**
	 * Stores the data-key copy of a record the caller's browser has just verified. Once set it is
	 * never replaced (a later, different copy would be a tampering attempt).
	 */
	storeVerified: handlerProcedure.input(z.object({ submissionId: uuid, sealed: b64(16 * 1024) })).mutation(async ({ ctx, input }) => {
		const sealed = toBytes(input.sealed);
		try {
			dataKeyEpochOf(sealed);
		} catch {
			fail('BAD_REQUEST', 'sealed_data_invalid');
		}
		const [meta] = await ctx.db
			.select({ companyId: submissions.companyId, employeeId: submissions.employeeId, orgId: companies.orgId })
			.from(submissions)
			.innerJoin(companies, eq(companies.id, submissions.companyId))
			.where(eq(submissions.id, input.submissionId));
		if (!meta) fail('NOT_FOUND', 'not_found');
		await requireRole(ctx, meta.companyId);
		const now = ctx.services.now();
		await ctx.db.transaction(async (tx) => {
			const stored = await tx
				.update(submissions)
				.set({ verifiedRecord: sealed, verifiedAt: now, verifiedBy: ctx.user.id })
				.where(and(eq(submissions.id, input.submissionId), isNull(submissions.verifiedRecord)))
				.returning({ id: submissions.id });
			// Who vouched for the record is part of the handling history (seed 2-1: 確認).
			if (stored.length) {
				await appendAuditInTx(
					tx,
					{
						orgId: meta.orgId,
						companyId: meta.companyId,
						actorType: 'handler',
						actorId: ctx.user.id,
						actorLabel: ctx.user.loginId,
						action: 'verify',
						targetType: 'submission',
						targetId: input.submissionId,
						result: 'ok',
						ip: ctx.req.ip,
						userAgent: ctx.req.userAgent,
						detail: { employeeId: meta.employeeId }
					},
					now
				);
			}
		});
		return { ok: true as const };
	}),

	/**
	 * Every verified record of a company, for bulk export: the reason is recorded first, and the
	 * browser opens them with the data keys (no public-key operation per record).
	 */
	exportVerified: handlerProcedure.input(z.object({ companyId: uuid, reason })).mutation(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const rows = await ctx.db
			.select({ submissionId: submissions.id, employeeId: submissions.employeeId, epoch: submissions.epoch, sealed: submissions.verifiedRecord })
			.from(submissions)
			.where(and(eq(submissions.companyId, input.companyId), isNotNull(submissions.verifiedRecord)))
			.orderBy(asc(submissions.createdAt));
		const [company] = await ctx.db.select({ orgId: companies.orgId }).from(companies).where(eq(companies.id, input.companyId));
		await appendAudit(
			ctx.db,
			{
				orgId: company!.orgId,
				companyId: input.companyId,
				actorType: 'handler',
				actorId: ctx.user.id,
				actorLabel: ctx.user.loginId,
				action: 'export',
				targetType: 'company',
				targetId: input.companyId,
				reason: input.reason,
				result: 'ok',
				ip: ctx.req.ip,
				userAgent: ctx.req.userAgent,
				detail: { records: rows.length }
			},
			ctx.services.now()
		);
		return rows.map((r) => ({ submissionId: r.submissionId, employeeId: r.employeeId, epoch: r.epoch, sealed: toB64(r.sealed!) }));
	})
});
