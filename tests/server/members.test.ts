/**
 * Several handlers (issue 3 items 3–4) through the real API on each backend: a 責任者 grants a
 * company's keys to a second handler of the office, who pins the root and reads; removing that
 * handler starts a new epoch that only the remaining members can open; old submissions stay
 * readable by them. Every server-side check refuses a malformed or forged request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import {
	generateHandlerKeys,
	handlerPublicInfo,
	openEpochGrant,
	prepareGrant,
	prepareRevocation,
	signCompanyPin,
	signMemberStatement,
	toBase64Url,
	fromBase64Url,
	verifyManifestChain,
	type HandlerKeys
} from '../../src/lib/crypto/index';
import { failure, testClient, type TestClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, addHandler as addHandlerTo, candidateOf, inviteEmployee, joinAndSubmit, revealNumber, setUpHandler, submitNumber, SYNTHETIC_NUMBER, type HandlerSide } from '../support/journey';

describe.each(backends)('several handlers on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let owner: HandlerSide;
	let second: { client: TestClient; keys: HandlerKeys; userId: string };
	let ownerId: string;

	const addHandler = (loginId: string) => addHandlerTo(app.url, owner.client, loginId);
	const candidate = candidateOf;

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		owner = await setUpHandler(app.url, app.services.setup.token!);
		second = await addHandler('tanto-2');
		ownerId = ((await owner.client.trpc.auth.me.query()) as { user: { id: string } }).user.id;
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	it('grants, pins, revokes with a new epoch, and keeps old submissions readable by those who remain', async () => {
		const companyId = owner.company.companyId;
		const { submissionId: before, employee, device } = await joinAndSubmit(app.url, await addEmployee(owner, 'M-1'));

		const candidates = await owner.client.trpc.company.candidates.query({ companyId });
		expect(candidates.map((c) => c.userId)).toEqual([second.userId]);
		expect(candidates[0]!.fingerprint).toBe(handlerPublicInfo(second.keys).fingerprint);
		await owner.client.trpc.company.grant.mutate(
			await prepareGrant({ companyId, root: owner.company.root, epochs: owner.company.epochs, granter: owner.keys, candidate: candidate(second), role: 'staff' })
		);

		// The second handler sees the company, pins its root after comparing, and opens the epoch-1 grant.
		expect((await second.client.trpc.company.list.query()).map((c) => [c.id, c.role])).toEqual([[companyId, 'staff']]);
		let detail = await second.client.trpc.company.get.query({ companyId });
		expect(detail.pinSignature).toBeNull();
		await second.client.trpc.company.pin.mutate({ companyId, pinSignature: signCompanyPin(second.keys.signing, companyId, detail.rootPublicKey) });
		detail = await second.client.trpc.company.get.query({ companyId });
		expect(detail.pinSignature).not.toBeNull();
		expect(detail.members.map((m) => [m.loginId, m.role, m.active])).toEqual([
			['admin', 'responsible', true],
			['tanto-2', 'staff', true]
		]);
		const grant = detail.grants.find((g) => g.kind === 'epoch')!;
		const epoch1 = await openEpochGrant({ companyId, epoch: 1, ciphertext: fromBase64Url(grant.ciphertext), signature: grant.signature, granterPublicKey: grant.granterSigningPublicKey, handler: second.keys });
		expect(epoch1.identity).toBe(owner.company.epochs[0]!.identity);
		expect(await revealNumber({ ...owner, client: second.client }, before)).toBe(SYNTHETIC_NUMBER);

		// An invitation the second handler issues (they saw its link, password and device secret)...
		const pending = await inviteEmployee({ ...owner, client: second.client }, (await owner.client.trpc.employee.list.query({ companyId })).find((e) => e.code === 'M-1')!.id);
		expect((await testClient(app.url).trpc.join.peek.mutate({ token: pending.token })).state).toBe('pending');

		// Remove the second handler: epoch 2, sealed only to the owner.
		const { epoch, payload } = await prepareRevocation({
			companyId,
			root: owner.company.root,
			current: detail.manifests.at(-1)!,
			currentEpoch: 1,
			granter: owner.keys,
			remaining: [{ userId: ownerId, recipient: owner.keys.recipient }],
			removedUserId: second.userId
		});
		expect(await owner.client.trpc.company.revoke.mutate(payload)).toEqual({ epoch: 2 });
		owner.company.epochs.push(epoch);

		// New submissions go to epoch 2; the owner reads old and new; the removed handler reads neither.
		const keys = await employee.trpc.employee.companyKeys.query();
		expect(verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId }).epoch).toBe(2);
		const after = await submitNumber(employee, SYNTHETIC_NUMBER, device);
		expect(await revealNumber(owner, before)).toBe(SYNTHETIC_NUMBER);
		expect(await revealNumber(owner, after)).toBe(SYNTHETIC_NUMBER);
		expect((await failure(second.client.trpc.submission.reveal.mutate({ submissionId: after, reason: '確認のため' }))).data.httpStatus).toBe(403);
		expect(await second.client.trpc.company.list.query()).toEqual([]);
		expect((await failure(second.client.trpc.company.get.query({ companyId }))).data.httpStatus).toBe(403);
		const ownerView = await owner.client.trpc.company.get.query({ companyId });
		expect(ownerView.currentEpoch).toBe(2);
		expect(ownerView.members.find((m) => m.userId === second.userId)?.active).toBe(false);
		// ...stops working with the removal.
		expect((await testClient(app.url).trpc.join.peek.mutate({ token: pending.token })).state).toBe('expired');
		// The recovery kit confirmed for epoch 1 is now outdated: no invitation until the updated kit is stored.
		expect(ownerView.recoveryKit?.epoch).toBe(1);
		const m1 = (await owner.client.trpc.employee.list.query({ companyId })).find((e) => e.code === 'M-1')!.id;
		expect((await failure(inviteEmployee(owner, m1))).data.appCode).toBe('recovery_kit_required');
		await owner.client.trpc.company.confirmRecoveryKit.mutate({ companyId, epoch: 2 });
		expect((await inviteEmployee(owner, m1)).token).toBeTruthy();
	});

	it('refuses forged, incomplete and unauthorised grants and revocations', async () => {
		const third = await addHandler('tanto-3');
		const companyId = owner.company.companyId;
		const good = await prepareGrant({ companyId, root: owner.company.root, epochs: owner.company.epochs, granter: owner.keys, candidate: candidate(third), role: 'staff' });
		// A member statement not signed by the company root (e.g. made up by the server or a handler without the root key).
		const { generateSigningKeyPair } = await import('../../src/lib/crypto/index');
		const forged = { ...good, member: signMemberStatement(generateSigningKeyPair(), { companyId, userId: third.userId, role: 'staff', recipient: third.keys.recipient, signingPublicKey: toBase64Url(third.keys.signing.publicKey) }) };
		expect((await failure(owner.client.trpc.company.grant.mutate(forged))).data.appCode).toBe('member_invalid');
		// A statement naming another recipient than the handler's registered key.
		const other = await generateHandlerKeys();
		const swapped = await prepareGrant({ companyId, root: owner.company.root, epochs: owner.company.epochs, granter: owner.keys, candidate: { ...candidate(third), recipient: other.recipient }, role: 'staff' });
		expect((await failure(owner.client.trpc.company.grant.mutate(swapped))).data.appCode).toBe('member_invalid');
		expect((await failure(owner.client.trpc.company.grant.mutate({ ...good, epochGrants: good.epochGrants.slice(0, 1) }))).data.appCode).toBe('grant_incomplete');
		expect((await failure(owner.client.trpc.company.grant.mutate({ ...good, role: 'responsible' }))).data.appCode).toBe('member_invalid');
		// Only a 責任者 grants; a handler without a role in the company cannot even list candidates.
		expect((await failure(third.client.trpc.company.grant.mutate(good))).data.httpStatus).toBe(403);
		expect((await failure(third.client.trpc.company.candidates.query({ companyId }))).data.httpStatus).toBe(403);
		expect((await failure(owner.client.trpc.company.grant.mutate({ ...good, userId: 'not-a-uuid' }))).data.appCode).toBe('invalid_input');

		// A statement naming an older epoch (e.g. replayed from before a removal) is refused.
		const stale = await prepareGrant({ companyId, root: owner.company.root, epochs: owner.company.epochs.slice(0, 1), granter: owner.keys, candidate: candidate(third), role: 'staff' });
		expect((await failure(owner.client.trpc.company.grant.mutate({ ...good, member: stale.member }))).data.appCode).toBe('member_invalid');

		await owner.client.trpc.company.grant.mutate(good);
		expect((await failure(owner.client.trpc.company.grant.mutate(good))).data.appCode).toBe('member_exists');
		// A pin signed with someone else's key is refused.
		const detail = await third.client.trpc.company.get.query({ companyId });
		expect((await failure(third.client.trpc.company.pin.mutate({ companyId, pinSignature: signCompanyPin(other.signing, companyId, detail.rootPublicKey) }))).data.appCode).toBe('member_invalid');

		const revocation = async (current = detail.manifests.at(-1)!, currentEpoch = detail.currentEpoch, remaining = [{ userId: ownerId, recipient: owner.keys.recipient }]) =>
			(await prepareRevocation({ companyId, root: owner.company.root, current, currentEpoch, granter: owner.keys, remaining, removedUserId: third.userId })).payload;
		// A manifest that does not extend the chain (rollback), grants that leave out a member, removing oneself, a staff member revoking.
		expect((await failure(owner.client.trpc.company.revoke.mutate(await revocation(detail.manifests[0]!, 1)))).data.appCode).toBe('manifest_invalid');
		expect((await failure(owner.client.trpc.company.revoke.mutate({ ...(await revocation()), grants: [{ ...(await revocation()).grants[0]!, userId: third.userId }] }))).data.appCode).toBe('grant_incomplete');
		expect((await failure(owner.client.trpc.company.revoke.mutate({ ...(await revocation()), userId: ownerId }))).data.appCode).toBe('revoke_self');
		// The new manifest's root-signed member list must be exactly who receives the new keys.
		const { prepareRevocation: prepare } = await import('../../src/lib/crypto/index');
		const padded = await prepare({
			companyId,
			root: owner.company.root,
			current: detail.manifests.at(-1)!,
			currentEpoch: detail.currentEpoch,
			granter: owner.keys,
			remaining: [{ userId: ownerId, recipient: owner.keys.recipient }, { userId: third.userId, recipient: third.keys.recipient }],
			removedUserId: third.userId
		});
		expect((await failure(owner.client.trpc.company.revoke.mutate({ ...padded.payload, grants: padded.payload.grants.slice(0, 1) }))).data.appCode).toBe('grant_incomplete');
		expect((await failure(third.client.trpc.company.revoke.mutate(await revocation()))).data.httpStatus).toBe(403);
		expect((await owner.client.trpc.company.get.query({ companyId })).currentEpoch).toBe(detail.currentEpoch);
	});
});
