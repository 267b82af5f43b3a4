/**
 * Partner offices (issue 3 item 3, seed patterns 1–3) through the real API on each backend: an
 * administrator invites another office by a one-time link; that office registers on this instance
 * (or accepts while signed in); a 責任者 then grants a company's keys to the partner's handler after
 * the fingerprint comparison. Offices that are not partners cannot be offered or granted, and a
 * partnership cannot end while roles still cross it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import {
	fromBase64Url,
	handlerPublicInfo,
	openEpochGrant,
	prepareGrant,
	prepareRevocation,
	signCompanyPin,
	toBase64Url
} from '../../src/lib/crypto/index';
import { failure, testClient } from '../support/client';
import { backends, scratchDb, type ScratchDb } from '../support/databases';
import { addEmployee, candidateOf, firstSignIn, joinAndSubmit, registerOffice as registerOfficeAt, revealNumber, setUpHandler, SYNTHETIC_NUMBER, type HandlerSide, type OtherHandler } from '../support/journey';

type Office = OtherHandler;

describe.each(backends)('partner offices on %s', (backend) => {
	let scratch: ScratchDb;
	let app: RunningServer;
	let owner: HandlerSide;
	let ownerId: string;

	const registerOffice = (token: string, name: string, loginId: string) => registerOfficeAt(app.url, token, name, loginId);
	const candidate = candidateOf;

	function grantTo(o: Office) {
		return prepareGrant({ companyId: owner.company.companyId, root: owner.company.root, epochs: owner.company.epochs, granter: owner.keys, candidate: candidate(o), role: 'staff' });
	}

	beforeAll(async () => {
		scratch = await scratchDb(backend);
		app = await startServer({ db: scratch.options, port: 0, host: '127.0.0.1', staticDir: '/nonexistent', quiet: true, config: { passwordLogN: 10 } });
		owner = await setUpHandler(app.url, app.services.setup.token!);
		ownerId = ((await owner.client.trpc.auth.me.query()) as { user: { id: string } }).user.id;
	});

	afterAll(async () => {
		await app?.close();
		await scratch?.drop();
	});

	it('registers a partner office by link, grants it a company after the fingerprint check, and ends only after removal', async () => {
		const companyId = owner.company.companyId;
		const { submissionId } = await joinAndSubmit(app.url, await addEmployee(owner, 'P-1'));

		// The link: peeked anonymously, used once.
		const { token } = await owner.client.trpc.partner.invite.mutate();
		expect(await testClient(app.url).trpc.partner.peek.mutate({ token })).toEqual({ orgName: 'テスト社労士事務所', state: 'pending' });
		const partner = await registerOffice(token, '見本社労士法人', 'sr-admin');
		expect(await testClient(app.url).trpc.partner.peek.mutate({ token })).toMatchObject({ state: 'used' });
		const reuse = await failure(
			testClient(app.url).trpc.partner.register.mutate({
				token,
				organisation: { name: '別の事務所', address: '東京都', contact: '03' },
				admin: { loginId: 'other-admin', displayName: '別', password: 'partner password 123' }
			})
		);
		expect(reuse.data.appCode).toBe('partner_link_used');

		// Both sides list each other.
		expect((await owner.client.trpc.partner.list.query()).partners.map((p) => p.name)).toEqual(['見本社労士法人']);
		expect((await partner.client.trpc.partner.list.query()).partners.map((p) => p.name)).toEqual(['テスト社労士事務所']);

		// The 責任者 is offered the partner's handler, named with the office; the grant works as within an office.
		const offered = await owner.client.trpc.company.candidates.query({ companyId });
		expect(offered.map((c) => [c.loginId, c.orgName, c.partner])).toEqual([['sr-admin', '見本社労士法人', true]]);
		expect(offered[0]!.fingerprint).toBe(handlerPublicInfo(partner.keys).fingerprint);
		await owner.client.trpc.company.grant.mutate(await grantTo(partner));

		// The partner's handler sees whose company it is, pins its root and reads with their own keys.
		expect((await partner.client.trpc.company.list.query()).map((c) => [c.id, c.role, c.partnerOrgName])).toEqual([[companyId, 'staff', 'テスト社労士事務所']]);
		const detail = await partner.client.trpc.company.get.query({ companyId });
		await partner.client.trpc.company.pin.mutate({ companyId, pinSignature: signCompanyPin(partner.keys.signing, companyId, detail.rootPublicKey) });
		const grant = detail.grants.find((g) => g.kind === 'epoch')!;
		const epoch1 = await openEpochGrant({ companyId, epoch: 1, ciphertext: fromBase64Url(grant.ciphertext), signature: grant.signature, granterPublicKey: grant.granterSigningPublicKey, handler: partner.keys });
		expect(epoch1.identity).toBe(owner.company.epochs[0]!.identity);
		expect(await revealNumber({ ...owner, client: partner.client }, submissionId)).toBe(SYNTHETIC_NUMBER);
		expect(detail.members.map((m) => [m.loginId, m.orgName])).toEqual([
			['admin', 'テスト社労士事務所'],
			['sr-admin', '見本社労士法人']
		]);

		// The owning office's administrator sees in its history what the partner did in its company.
		const history = await owner.client.trpc.audit.list.query({});
		expect(history.some((e) => e.action === 'reveal' && e.actorLabel === 'sr-admin')).toBe(true);
		// Both histories record the partnership; the partner's administrator does not see the owner's own
		// events, not even those of the company they now share.
		expect(history.some((e) => e.action === 'partner_join' && e.actorLabel === 'sr-admin')).toBe(true);
		const partnerHistory = await partner.client.trpc.audit.list.query({});
		expect(partnerHistory.some((e) => e.action === 'partner_join')).toBe(true);
		expect(partnerHistory.filter((e) => ['company_create', 'employee_create', 'submit', 'partner_invite'].includes(e.action))).toEqual([]);

		// Ending the partnership while the partner holds a role is refused; after removal it works.
		const inUse = await failure(owner.client.trpc.partner.end.mutate({ orgId: (await owner.client.trpc.partner.list.query()).partners[0]!.orgId }));
		expect([inUse.data.httpStatus, inUse.data.appCode]).toEqual([409, 'partner_in_use']);
		const { epoch, payload } = await prepareRevocation({
			companyId,
			root: owner.company.root,
			current: detail.manifests.at(-1)!,
			currentEpoch: 1,
			granter: owner.keys,
			remaining: [{ userId: ownerId, recipient: owner.keys.recipient }],
			removedUserId: partner.userId
		});
		await owner.client.trpc.company.revoke.mutate(payload);
		owner.company.epochs.push(epoch);
		const partnerOrgId = (await owner.client.trpc.partner.list.query()).partners[0]!.orgId;
		await partner.client.trpc.partner.end.mutate({ orgId: (await partner.client.trpc.partner.list.query()).partners[0]!.orgId });
		expect((await owner.client.trpc.partner.list.query()).partners).toEqual([]);
		expect(await owner.client.trpc.company.candidates.query({ companyId })).toEqual([]);
		expect((await failure(owner.client.trpc.partner.end.mutate({ orgId: partnerOrgId }))).data.httpStatus).toBe(404);
	});

	it('offers and grants only to partners, and refuses links that are unusable, foreign or redundant', async () => {
		const companyId = owner.company.companyId;
		// A second office joins through the first partner's link: a partner of that office, not of the owner.
		const first = await registerOffice((await owner.client.trpc.partner.invite.mutate()).token, '第一パートナー事務所', 'first-admin');
		const stranger = await registerOffice((await first.client.trpc.partner.invite.mutate()).token, '無関係の事務所', 'stranger-admin');
		const offered = (await owner.client.trpc.company.candidates.query({ companyId })).map((c) => c.loginId);
		expect(offered).toContain('first-admin');
		expect(offered).not.toContain('stranger-admin');
		const refused = await failure(owner.client.trpc.company.grant.mutate(await grantTo(stranger)));
		expect(refused.data.httpStatus).toBe(404);
		expect((await owner.client.trpc.company.get.query({ companyId })).members.map((m) => m.loginId)).not.toContain('stranger-admin');

		// The stranger's administrator accepts a link of the owner while signed in: now they are partners.
		const link = await owner.client.trpc.partner.invite.mutate();
		expect((await failure(owner.client.trpc.partner.accept.mutate({ token: link.token }))).data.appCode).toBe('partner_self');
		expect(await stranger.client.trpc.partner.accept.mutate({ token: link.token })).toEqual({ ok: true, orgName: 'テスト社労士事務所' });
		expect((await owner.client.trpc.company.candidates.query({ companyId })).map((c) => c.loginId)).toContain('stranger-admin');
		const again = await owner.client.trpc.partner.invite.mutate();
		expect((await failure(stranger.client.trpc.partner.accept.mutate({ token: again.token }))).data.appCode).toBe('partner_exists');

		// A withdrawn link stops working; an unknown one is refused; only administrators issue or accept links.
		expect((await owner.client.trpc.partner.list.query()).invitations.map((i) => i.id)).toContain(again.id);
		expect((await failure(stranger.client.trpc.partner.cancelInvite.mutate({ invitationId: again.id }))).data.httpStatus).toBe(404);
		await owner.client.trpc.partner.cancelInvite.mutate({ invitationId: again.id });
		expect(await testClient(app.url).trpc.partner.peek.mutate({ token: again.token })).toMatchObject({ state: 'expired' });
		const withdrawn = await failure(
			testClient(app.url).trpc.partner.register.mutate({
				token: again.token,
				organisation: { name: '遅れた事務所', address: '東京都', contact: '03' },
				admin: { loginId: 'late-admin', displayName: '遅', password: 'partner password 123' }
			})
		);
		expect(withdrawn.data.appCode).toBe('partner_link_expired');
		expect((await failure(testClient(app.url).trpc.partner.peek.mutate({ token: 'x'.repeat(43) }))).data.appCode).toBe('partner_link_invalid');
		await owner.client.trpc.users.create.mutate({ loginId: 'plain-tanto', displayName: '担当', password: 'initial password 123' });
		const plain = testClient(app.url);
		await firstSignIn(plain, 'plain-tanto', 'initial password 123');
		expect((await failure(plain.trpc.partner.invite.mutate())).data.httpStatus).toBe(403);
		expect((await failure(plain.trpc.partner.accept.mutate({ token: (await first.client.trpc.partner.invite.mutate()).token }))).data.appCode).toBe('partner_admin_only');
		expect((await plain.trpc.partner.list.query()).invitations).toEqual([]);
		expect((await failure(plain.trpc.partner.end.mutate({ orgId: (await owner.client.trpc.partner.list.query()).partners[0]!.orgId }))).data.httpStatus).toBe(403);
	});

	it("keeps a partner's 責任者 inside the owner's partnership and unable to lock the owner out", async () => {
		const companyId = owner.company.companyId;
		const delegate = await registerOffice((await owner.client.trpc.partner.invite.mutate()).token, '委託先事務所', 'delegate-admin');
		await owner.client.trpc.company.grant.mutate(
			await prepareGrant({ companyId, root: owner.company.root, epochs: owner.company.epochs, granter: owner.keys, candidate: candidate(delegate), role: 'responsible' })
		);
		// The owner's other partners stay out of the delegate's sight and reach.
		const first = (await owner.client.trpc.company.candidates.query({ companyId })).find((c) => c.loginId === 'first-admin')!;
		expect(first).toBeDefined();
		expect((await delegate.client.trpc.company.candidates.query({ companyId })).map((c) => c.loginId)).not.toContain('first-admin');
		const other = await failure(
			delegate.client.trpc.company.grant.mutate({
				companyId,
				userId: first.userId,
				role: 'staff',
				member: { statement: 'x'.repeat(20), signature: toBase64Url(new Uint8Array(64)) },
				epochGrants: [{ epoch: 1, ciphertext: toBase64Url(new Uint8Array(64)), signature: toBase64Url(new Uint8Array(64)) }],
				rootGrant: null
			})
		);
		expect(other.data.httpStatus).toBe(404);
		// Removing the owner's only 責任者 is refused, whatever the delegate signs.
		const lockout = await failure(
			delegate.client.trpc.company.revoke.mutate({
				companyId,
				userId: ownerId,
				manifest: { body: '{}', signature: toBase64Url(new Uint8Array(64)) },
				grants: [{ userId: delegate.userId, ciphertext: toBase64Url(new Uint8Array(64)), signature: toBase64Url(new Uint8Array(64)) }]
			})
		);
		expect([lockout.data.httpStatus, lockout.data.appCode]).toEqual([409, 'revoke_last_owner_responsible']);
		expect((await owner.client.trpc.company.get.query({ companyId })).members.find((m) => m.loginId === 'delegate-admin')).toMatchObject({ partner: true, role: 'responsible' });
	});
});
