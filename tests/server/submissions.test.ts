/**
 * Submissions with document photos (issue 4 items 8–9) through the real API on each backend:
 * photos first, the record last naming their hashes; resends are answered with the same hash and
 * never duplicate; a record whose photos are missing or swapped completes nothing; a handler
 * returns a submission with a reason, the employee corrects it, and the old one is superseded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { MAX_IMAGES } from '../../server/api/routers/submission';
import { auditEvents, submissionImages, submissions } from '../../server/db/schema';
import { verifyAuditChain } from '../../server/audit';
import { sweepAbandonedPhotos } from '../../server/sweep';
import { eq } from 'drizzle-orm';
import { decodeRecord, fromBase64Url, toBase64Url, openEnvelope, openSubmissionImage, sealSubmission, verifyManifestChain, type SealedItem, type SigningKeyPair } from '../../src/lib/crypto/index';
import { failure, type TestClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, inviteEmployee, join, setUpHandler, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

const PHOTO_FRONT = new TextEncoder().encode('synthetic photo: card front');
const PHOTO_BACK = new TextEncoder().encode('synthetic photo: card back');

describe.each(backends)('submissions with photos on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let handler: HandlerSide;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		handler = await setUpHandler(app.url, app.services.setup.token!);
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	async function seal(employee: TestClient, device: SigningKeyPair, record: Record<string, unknown>, images: Uint8Array[], submissionId = crypto.randomUUID()) {
		const keys = await employee.trpc.employee.companyKeys.query();
		const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
		const items = await sealSubmission({ recipient: manifest.recipient, companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId, record, images, device });
		return { submissionId, epoch: manifest.epoch, items };
	}

	function upload(employee: TestClient, s: { submissionId: string; epoch: number; items: SealedItem[] }, item: SealedItem, extra: Record<string, unknown> = {}) {
		const meta =
			item.kind === 'image'
				? { kind: 'image', submissionId: s.submissionId, epoch: s.epoch, itemIndex: item.itemIndex }
				: { kind: 'record', submissionId: s.submissionId, epoch: s.epoch, images: s.items.filter((i) => i.kind === 'image').map((i) => i.sha256), ...extra };
		return employee.upload(meta, item.sealed);
	}

	async function rowsOf(submissionId: string) {
		const { eq } = await import('drizzle-orm');
		const subs = await app.handle.db.select({ id: submissions.id }).from(submissions).where(eq(submissions.id, submissionId));
		const images = await app.handle.db.select({ i: submissionImages.itemIndex }).from(submissionImages).where(eq(submissionImages.submissionId, submissionId));
		return { submissions: subs.length, images: images.length };
	}

	it('completes a submission only with the photos its record names, once, whatever is resent', async () => {
		const { employee, device } = await join(app.url, await addEmployee(handler, 'S-1'));
		const s = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_FRONT, PHOTO_BACK]);
		const [front, back, record] = s.items as [SealedItem, SealedItem, SealedItem];

		// The record cannot overtake its photos: nothing is complete, and the message names what is missing.
		const early = await failure(upload(employee, s, record));
		expect(early.data.appCode).toBe('submission_images_missing');
		expect(early.message).toContain('1, 2');
		expect(await rowsOf(s.submissionId)).toEqual({ submissions: 0, images: 0 });

		// Each answer carries the hash of exactly what was stored; a resend gets the same answer.
		expect((await upload(employee, s, front)).sha256).toBe(front.sha256);
		expect((await upload(employee, s, front)).sha256).toBe(front.sha256);
		expect((await failure(upload(employee, s, record))).message).toContain('2');
		expect((await upload(employee, s, back)).sha256).toBe(back.sha256);
		const done = await upload(employee, s, record);
		expect(done).toMatchObject({ id: s.submissionId, itemIndex: 0, sha256: record.sha256 });
		expect((await upload(employee, s, record)).receivedAt).toBe(done.receivedAt);
		expect((await upload(employee, s, back)).sha256).toBe(back.sha256);
		expect(await rowsOf(s.submissionId)).toEqual({ submissions: 1, images: 2 });

		// Other bytes under a used item index are refused, before and after completion.
		const other = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_BACK, PHOTO_FRONT], s.submissionId);
		expect((await failure(upload(employee, s, other.items[0]!))).data.appCode).toBe('submission_conflict');

		// The handler: reason first, then the record, then each photo checked against the record's header.
		const revealed = await handler.client.trpc.submission.reveal.mutate({ submissionId: s.submissionId, reason: '雇用保険届出事務' });
		const epoch = handler.company.epochs.find((e) => e.epoch === revealed.epoch)!;
		const context = { companyId: revealed.companyId, epoch: revealed.epoch, employeeId: revealed.employeeId, submissionId: s.submissionId };
		const opened = await openEnvelope({ identities: [epoch.identity], ciphertext: fromBase64Url(revealed.ciphertext), expected: { ...context, itemKind: 'record', itemIndex: 0 }, devicePublicKey: revealed.device!.publicKey });
		expect(decodeRecord(opened.payload)).toEqual({ myNumber: SYNTHETIC_NUMBER });
		expect(revealed.images).toBe(2);
		const photos = [];
		for (const itemIndex of [1, 2]) {
			const image = await handler.client.trpc.submission.image.mutate({ submissionId: s.submissionId, itemIndex, reason: '雇用保険届出事務' });
			photos.push(await openSubmissionImage({ identities: [epoch.identity], record: opened.header, itemIndex, ciphertext: fromBase64Url(image.ciphertext), devicePublicKey: revealed.device!.publicKey }));
		}
		expect(photos).toEqual([PHOTO_FRONT, PHOTO_BACK]);
		// A photo served under the wrong index does not open.
		const swapped = await handler.client.trpc.submission.image.mutate({ submissionId: s.submissionId, itemIndex: 2, reason: '雇用保険届出事務' });
		await expect(openSubmissionImage({ identities: [epoch.identity], record: opened.header, itemIndex: 1, ciphertext: fromBase64Url(swapped.ciphertext) })).rejects.toMatchObject({ code: 'context_mismatch' });
		expect((await failure(handler.client.trpc.submission.image.mutate({ submissionId: s.submissionId, itemIndex: 3, reason: '雇用保険届出事務' }))).data.appCode).toBe('not_found');
	});

	it("never completes with another employee's photos", async () => {
		const a = await join(app.url, await addEmployee(handler, 'S-2'));
		const b = await join(app.url, await addEmployee(handler, 'S-3'));
		const s = await seal(a.employee, a.device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_FRONT]);
		await upload(a.employee, s, s.items[0]!);
		// B names A's submission id and photo hash: the photo is not B's, so nothing completes.
		const stolen = await seal(b.employee, b.device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_FRONT], s.submissionId);
		const refused = await failure(b.employee.upload({ kind: 'record', submissionId: s.submissionId, epoch: s.epoch, images: [s.items[0]!.sha256] }, stolen.items[1]!.sealed));
		expect(refused.data.appCode).toBe('submission_images_missing');
		expect(await rowsOf(s.submissionId)).toEqual({ submissions: 0, images: 1 });
		await upload(a.employee, s, s.items[1]!);
		expect(await rowsOf(s.submissionId)).toEqual({ submissions: 1, images: 1 });
	});

	it("refuses items sealed on the phone of an earlier invitation, which the handler's device check would reject", async () => {
		const first = await addEmployee(handler, 'S-5');
		const old = await join(app.url, first);
		const oldKey = toBase64Url(old.device.publicKey);
		const sent = await seal(old.employee, old.device, { myNumber: SYNTHETIC_NUMBER }, []);
		const queued = await seal(old.employee, old.device, { myNumber: SYNTHETIC_NUMBER }, []);
		await old.employee.upload({ kind: 'record', submissionId: sent.submissionId, epoch: sent.epoch, device: oldKey }, sent.items[0]!.sealed);
		expect(await rowsOf(sent.submissionId)).toEqual({ submissions: 1, images: 0 });

		const renewed = await join(app.url, { ...(await inviteEmployee(handler, first.employeeId)) });
		// Sealed with the old phone's key: refused under the new letter's session, and the old session is gone.
		const refused = await failure(renewed.employee.upload({ kind: 'record', submissionId: queued.submissionId, epoch: queued.epoch, device: oldKey }, queued.items[0]!.sealed));
		expect(refused.data.appCode).toBe('device_mismatch');
		expect((await failure(old.employee.upload({ kind: 'record', submissionId: queued.submissionId, epoch: queued.epoch, device: oldKey }, queued.items[0]!.sealed))).data.appCode).toBe('not_signed_in');
		expect(await rowsOf(queued.submissionId)).toEqual({ submissions: 0, images: 0 });
		// Once stored, a resend (its first answer lost) gets its receipt under any session of the employee.
		const receipt = await renewed.employee.upload({ kind: 'record', submissionId: sent.submissionId, epoch: sent.epoch, device: oldKey }, sent.items[0]!.sealed);
		expect(receipt.sha256).toBe(sent.items[0]!.sha256);
	});

	it('stops taking photos whose submissions never complete, and deletes them once abandoned', async () => {
		const { employee, device } = await join(app.url, await addEmployee(handler, 'S-6'));
		const kept = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_BACK]);
		for (const item of kept.items) await upload(employee, kept, item);
		const s = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_FRONT]);
		const photo = s.items[0]!;
		// The same sealed bytes under 80 submission ids that never get a record.
		const abandoned: ReturnType<typeof crypto.randomUUID>[] = [];
		for (let i = 0; i < MAX_IMAGES * 2; i++) {
			abandoned.push(crypto.randomUUID());
			await employee.upload({ kind: 'image', submissionId: abandoned[i]!, epoch: s.epoch, itemIndex: 1 }, photo.sealed);
		}
		const refused = await failure(employee.upload({ kind: 'image', submissionId: crypto.randomUUID(), epoch: s.epoch, itemIndex: 1 }, photo.sealed));
		expect(refused.data.appCode).toBe('too_many_pending_photos');

		// Not yet abandoned after 29 days; after 30 they are deleted, a complete submission's photos never.
		const day = 24 * 60 * 60 * 1000;
		expect((await sweepAbandonedPhotos(app.handle.db, new Date(Date.now() + 29 * day), 30)).size).toBe(0);
		const swept = await sweepAbandonedPhotos(app.handle.db, new Date(Date.now() + 31 * day), 30);
		expect(swept.get(handler.company.companyId)).toBeGreaterThanOrEqual(MAX_IMAGES * 2);
		expect(await rowsOf(abandoned[0]!)).toEqual({ submissions: 0, images: 0 });
		expect(await rowsOf(kept.submissionId)).toEqual({ submissions: 1, images: 1 });
		const [audit] = await app.handle.db.select().from(auditEvents).where(eq(auditEvents.action, 'photos_swept'));
		expect(audit).toMatchObject({ actorType: 'system', companyId: handler.company.companyId, result: 'ok' });
		expect(await verifyAuditChain(app.handle.db)).toMatchObject({ ok: true });

		// The phone may take photos again; a record that turns up late for a swept photo completes nothing.
		await employee.upload({ kind: 'image', submissionId: crypto.randomUUID(), epoch: s.epoch, itemIndex: 1 }, photo.sealed);
		const late = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_FRONT], abandoned[1]!);
		expect((await failure(upload(employee, late, late.items[1]!))).data.appCode).toBe('submission_images_missing');
		expect(await rowsOf(abandoned[1]!)).toEqual({ submissions: 0, images: 0 });
	});

	// PGlite has one connection: a second transaction cannot run beside the first, so the race exists on PostgreSQL only.
	it.skipIf(backend === 'pglite')('never deletes the photos a record is completing at that moment', async () => {
		const { employee, device } = await join(app.url, await addEmployee(handler, 'S-7'));
		const s = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_FRONT]);
		await upload(employee, s, s.items[0]!);
		const later = new Date(Date.now() + 31 * 24 * 60 * 60 * 1000);
		let swept: Map<string, number> | null = null;
		// The record's transaction holds the photo (as submission.upload does) while the sweep runs beside it.
		await app.handle.db.transaction(async (tx) => {
			await tx.select().from(submissionImages).where(eq(submissionImages.submissionId, s.submissionId)).for('update');
			swept = await sweepAbandonedPhotos(app.handle.db, later, 30);
		});
		expect(await rowsOf(s.submissionId)).toEqual({ submissions: 0, images: 1 });
		expect(swept).not.toBeNull();
		// Unlocked, it is abandoned like any other.
		await sweepAbandonedPhotos(app.handle.db, later, 30);
		expect(await rowsOf(s.submissionId)).toEqual({ submissions: 0, images: 0 });
	});

	it('returns with a reason, takes a correction that supersedes, and records a refusal', async () => {
		const { employee, device } = await join(app.url, await addEmployee(handler, 'S-4'));
		const rosterStatus = async () => (await handler.client.trpc.employee.list.query({ companyId: handler.company.companyId })).find((e) => e.code === 'S-4')!.status;
		const first = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_FRONT]);
		for (const item of first.items) await upload(employee, first, item);
		expect((await employee.trpc.submission.mine.query()).submissions).toMatchObject([{ id: first.submissionId, status: 'submitted', images: 1 }]);

		// The 責任者 notifies another set of purposes: employees see it; an unknown or empty set is refused.
		const companyId = handler.company.companyId;
		await handler.client.trpc.company.setPurposes.mutate({ companyId, purposes: ['national_pension_3', 'withholding'] });
		expect((await employee.trpc.submission.mine.query()).purposes).toEqual(['withholding', 'national_pension_3']);
		expect((await handler.client.trpc.company.get.query({ companyId })).purposes).toEqual(['withholding', 'national_pension_3']);
		expect((await failure(handler.client.trpc.company.setPurposes.mutate({ companyId, purposes: [] }))).data.appCode).toBe('invalid_input');
		expect((await failure(handler.client.trpc.company.setPurposes.mutate({ companyId, purposes: ['marketing' as 'withholding'] }))).data.appCode).toBe('invalid_input');
		await handler.client.trpc.company.setPurposes.mutate({ companyId, purposes: ['withholding', 'employment_insurance', 'social_insurance'] });

		await handler.client.trpc.submission.setStatus.mutate({ submissionId: first.submissionId, status: 'returned', reason: '写真が不鮮明です。撮り直してください。' });
		expect(await rosterStatus()).toBe('returned');
		const mine = await employee.trpc.submission.mine.query();
		expect(mine.purposes).toEqual(['withholding', 'employment_insurance', 'social_insurance']);
		expect(mine.submissions[0]).toMatchObject({ status: 'returned', statusReason: '写真が不鮮明です。撮り直してください。' });
		const numberInReason = await failure(handler.client.trpc.submission.setStatus.mutate({ submissionId: first.submissionId, status: 'returned', reason: `番号 ${SYNTHETIC_NUMBER} が違います` }));
		expect(numberInReason.data.fieldErrors).toEqual({ reason: ['差し戻しの理由にマイナンバーのような数字を含めないでください。'] });

		const second = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, [PHOTO_BACK]);
		for (const item of second.items) await upload(employee, second, item, { supersedes: first.submissionId });
		expect((await employee.trpc.submission.mine.query()).submissions.map((s) => [s.id, s.status, s.supersedes])).toEqual([
			[second.submissionId, 'submitted', first.submissionId],
			[first.submissionId, 'superseded', null]
		]);
		// A superseded one can be neither corrected again nor decided on.
		const third = await seal(employee, device, { myNumber: SYNTHETIC_NUMBER }, []);
		expect((await failure(upload(employee, third, third.items[0]!, { supersedes: first.submissionId }))).data.appCode).toBe('submission_not_replaceable');
		expect((await failure(handler.client.trpc.submission.setStatus.mutate({ submissionId: first.submissionId, status: 'accepted' }))).data.appCode).toBe('submission_superseded');
		expect(await rosterStatus()).toBe('submitted');
		const progress = async () => (await handler.client.trpc.company.list.query()).find((c) => c.id === companyId)!.progress;
		const before = await progress();
		// Acceptance records what the handler confirmed; a check id that is not one is refused.
		const badCheck = await failure(handler.client.trpc.submission.setStatus.mutate({ submissionId: second.submissionId, status: 'accepted', checks: ['番号'] }));
		expect(badCheck.data.appCode).toBe('invalid_input');
		await handler.client.trpc.submission.setStatus.mutate({ submissionId: second.submissionId, status: 'accepted', checks: ['number_matches', 'card_back', 'card_front', 'card_front'], ocr: 'match' });
		expect(await rosterStatus()).toBe('accepted');
		const [accepted] = await app.handle.db.select({ detail: auditEvents.detail }).from(auditEvents).where(eq(auditEvents.action, 'accept'));
		expect(accepted?.detail).toMatchObject({ checks: 'number_matches,card_back,card_front', ocr: 'match' });
		// The dashboard's counts follow (other tests' employees share this company).
		expect(await progress()).toEqual({ ...before, waiting: before.waiting - 1, accepted: before.accepted + 1 });

		// 「提供しない」: a sealed record like any other, marked for the company's refusal log.
		const declined = await seal(employee, device, { decline: true, reason: '番号がまだ届いていません' }, []);
		await employee.upload({ kind: 'decline', submissionId: declined.submissionId, epoch: declined.epoch }, declined.items[0]!.sealed);
		expect((await employee.trpc.submission.mine.query()).submissions[0]).toMatchObject({ id: declined.submissionId, kind: 'decline', status: 'submitted' });
		expect(await rosterStatus()).toBe('declined');
		// The dashboard counts the current submission only (the accepted one was replaced by the refusal).
		expect(await progress()).toEqual({ ...before, waiting: before.waiting - 1, declined: before.declined + 1 });
		const history = await handler.client.trpc.audit.list.query({ companyId: handler.company.companyId });
		const actions = (history as { items?: { action: string }[] }).items ?? (history as { action: string }[]);
		expect(actions.map((e) => e.action)).toEqual(expect.arrayContaining(['submit', 'return', 'accept', 'decline']));
	});
});
