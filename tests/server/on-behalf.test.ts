/**
 * Entry on behalf (issue 5 item 8, seed: 担当者が登録): a handler seals an employee's record and
 * scanned copies in their browser, signed with their own key, and the server stores it like the
 * employee's own submission, marked as entered by that handler, on both backends.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { verifyAuditChain } from '../../server/audit';
import { auditEvents, submissions } from '../../server/db/schema';
import { decodeRecord, generateSigningKeyPair, openEnvelope, sealSubmission, toBase64Url, type SigningKeyPair } from '../../src/lib/crypto/index';
import { failure } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler, setUpHandler, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

describe.each(backends)('entry on behalf on %s', (backend) => {
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

	/** Seals as the desk does (newest epoch, signed by `signer`) and uploads photos first, the record last. */
	async function enter(employeeId: string, signer: SigningKeyPair | undefined, images: Uint8Array[] = [], as = handler) {
		const epoch = as.company.epochs[as.company.epochs.length - 1]!;
		const submissionId = crypto.randomUUID();
		const record = { v: 2, myNumber: SYNTHETIC_NUMBER, name: '代理　入力', entry: { channel: 'mail' } };
		const items = await sealSubmission({ recipient: epoch.recipient, companyId: as.company.companyId, epoch: epoch.epoch, employeeId, submissionId, record, images, device: signer });
		const device = signer ? toBase64Url(signer.publicKey) : undefined;
		const hashes = items.filter((i) => i.kind === 'image').map((i) => i.sha256);
		for (const item of items) {
			const meta =
				item.kind === 'image'
					? { kind: 'image', submissionId, epoch: epoch.epoch, itemIndex: item.itemIndex, employeeId, device }
					: { kind: 'record', submissionId, epoch: epoch.epoch, images: hashes, employeeId, device };
			const receipt = await as.client.trpc.submission.enterOnBehalf.mutate(item.sealed, { context: { uploadMeta: meta } });
			expect(receipt.sha256).toBe(item.sha256);
		}
		return submissionId;
	}

	it('stores a record and its copies signed by the handler, marked as theirs, and the desk can verify and open it', async () => {
		const { employeeId } = await addEmployee(handler, 'PAPER-1');
		const photo = new TextEncoder().encode('synthetic scanned copy');
		const submissionId = await enter(employeeId, handler.keys.signing, [photo]);

		const roster = await handler.client.trpc.employee.list.query({ companyId: handler.company.companyId });
		expect(roster.find((e) => e.id === employeeId)).toMatchObject({ status: 'submitted', latestSubmission: { id: submissionId } });

		const sealed = await handler.client.trpc.submission.reveal.mutate({ submissionId, reason: '郵送された書類の確認' });
		expect(sealed.device).toBeNull();
		expect(sealed.enteredBy).toMatchObject({ loginId: 'admin', displayName: '管理者' });
		const epoch = handler.company.epochs.find((e) => e.epoch === sealed.epoch)!;
		const { payload } = await openEnvelope({
			identities: [epoch.identity],
			ciphertext: Buffer.from(sealed.ciphertext, 'base64url'),
			expected: { companyId: handler.company.companyId, epoch: sealed.epoch, employeeId, submissionId, itemKind: 'record', itemIndex: 0 },
			devicePublicKey: toBase64Url(handler.keys.signing.publicKey)
		});
		expect(await decodeRecord(payload)).toMatchObject({ myNumber: SYNTHETIC_NUMBER, entry: { channel: 'mail' } });
		// Bound to the handler's key: checked against any other key it fails (which key the desk
		// expects, from the root-vouched member statements, is tested in src/lib/managers/signer.test.ts).
		await expect(
			openEnvelope({
				identities: [epoch.identity],
				ciphertext: Buffer.from(sealed.ciphertext, 'base64url'),
				expected: { companyId: handler.company.companyId, epoch: sealed.epoch, employeeId, submissionId, itemKind: 'record', itemIndex: 0 },
				devicePublicKey: toBase64Url(generateSigningKeyPair().publicKey)
			})
		).rejects.toMatchObject({ code: 'bad_signature' });
		expect(sealed.images).toBe(1);

		const [row] = await app.handle.db.select({ enteredBy: submissions.enteredBy, invitationId: submissions.invitationId }).from(submissions).where(eq(submissions.id, submissionId));
		expect(row).toEqual({ enteredBy: expect.any(String), invitationId: null });
		const events = await app.handle.db.select({ action: auditEvents.action, actorLabel: auditEvents.actorLabel }).from(auditEvents).where(eq(auditEvents.targetId, submissionId));
		expect(events).toContainEqual({ action: 'enter_on_behalf', actorLabel: 'admin' });
		expect((await verifyAuditChain(app.handle.db)).ok).toBe(true);
	});

	it('refuses items not signed with the handler’s own key, a missing employee, and a handler without a role in the company', async () => {
		const { employeeId } = await addEmployee(handler, 'PAPER-2');
		expect((await failure(enter(employeeId, generateSigningKeyPair()))).data.appCode).toBe('device_mismatch');
		expect((await failure(enter(employeeId, undefined))).data.appCode).toBe('device_mismatch');
		// The target employee travels in the metadata header; without it nothing is read.
		const noTarget = await failure(handler.client.trpc.submission.enterOnBehalf.mutate(new Uint8Array(8), { context: { uploadMeta: { kind: 'record', submissionId: crypto.randomUUID(), epoch: 1, images: [] } } }));
		expect(noTarget.data.appCode).toBe('upload_meta_invalid');
		// A refusal is the employee's own word: a handler cannot file one for them.
		const decline = await failure(handler.client.trpc.submission.enterOnBehalf.mutate(new Uint8Array(8), { context: { uploadMeta: { kind: 'decline', submissionId: crypto.randomUUID(), epoch: 1, images: [], employeeId } } }));
		expect(decline.data.appCode).toBe('upload_meta_invalid');
		expect((await failure(enter(crypto.randomUUID(), handler.keys.signing))).data.appCode).toBe('not_found');

		// A handler of the office without a role in this company, with their own valid signing key.
		const outsider = await addHandler(app.url, handler.client, 'no-role');
		expect((await failure(enter(employeeId, outsider.keys.signing, [], { ...handler, client: outsider.client }))).data.httpStatus).toBe(403);
		const listed = await app.handle.db.select({ id: submissions.id }).from(submissions).where(eq(submissions.employeeId, employeeId));
		expect(listed).toEqual([]);
	});
});
