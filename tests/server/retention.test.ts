/**
 * Photo retention after acceptance (issue 5 item 6, data minimisation) through the real API on each
 * backend: only the 責任者 sets it, with days from 1 to 3650 or none; the sweep deletes the photos of
 * accepted submissions once that many days have passed since acceptance and never before, keeps
 * those of submitted and returned ones and of companies without the setting, audits counts and ids
 * only, and leaves the record readable. The handler is told the photos are gone; the employee's
 * phone still gets its receipts for a resend.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents, submissionImages, submissions } from '../../server/db/schema';
import { minimiseAcceptedPhotos, sweepOnce } from '../../server/sweep';
import { prepareGrant, sealSubmission, verifyManifestChain, type SealedItem, type SigningKeyPair } from '../../src/lib/crypto/index';
import { failure, type TestClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, candidateOf, createCompany, join, setUpHandler, SYNTHETIC_NUMBER, type HandlerSide, type OtherHandler } from '../support/journey';

const PHOTO_FRONT = new TextEncoder().encode('synthetic photo: card front');
const PHOTO_BACK = new TextEncoder().encode('synthetic photo: card back');
const DAY = 24 * 60 * 60 * 1000;
const REASON = '雇用保険届出事務';

describe.each(backends)('photo retention after acceptance on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;
	/** A second company of the same office, which never sets a retention. */
	let keeper: HandlerSide;
	let staff: OtherHandler;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		handler = await setUpHandler(app.url, app.services.setup.token!);
		keeper = { ...handler, company: await createCompany(handler.client, handler.keys, '株式会社保管', null) };
		staff = await addHandler(app.url, handler.client, 'tanto-retention');
		const companyId = handler.company.companyId;
		await handler.client.trpc.company.grant.mutate(
			await prepareGrant({ companyId, root: handler.company.root, epochs: handler.company.epochs, granter: handler.keys, candidate: candidateOf(staff), role: 'staff' })
		);
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	/** Seals a record with photos as the employee's browser does and uploads photos first, the record last. */
	async function submit(employee: TestClient, device: SigningKeyPair, images: Uint8Array[]) {
		const keys = await employee.trpc.employee.companyKeys.query();
		const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
		const submissionId = crypto.randomUUID();
		const items = await sealSubmission({ recipient: manifest.recipient, companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId, record: { myNumber: SYNTHETIC_NUMBER }, images, device });
		const s = { submissionId, epoch: manifest.epoch, items };
		for (const item of items) await send(employee, s, item);
		return s;
	}

	function send(employee: TestClient, s: { submissionId: string; epoch: number; items: SealedItem[] }, item: SealedItem) {
		const meta =
			item.kind === 'image'
				? { kind: 'image', submissionId: s.submissionId, epoch: s.epoch, itemIndex: item.itemIndex }
				: { kind: 'record', submissionId: s.submissionId, epoch: s.epoch, images: s.items.filter((i) => i.kind === 'image').map((i) => i.sha256) };
		return employee.upload(meta, item.sealed);
	}

	/** A joined employee of the given company with one submission carrying the given photos. */
	async function employeeWith(side: HandlerSide, code: string, images: Uint8Array[]) {
		const { employee, device } = await join(app.url, await addEmployee(side, code));
		return { employee, ...(await submit(employee, device, images)) };
	}

	async function photosOf(submissionId: string) {
		return (await app.handle.db.select({ i: submissionImages.itemIndex }).from(submissionImages).where(eq(submissionImages.submissionId, submissionId))).length;
	}

	async function rowOf(submissionId: string) {
		const [row] = await app.handle.db.select({ statusAt: submissions.statusAt, imagesDeletedAt: submissions.imagesDeletedAt }).from(submissions).where(eq(submissions.id, submissionId));
		return row!;
	}

	const minimisedEvents = () => app.handle.db.select().from(auditEvents).where(eq(auditEvents.action, 'photos_minimised'));

	it('lets only the 責任者 set the retention, with whole days from 1 to 3650 or none', async () => {
		const companyId = handler.company.companyId;
		expect((await handler.client.trpc.company.get.query({ companyId })).imageRetentionDays).toBeNull();

		// The 担当者 sees the setting (and their role) but cannot change it.
		const refused = await failure(staff.client.trpc.company.setImageRetention.mutate({ companyId, days: 30 }));
		expect(refused.data).toMatchObject({ httpStatus: 403, appCode: 'forbidden' });
		expect(await staff.client.trpc.company.get.query({ companyId })).toMatchObject({ role: 'staff', imageRetentionDays: null });

		for (const days of [0, 3651, 1.5, -1, 'x', undefined]) {
			const invalid = await failure(handler.client.trpc.company.setImageRetention.mutate({ companyId, days: days as number }));
			expect(invalid.data, String(days)).toMatchObject({ httpStatus: 400, appCode: 'invalid_input', fieldErrors: { days: ['保存日数は 1〜3650 の整数で入力してください。'] } });
		}
		expect((await handler.client.trpc.company.get.query({ companyId })).imageRetentionDays).toBeNull();

		expect(await handler.client.trpc.company.setImageRetention.mutate({ companyId, days: 3650 })).toEqual({ imageRetentionDays: 3650 });
		expect(await handler.client.trpc.company.setImageRetention.mutate({ companyId, days: null })).toEqual({ imageRetentionDays: null });
		expect(await handler.client.trpc.company.setImageRetention.mutate({ companyId, days: 30 })).toEqual({ imageRetentionDays: 30 });
		expect(await staff.client.trpc.company.get.query({ companyId })).toMatchObject({ role: 'staff', imageRetentionDays: 30 });
		const events = await app.handle.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'image_retention_update'), eq(auditEvents.companyId, companyId)));
		expect(events.map((e) => e.detail)).toEqual([{ days: 3650 }, { days: null }, { days: 30 }]);
		expect(events[0]).toMatchObject({ actorType: 'handler', actorLabel: 'admin', targetType: 'company', targetId: companyId, result: 'ok' });
	});

	it('deletes the photos of accepted submissions 30 days after acceptance, and only those', async () => {
		const companyId = handler.company.companyId;
		await handler.client.trpc.company.setImageRetention.mutate({ companyId, days: 30 });
		const accepted = await employeeWith(handler, 'R-1', [PHOTO_FRONT, PHOTO_BACK]);
		const acceptedToo = await employeeWith(handler, 'R-2', [PHOTO_BACK]);
		const submitted = await employeeWith(handler, 'R-3', [PHOTO_FRONT]);
		const returned = await employeeWith(handler, 'R-4', [PHOTO_FRONT]);
		const photoless = await employeeWith(handler, 'R-5', []);
		const elsewhere = await employeeWith(keeper, 'K-1', [PHOTO_FRONT]);
		for (const s of [accepted, acceptedToo, photoless, elsewhere]) await handler.client.trpc.submission.setStatus.mutate({ submissionId: s.submissionId, status: 'accepted' });
		await handler.client.trpc.submission.setStatus.mutate({ submissionId: returned.submissionId, status: 'returned', reason: '写真が不鮮明です。' });
		const acceptedAt = [(await rowOf(accepted.submissionId)).statusAt!, (await rowOf(acceptedToo.submissionId)).statusAt!];
		const first = Math.min(...acceptedAt.map((d) => d.getTime()));
		const last = Math.max(...acceptedAt.map((d) => d.getTime()));

		// A second before 30 days have passed: nothing is deleted (one sweep tick, as the server runs it).
		expect(await sweepOnce(app.handle.db, new Date(first + 30 * DAY - 1000), 30)).toEqual({ abandoned: 0, minimised: 0, failed: [] });
		expect(await photosOf(accepted.submissionId)).toBe(2);
		expect(await minimisedEvents()).toEqual([]);

		// Just after: both accepted submissions lose their photos, in batches of one here to cover batching.
		const later = new Date(last + 30 * DAY + 1000);
		const swept = await minimiseAcceptedPhotos(app.handle.db, later, 1);
		expect([...swept]).toEqual([[companyId, 3]]);
		expect(await photosOf(accepted.submissionId)).toBe(0);
		expect(await photosOf(acceptedToo.submissionId)).toBe(0);
		expect((await rowOf(accepted.submissionId)).imagesDeletedAt).toEqual(later);
		// Still being worked on, nothing to delete, or a company that keeps its photos: untouched.
		for (const s of [submitted, returned, elsewhere]) expect(await photosOf(s.submissionId)).toBe(1);
		for (const s of [submitted, returned, photoless, elsewhere]) expect((await rowOf(s.submissionId)).imagesDeletedAt).toBeNull();

		// One system row per company and batch: counts and ids, nothing else; the chain still verifies.
		const events = await minimisedEvents();
		expect(events).toHaveLength(2);
		for (const e of events) expect(e).toMatchObject({ actorType: 'system', actorId: null, companyId, result: 'ok', reason: null });
		expect(events.map((e) => e.detail)).toEqual(
			expect.arrayContaining([
				{ count: 2, submissions: 1, submissionIds: accepted.submissionId, afterDays: 30 },
				{ count: 1, submissions: 1, submissionIds: acceptedToo.submissionId, afterDays: 30 }
			])
		);
		expect(await verifyAuditChain(app.handle.db)).toMatchObject({ ok: true });

		// Nothing more to do on the next tick, however much later.
		expect(await sweepOnce(app.handle.db, new Date(later.getTime() + 400 * DAY), 30)).toEqual({ abandoned: 0, minimised: 0, failed: [] });
		expect(await minimisedEvents()).toHaveLength(2);

		// The handler still reads the record and is told when the photos went; a photo answers photos_minimised.
		const revealed = await handler.client.trpc.submission.reveal.mutate({ submissionId: accepted.submissionId, reason: REASON });
		expect(revealed).toMatchObject({ images: 2, status: 'accepted', imagesDeletedAt: later.toISOString(), imagesDeletedAfterDays: 30 });
		const gone = await failure(handler.client.trpc.submission.image.mutate({ submissionId: accepted.submissionId, itemIndex: 1, reason: REASON }));
		expect(gone.data).toMatchObject({ httpStatus: 404, appCode: 'photos_minimised' });
		expect(gone.message).toContain('データ最小化');
		// Nobody can check a new decision against photos that are gone: it stays accepted.
		const undecidable = await failure(handler.client.trpc.submission.setStatus.mutate({ submissionId: accepted.submissionId, status: 'returned', reason: '写真を確認したい' }));
		expect(undecidable.data).toMatchObject({ httpStatus: 409, appCode: 'decision_photos_minimised' });
		expect((await failure(handler.client.trpc.submission.setStatus.mutate({ submissionId: accepted.submissionId, status: 'accepted' }))).data.appCode).toBe('decision_photos_minimised');
		const kept = await handler.client.trpc.submission.reveal.mutate({ submissionId: submitted.submissionId, reason: REASON });
		expect(kept).toMatchObject({ imagesDeletedAt: null, imagesDeletedAfterDays: null });
		expect((await handler.client.trpc.submission.image.mutate({ submissionId: submitted.submissionId, itemIndex: 1, reason: REASON })).sha256).toBe(submitted.items[0]!.sha256);
		const listed = await handler.client.trpc.submission.list.query({ companyId, employeeId: (await app.handle.db.select({ e: submissions.employeeId }).from(submissions).where(eq(submissions.id, accepted.submissionId)))[0]!.e });
		expect(listed).toMatchObject([{ id: accepted.submissionId, imagesDeletedAt: later.toISOString() }]);

		// The employee's side: the status reads as before, and a phone resending what it already sent
		// (its receipt lost) gets the same receipts, never "photos missing" that would make it give up.
		expect((await accepted.employee.trpc.submission.mine.query()).submissions).toMatchObject([{ id: accepted.submissionId, status: 'accepted', images: 2 }]);
		for (const item of accepted.items) expect((await send(accepted.employee, accepted, item)).sha256).toBe(item.sha256);
		expect(await photosOf(accepted.submissionId)).toBe(0);
	});

	// PGlite has one connection: a second transaction cannot run beside the first, so the race exists on PostgreSQL only.
	it.skipIf(backend === 'pglite')('skips a submission whose row another transaction holds, and takes it on the next tick', async () => {
		const s = await employeeWith(handler, 'R-6', [PHOTO_FRONT]);
		await handler.client.trpc.submission.setStatus.mutate({ submissionId: s.submissionId, status: 'accepted' });
		const later = new Date((await rowOf(s.submissionId)).statusAt!.getTime() + 31 * DAY);
		let swept: Map<string, number> | null = null;
		// As a handler's setStatus does while it changes the submission.
		await app.handle.db.transaction(async (tx) => {
			await tx.select().from(submissions).where(inArray(submissions.id, [s.submissionId])).for('update');
			swept = await minimiseAcceptedPhotos(app.handle.db, later);
		});
		expect(swept).toEqual(new Map());
		expect(await photosOf(s.submissionId)).toBe(1);
		expect([...(await minimiseAcceptedPhotos(app.handle.db, later))]).toEqual([[handler.company.companyId, 1]]);
		expect(await photosOf(s.submissionId)).toBe(0);
	});
});
