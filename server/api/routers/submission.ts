import { createHash, timingSafeEqual } from 'node:crypto';
import { octetInputParser } from '@trpc/server/http';
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, ne, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../db/index';
import { z } from 'zod';
import { dataKeyEpochOf, isAgeFile } from '../../../src/lib/crypto/index';
import { normalizeNumberInput } from '../../../src/lib/mynumber/index';
import { isPurpose } from '../../../src/lib/purposes/index';
import { appendAudit, appendAuditInTx, handlerEvent, type AuditInput } from '../../audit';
import { companies, employees, handlerKeys, invitations, submissionImages, submissions, users } from '../../db/schema';
import { b64, CONTROL_OR_BIDI, plainText, toB64, toBytes, uuid } from '../inputs';
import { EXPORT_COLUMNS } from '../../../src/lib/exports/index';
import { createTRPCRouter, employeeProcedure, fail, handlerProcedure, requireRole, type Context } from '../trpc';

/** How many document photos one submission may carry (the employee's and their dependents'). */
export const MAX_IMAGES = 40;

const sha256B64 = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const epoch = z.number().int().min(1).max(1_000_000);
/** The device key that signed the item (optional for older clients): it must be the one this session's invitation registered. */
const devicePublicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/).optional();

/**
 * Metadata of an octet-stream upload, sent as base64url JSON in `x-upload-meta`. Images come
 * first (`itemIndex` 1…n); the record (index 0) comes last and names the images' hashes, which
 * completes the submission.
 */
export const uploadMeta = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('image'), submissionId: uuid, epoch, itemIndex: z.number().int().min(1).max(MAX_IMAGES), device: devicePublicKey }),
	z.object({
		kind: z.enum(['record', 'decline']),
		submissionId: uuid,
		epoch,
		device: devicePublicKey,
		images: z.array(sha256B64).max(MAX_IMAGES).default([]),
		supersedes: uuid.optional()
	})
]);
export const UPLOAD_META_HEADER = 'x-upload-meta';

/** The employee a handler's entry on behalf is for, from the same header (extra keys are ignored by `uploadMeta`). */
function parseTarget(header: string | string[] | undefined): { employeeId: string } {
	try {
		return z.object({ employeeId: uuid }).parse(JSON.parse(Buffer.from(String(header), 'base64url').toString('utf8')));
	} catch {
		fail('BAD_REQUEST', 'upload_meta_invalid');
	}
}

function parseMeta(header: string | string[] | undefined) {
	// 40 photo hashes in base64url JSON need ~2.8 KB; leave room.
	if (typeof header !== 'string' || header.length > 4096) fail('BAD_REQUEST', 'upload_meta_invalid');
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

/** Photos an employee may have waiting for their record (two full submissions' worth). */
const MAX_PENDING_IMAGES = 2 * MAX_IMAGES;

/** When this very item (same employee, same bytes) was stored, or null if it was not. */
async function storedAt(db: Db, meta: z.infer<typeof uploadMeta>, employeeId: string, sha256: string, bytes: Uint8Array): Promise<Date | null> {
	const [done] = await db
		.select({ employeeId: submissions.employeeId, imageHashes: submissions.imageHashes, ciphertext: submissions.ciphertext, createdAt: submissions.createdAt })
		.from(submissions)
		.where(eq(submissions.id, meta.submissionId));
	if (done?.employeeId !== undefined && done.employeeId !== employeeId) return null;
	if (meta.kind !== 'image') return done && sameBytes(done.ciphertext, bytes) ? done.createdAt : null;
	if (done) return done.imageHashes[meta.itemIndex - 1] === sha256 ? done.createdAt : null;
	const [image] = await db
		.select({ employeeId: submissionImages.employeeId, sha256: submissionImages.sha256, createdAt: submissionImages.createdAt })
		.from(submissionImages)
		.where(and(eq(submissionImages.submissionId, meta.submissionId), eq(submissionImages.itemIndex, meta.itemIndex)));
	return image && image.employeeId === employeeId && image.sha256 === sha256 ? image.createdAt : null;
}

/** A reason may be free text, but must not carry a My Number into the (plaintext) audit trail. */
const reason = z
	.string()
	.trim()
	.min(2)
	.max(200)
	.refine((s) => !/\d{12}/.test(normalizeNumberInput(s)), { message: 'reason_contains_number' })
	// One visible line, like every text a handler types: the trail and its reports show it as entered.
	.refine((s) => !CONTROL_OR_BIDI.test(s));

/** The reason a handler returns a submission with: the employee reads it, so it must not carry a number either. */
/** A checklist id: a code, or a code and a dependent's index (`dependent_number:1`). */
const CHECK_ID = /^[a-z_]{1,40}(:\d{1,3})?$/;

const returnReason = z
	.string()
	.trim()
	.min(2)
	.max(200)
	.refine((s) => !/\d{12}/.test(normalizeNumberInput(s)), { message: 'return_reason_contains_number' })
	.refine((s) => !CONTROL_OR_BIDI.test(s));

/** Whose item an upload is, and how to check and record it (an employee's phone or a handler entering for them). */
interface UploadSubject {
	employeeId: string;
	companyId: string;
	/** The invitation whose device signed it (employee uploads); null when a handler entered it. */
	invitationId: string | null;
	enteredBy: string | null;
	/** Refuses a signing key the handler's browser would not accept for this subject. */
	checkDevice: (device: string | undefined) => Promise<void>;
	/** The audit event that completes the submission. */
	audit: (action: 'submit' | 'decline', detail: Record<string, string | number | boolean | null>, orgId: string) => AuditInput;
}

/**
 * Holds the person's row for the transaction and refuses one already disposed of: a disposal,
 * which updates that row, then either waits for this upload or this upload sees it. Photos take
 * it shared (they may arrive in parallel); a record takes it exclusively (`no key update`), so the
 * same record sent twice at once (a page and its service worker, or two servers) is found by the
 * second, not inserted twice. The strength is chosen once: upgrading a shared lock could deadlock.
 */
async function lockLivePerson(tx: Tx, employeeId: string, strength: 'share' | 'no key update' = 'share'): Promise<void> {
	const [live] = await tx
		.select({ id: employees.id })
		.from(employees)
		.where(and(eq(employees.id, employeeId), isNull(employees.disposedAt)))
		.for(strength);
	if (!live) fail('CONFLICT', 'employee_disposed');
}

/**
 * Stores one sealed item (a photo, or the record that completes the submission); shared by the
 * employee's upload and the handler's entry on behalf. Idempotent per (submission, item).
 */
async function storeItem(ctx: Context, subject: UploadSubject, meta: z.infer<typeof uploadMeta>, bytes: Uint8Array) {
	if (!isAgeFile(bytes)) fail('BAD_REQUEST', 'upload_not_ciphertext');
	const sha256 = createHash('sha256').update(bytes).digest('base64url');
	// A resend of what is already stored gets its receipt again, even if keys or invitation changed since
	// (its first answer may have been lost): the outbox must not be told to submit it a second time.
	const stored = await storedAt(ctx.db, meta, subject.employeeId, sha256, bytes);
	if (stored) return { id: meta.submissionId, itemIndex: meta.kind === 'image' ? meta.itemIndex : 0, sha256, receivedAt: stored.toISOString() };
	const [company] = await ctx.db.select({ currentEpoch: companies.currentEpoch, orgId: companies.orgId }).from(companies).where(eq(companies.id, subject.companyId));
	if (!company) fail('NOT_FOUND', 'not_found');
	if (meta.epoch !== company.currentEpoch) fail('CONFLICT', 'epoch_outdated');
	await subject.checkDevice(meta.device);
	const now = ctx.services.now();

	if (meta.kind === 'image') {
		const receivedAt = await ctx.db.transaction(async (tx) => {
			await lockLivePerson(tx, subject.employeeId);
			const [done] = await tx.select({ employeeId: submissions.employeeId, imageHashes: submissions.imageHashes }).from(submissions).where(eq(submissions.id, meta.submissionId));
			// A resend after the record landed: fine if it is the same photo, else a clash.
			if (done) {
				if (done.employeeId === subject.employeeId && done.imageHashes[meta.itemIndex - 1] === sha256) return now;
				fail('CONFLICT', 'submission_conflict');
			}
			// Photos of submissions that never complete must not fill the disk.
			const [pending] = await tx
				.select({ n: sql<number>`count(*)::int` })
				.from(submissionImages)
				.where(and(eq(submissionImages.employeeId, subject.employeeId), sql`not exists (select 1 from ${submissions} where ${submissions.id} = ${submissionImages.submissionId})`));
			if ((pending?.n ?? 0) >= MAX_PENDING_IMAGES) fail('CONFLICT', 'too_many_pending_photos');
			const inserted = await tx
				.insert(submissionImages)
				.values({ submissionId: meta.submissionId, itemIndex: meta.itemIndex, companyId: subject.companyId, employeeId: subject.employeeId, ciphertext: bytes, size: bytes.byteLength, sha256, createdAt: now })
				.onConflictDoNothing()
				.returning({ at: submissionImages.createdAt });
			if (inserted.length) return now;
			const [existing] = await tx
				.select({ employeeId: submissionImages.employeeId, sha256: submissionImages.sha256, createdAt: submissionImages.createdAt })
				.from(submissionImages)
				.where(and(eq(submissionImages.submissionId, meta.submissionId), eq(submissionImages.itemIndex, meta.itemIndex)));
			if (existing && existing.employeeId === subject.employeeId && existing.sha256 === sha256) return existing.createdAt;
			fail('CONFLICT', 'submission_conflict');
		});
		return { id: meta.submissionId, itemIndex: meta.itemIndex, sha256, receivedAt: receivedAt.toISOString() };
	}

	const receivedAt = await ctx.db.transaction(async (tx) => {
		await lockLivePerson(tx, subject.employeeId, 'no key update');
		const [existing] = await tx.select({ employeeId: submissions.employeeId, ciphertext: submissions.ciphertext, createdAt: submissions.createdAt }).from(submissions).where(eq(submissions.id, meta.submissionId));
		if (existing) {
			if (existing.employeeId === subject.employeeId && sameBytes(existing.ciphertext, bytes)) return existing.createdAt;
			fail('CONFLICT', 'submission_conflict');
		}
		// Complete only with exactly the photos the record names: none missing, none extra, none swapped.
		// Locked until the record commits, so the abandoned-photo sweep (server/sweep.ts) skips them.
		const stored = await tx
			.select({ itemIndex: submissionImages.itemIndex, sha256: submissionImages.sha256, employeeId: submissionImages.employeeId })
			.from(submissionImages)
			.where(eq(submissionImages.submissionId, meta.submissionId))
			.for('update');
		const byIndex = new Map(stored.filter((i) => i.employeeId === subject.employeeId).map((i) => [i.itemIndex, i.sha256]));
		const missing = meta.images.flatMap((hash, i) => (byIndex.get(i + 1) === hash ? [] : [i + 1]));
		if (missing.length) fail('CONFLICT', 'submission_images_missing', { items: missing.join(', ') });
		if (stored.length !== meta.images.length) fail('CONFLICT', 'submission_conflict');
		if (meta.supersedes) {
			// A correction replaces the employee's own earlier submission that is not yet accepted.
			const replaced = await tx
				.update(submissions)
				.set({ status: 'superseded', statusAt: now })
				.where(and(eq(submissions.id, meta.supersedes), eq(submissions.employeeId, subject.employeeId), inArray(submissions.status, ['submitted', 'returned'])))
				.returning({ id: submissions.id });
			if (!replaced.length) fail('CONFLICT', 'submission_not_replaceable');
		}
		await tx.insert(submissions).values({
			id: meta.submissionId,
			companyId: subject.companyId,
			employeeId: subject.employeeId,
			epoch: meta.epoch,
			kind: meta.kind,
			// The device registered with the invitation this session was started from should have
			// signed it (sessions of an earlier letter are ended when a new one is used); the handler's browser checks.
			invitationId: subject.invitationId,
			enteredBy: subject.enteredBy,
			ciphertext: bytes,
			size: bytes.byteLength,
			imageHashes: meta.images,
			supersedes: meta.supersedes ?? null,
			createdAt: now
		});
		await appendAuditInTx(
			tx,
			subject.audit(
				meta.kind === 'decline' ? 'decline' : 'submit',
				{ size: bytes.byteLength, epoch: meta.epoch, kind: meta.kind, images: meta.images.length, supersedes: meta.supersedes ?? null },
				company.orgId
			),
			now
		);
		return now;
	});
	return { id: meta.submissionId, itemIndex: 0, sha256, receivedAt: receivedAt.toISOString() };
}

export const submissionRouter = createTRPCRouter({
	/**
	 * Stores one sealed item of a submission: a document photo, or the record that completes it.
	 * Idempotent per (submission, item): an outbox may resend, and gets the same answer for the same
	 * bytes. The answer carries the SHA-256 of what was stored, so the outbox deletes its copy only
	 * when the server holds exactly those bytes.
	 */
	upload: employeeProcedure.input(octetInputParser).mutation(async ({ ctx, input }) => {
		const meta = parseMeta(ctx.req.headers[UPLOAD_META_HEADER]);
		const bytes = await readAll(input, ctx.services.config.uploadLimitBytes);
		const employee = ctx.employee;
		return storeItem(ctx, {
			employeeId: employee.id,
			companyId: employee.companyId,
			invitationId: employee.invitationId,
			enteredBy: null,
			checkDevice: async (device) => {
				if (!device || !employee.invitationId) return;
				// Sealed on a phone joined through another invitation: under this session it would fail the handler's device check.
				const [registered] = await ctx.db.select({ key: invitations.devicePublicKey }).from(invitations).where(eq(invitations.id, employee.invitationId));
				if (registered?.key && registered.key !== device) fail('CONFLICT', 'device_mismatch');
			},
			audit: (action, detail, orgId) => ({
				orgId,
				companyId: employee.companyId,
				actorType: 'employee',
				actorId: employee.id,
				action,
				targetType: 'submission',
				targetId: meta.submissionId,
				result: 'ok',
				ip: ctx.req.ip,
				userAgent: ctx.req.userAgent,
				detail
			})
		}, meta, bytes);
	}),

	/**
	 * A handler enters an employee's submission from mailed or handed-over copies (seed: 担当者が登録).
	 * Sealed in the handler's browser exactly like the employee's, but signed with the handler's own
	 * key, which the company root vouched for; stored like an upload and marked as entered by them.
	 */
	enterOnBehalf: handlerProcedure.input(octetInputParser).mutation(async ({ ctx, input }) => {
		const header = ctx.req.headers[UPLOAD_META_HEADER];
		const meta = parseMeta(header);
		const target = parseTarget(header);
		// A refusal (「提供しない」) is the employee's own word: a handler cannot file one for them.
		if (meta.kind === 'decline') fail('BAD_REQUEST', 'upload_meta_invalid');
		const bytes = await readAll(input, ctx.services.config.uploadLimitBytes);
		const [employee] = await ctx.db.select({ companyId: employees.companyId, disposedAt: employees.disposedAt }).from(employees).where(eq(employees.id, target.employeeId));
		if (!employee) fail('NOT_FOUND', 'not_found');
		await requireRole(ctx, employee.companyId);
		if (employee.disposedAt) fail('CONFLICT', 'employee_disposed');
		return storeItem(ctx, {
			employeeId: target.employeeId,
			companyId: employee.companyId,
			invitationId: null,
			enteredBy: ctx.user.id,
			checkDevice: async (device) => {
				// Signed by this handler's key, or the desk would report a forgery when opening it.
				const [own] = await ctx.db.select({ key: handlerKeys.signingPublicKey }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
				if (!own || own.key !== device) fail('CONFLICT', 'device_mismatch');
			},
			audit: (action, detail) =>
				handlerEvent(ctx, { companyId: employee.companyId, action: action === 'decline' ? 'decline' : 'enter_on_behalf', targetType: 'submission', targetId: meta.submissionId, detail: { ...detail, employeeId: target.employeeId } })
		}, meta, bytes);
	}),


	/** The signed-in employee's own submissions, newest first, with where each stands (issue 4 item 9). */
	mine: employeeProcedure.query(async ({ ctx }) => {
		const rows = await ctx.db
			.select({ id: submissions.id, kind: submissions.kind, status: submissions.status, statusReason: submissions.statusReason, statusAt: submissions.statusAt, imageHashes: submissions.imageHashes, supersedes: submissions.supersedes, createdAt: submissions.createdAt })
			.from(submissions)
			.where(eq(submissions.employeeId, ctx.employee.id))
			.orderBy(desc(submissions.createdAt));
		const [company] = await ctx.db.select({ purposes: companies.purposes }).from(companies).where(eq(companies.id, ctx.employee.companyId));
		return {
			purposes: (company?.purposes ?? []).filter(isPurpose),
			submissions: rows.map((r) => ({
				id: r.id,
				kind: r.kind,
				status: r.status,
				statusReason: r.statusReason,
				statusAt: r.statusAt?.toISOString() ?? null,
				images: r.imageHashes.length,
				supersedes: r.supersedes,
				createdAt: r.createdAt.toISOString()
			}))
		};
	}),

	/** A handler accepts a submission or returns it with a reason the employee will read. */
	setStatus: handlerProcedure
		.input(
			z.discriminatedUnion('status', [
				z.object({
					submissionId: uuid,
					status: z.literal('accepted'),
					/** What the handler confirmed (checklist ids of src/lib/review/checklist.ts), kept in the audit trail. */
					checks: z.array(z.string().regex(CHECK_ID, 'check_invalid')).max(64).optional(),
					/** How the OCR cross-check in the handler's browser compared with the typed number. */
					ocr: z.enum(['match', 'mismatch', 'unread', 'not_run']).optional()
				}),
				z.object({ submissionId: uuid, status: z.literal('returned'), reason: returnReason })
			])
		)
		.mutation(async ({ ctx, input }) => {
			const [meta] = await ctx.db
				.select({ companyId: submissions.companyId, employeeId: submissions.employeeId, status: submissions.status, imagesDeletedAt: submissions.imagesDeletedAt })
				.from(submissions)
				.where(eq(submissions.id, input.submissionId));
			if (!meta) fail('NOT_FOUND', 'not_found');
			await requireRole(ctx, meta.companyId);
			if (meta.status === 'superseded') fail('CONFLICT', 'submission_superseded');
			// Once photos are gone after acceptance, nobody could check a new decision against them.
			if (meta.imagesDeletedAt) fail('CONFLICT', 'decision_photos_minimised');
			const now = ctx.services.now();
			const statusReason = input.status === 'returned' ? input.reason : null;
			await ctx.db.transaction(async (tx) => {
				// Conditional: a correction committed meanwhile (superseded), or the retention sweep
				// deleting the photos meanwhile, must not be overwritten.
				const changed = await tx
					.update(submissions)
					.set({ status: input.status, statusReason, statusAt: now })
					.where(and(eq(submissions.id, input.submissionId), ne(submissions.status, 'superseded'), isNull(submissions.imagesDeletedAt)))
					.returning({ id: submissions.id });
				if (!changed.length) {
					const [current] = await tx.select({ imagesDeletedAt: submissions.imagesDeletedAt }).from(submissions).where(eq(submissions.id, input.submissionId));
					fail('CONFLICT', current?.imagesDeletedAt ? 'decision_photos_minimised' : 'submission_superseded');
				}
				await appendAuditInTx(
					tx,
					handlerEvent(ctx, {
						companyId: meta.companyId,
						action: input.status === 'accepted' ? 'accept' : 'return',
						targetType: 'submission',
						targetId: input.submissionId,
						reason: statusReason,
						detail: {
							employeeId: meta.employeeId,
							...(input.status === 'accepted' && input.checks ? { checks: [...new Set(input.checks)].join(',') } : {}),
							...(input.status === 'accepted' && input.ocr ? { ocr: input.ocr } : {})
						}
					}),
					now
				);
			});
			return { ok: true as const };
		}),

	/**
	 * One sealed document photo, for a handler who has given the reason again (it is recorded before
	 * the ciphertext leaves, like `reveal`). Only images of a complete submission are handed out.
	 * Photos deleted after acceptance (the company's retention, `server/sweep.ts`) answer `photos_minimised`.
	 */
	image: handlerProcedure.input(z.object({ submissionId: uuid, itemIndex: z.number().int().min(1).max(MAX_IMAGES), reason })).mutation(async ({ ctx, input }) => {
		const [meta] = await ctx.db
			.select({ companyId: submissions.companyId, employeeId: submissions.employeeId, imageHashes: submissions.imageHashes, imagesDeletedAt: submissions.imagesDeletedAt })
			.from(submissions)
			.where(eq(submissions.id, input.submissionId));
		if (!meta) fail('NOT_FOUND', 'not_found');
		await requireRole(ctx, meta.companyId);
		if (input.itemIndex > meta.imageHashes.length) fail('NOT_FOUND', 'not_found');
		// Nothing leaves, so nothing to record: the handler is told the photos are gone for good, not "not found".
		if (meta.imagesDeletedAt) fail('NOT_FOUND', 'photos_minimised');
		await appendAudit(
			ctx.db,
			handlerEvent(ctx, { companyId: meta.companyId, action: 'reveal_image', targetType: 'submission', targetId: input.submissionId, reason: input.reason, detail: { employeeId: meta.employeeId, itemIndex: input.itemIndex } }),
			ctx.services.now()
		);
		const [row] = await ctx.db
			.select({ ciphertext: submissionImages.ciphertext, sha256: submissionImages.sha256 })
			.from(submissionImages)
			.where(and(eq(submissionImages.submissionId, input.submissionId), eq(submissionImages.itemIndex, input.itemIndex)));
		if (!row) {
			// The sweep may have deleted it since the check above.
			const [latest] = await ctx.db.select({ imagesDeletedAt: submissions.imagesDeletedAt }).from(submissions).where(eq(submissions.id, input.submissionId));
			fail('NOT_FOUND', latest?.imagesDeletedAt ? 'photos_minimised' : 'not_found');
		}
		if (row.sha256 !== meta.imageHashes[input.itemIndex - 1]) fail('NOT_FOUND', 'not_found');
		return { ciphertext: toB64(row.ciphertext), sha256: row.sha256 };
	}),

	list: handlerProcedure.input(z.object({ companyId: uuid, employeeId: uuid })).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId);
		const rows = await ctx.db
			.select({ id: submissions.id, epoch: submissions.epoch, size: submissions.size, createdAt: submissions.createdAt, imagesDeletedAt: submissions.imagesDeletedAt })
			.from(submissions)
			.where(and(eq(submissions.companyId, input.companyId), eq(submissions.employeeId, input.employeeId)))
			.orderBy(desc(submissions.createdAt));
		return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), imagesDeletedAt: r.imagesDeletedAt?.toISOString() ?? null }));
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
				masked: isNotNull(submissions.sealedMask),
				kind: submissions.kind,
				status: submissions.status,
				statusReason: submissions.statusReason,
				statusAt: submissions.statusAt,
				imageHashes: submissions.imageHashes,
				imagesDeletedAt: submissions.imagesDeletedAt,
				sealedDeviceSecret: invitations.sealedDeviceSecret,
				devicePublicKey: invitations.devicePublicKey,
				deviceMac: invitations.deviceMac,
				enteredBy: submissions.enteredBy,
				enteredByLoginId: users.loginId,
				enteredByName: users.displayName
			})
			.from(submissions)
			.leftJoin(invitations, eq(invitations.id, submissions.invitationId))
			.leftJoin(users, eq(users.id, submissions.enteredBy))
			.where(eq(submissions.id, input.submissionId));
		if (!row) fail('NOT_FOUND', 'not_found');
		return {
			verified: row.verified,
			/** Whether lists already have this record's sealed last four digits. */
			masked: row.masked,
			kind: row.kind,
			status: row.status,
			statusReason: row.statusReason,
			/** How many photos the submission has; each is fetched with `submission.image`. */
			images: row.imageHashes.length,
			/** When the photos were deleted after acceptance (data minimisation); null while they are kept. */
			imagesDeletedAt: row.imagesDeletedAt?.toISOString() ?? null,
			/** Whole days from acceptance to that deletion, for the handler's note; null while kept. */
			imagesDeletedAfterDays: row.imagesDeletedAt && row.statusAt ? Math.max(0, Math.floor((row.imagesDeletedAt.getTime() - row.statusAt.getTime()) / 86_400_000)) : null,
			ciphertext: toB64(row.ciphertext),
			companyId: meta.companyId,
			employeeId: meta.employeeId,
			epoch: row.epoch,
			submissionId: input.submissionId,
			// Entered by a handler: the browser takes that handler's signing key from the company's
			// root-vouched member list, never from this answer.
			enteredBy: row.enteredBy ? { userId: row.enteredBy, loginId: row.enteredByLoginId ?? '', displayName: row.enteredByName ?? '' } : null,
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
	storeVerified: handlerProcedure.input(z.object({ submissionId: uuid, sealed: b64(16 * 1024), sealedMask: b64(1024).optional() })).mutation(async ({ ctx, input }) => {
		const sealed = toBytes(input.sealed);
		const sealedMask = input.sealedMask ? toBytes(input.sealedMask) : null;
		try {
			dataKeyEpochOf(sealed);
			if (sealedMask) dataKeyEpochOf(sealedMask);
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
			// The masked number for lists: set once, like the copy (records verified before masks existed get theirs at their next opening).
			if (sealedMask) {
				await tx
					.update(submissions)
					.set({ sealedMask })
					.where(and(eq(submissions.id, input.submissionId), isNull(submissions.sealedMask)));
			}
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
	exportVerified: handlerProcedure
		.input(
			z.object({
				companyId: uuid,
				reason,
				/**
				 * `current`: each person's current submission, if it is an accepted record (a CSV
				 * download); `all`: every verified record (the default, e.g. for a full backup).
				 */
				scope: z.enum(['all', 'current']).default('all'),
				/** Only these people (a download of a selection). */
				employeeIds: z.array(uuid).min(1).max(20_000).optional(),
				/** What the download will hold, for the record (never the values). */
				columns: z.array(z.enum(EXPORT_COLUMNS)).max(EXPORT_COLUMNS.length).optional(),
				format: plainText(50).optional()
			})
		)
		.mutation(async ({ ctx, input }) => {
			await requireRole(ctx, input.companyId);
			const later = alias(submissions, 'later');
			const rows = await ctx.db
				.select({ submissionId: submissions.id, employeeId: submissions.employeeId, epoch: submissions.epoch, sealed: submissions.verifiedRecord })
				.from(submissions)
				.where(
					and(
						eq(submissions.companyId, input.companyId),
						isNotNull(submissions.verifiedRecord),
						input.employeeIds ? inArray(submissions.employeeId, input.employeeIds) : undefined,
						// The current submission: accepted, and nothing newer (a refusal, say) that a correction has not replaced.
						input.scope === 'current'
							? and(
									eq(submissions.status, 'accepted'),
									notExists(
										ctx.db
											.select({ one: sql`1` })
											.from(later)
											.where(and(eq(later.employeeId, submissions.employeeId), ne(later.status, 'superseded'), gt(later.createdAt, submissions.createdAt)))
									)
								)
							: undefined
					)
				)
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
					detail: {
						records: rows.length,
						scope: input.scope,
						// Which people and which columns, never the values (issue 6 item 2).
						people: [...new Set(rows.map((r) => r.employeeId))].join(','),
						...(input.columns ? { columns: input.columns.join(',') } : {}),
						...(input.format ? { format: input.format } : {})
					}
				},
				ctx.services.now()
			);
			return rows.map((r) => ({ submissionId: r.submissionId, employeeId: r.employeeId, epoch: r.epoch, sealed: toB64(r.sealed!) }));
		})
});
