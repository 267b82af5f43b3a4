/**
 * What the pages do with keys: plain functions over `$lib/crypto` and the API, no UI state.
 * Every check that protects the zero-knowledge promise against a dishonest server lives here,
 * next to the call it guards.
 */
import { api, type RouterOutputs } from '$lib/api';
import {
	createManifest,
	dataKeyEpochOf,
	deviceRegistrationMac,
	generateDeviceSecret,
	generateSigningKeyPair,
	sealDeviceSecret,
	type SigningKeyPair,
	decodeRecord,
	parseManifest,
	encodeRecord,
	fingerprint,
	fromBase64Url,
	fromUtf8,
	generateHandlerKeys,
	handlerPublicInfo,
	openEnvelope,
	openEpochGrant,
	openRootKeyGrant,
	openVerifiedRecord,
	sealVerifiedRecord,
	sealNumberMask,
	openNumberMask,
	prepareNewCompany,
	activeMemberIds,
	prepareGrant,
	prepareRevocation,
	signCompanyPin,
	verifyCompanyPin,
	verifyMemberStatement,
	type Member,
	type MemberRole,
	openEmployeeName as openName,
	openEmployeeProfile as openProfile,
	type EmployeeProfile,
	sealSubmission,
	openSubmissionImage,
	type EnvelopeHeader,
	sealEpochGrant,
	sealRootKeyGrant,
	sealEmployeeName as sealName,
	toBase64Url,
	unwrapHandlerKeys,
	utf8,
	verifyManifestChain,
	wrapHandlerKeys
} from '$lib/crypto';
import { lastFourDigits } from '$lib/mynumber';
import { recordEpoch, seenEpoch } from './epochs';
import { createOnBehalfUploader } from '$lib/outbox/client';
import { expectedSigner } from './signer';
import type { ExportColumn } from '$lib/exports';
import type { UploadMeta } from '$lib/outbox/types';
import { keyring, type CompanyKeyring, type EpochKeys, type HandlerKeyInfo, type HandlerKeys, type VerifiedMember } from './keyring.svelte';

/** A check that protects the user failed: the page shows an alarm, not a retry button. */
export class IntegrityError extends Error {
	constructor(readonly kind: 'manifest' | 'fingerprint' | 'grant' | 'envelope' | 'record' | 'device') {
		super(`integrity check failed: ${kind}`);
		this.name = 'IntegrityError';
	}
}

/** Fingerprints compare without their grouping hyphens, spaces or case. */
export function sameFingerprint(a: string, b: string): boolean {
	const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
	return norm(a) !== '' && norm(a) === norm(b);
}

// ── Handler keys ─────────────────────────────────────────────────────────────────────────

/** Makes the handler's keys and wraps them under the passphrase (scrypt, ~1–2 s), then registers them. */
export async function createHandlerKeys(passphrase: string): Promise<{ keys: HandlerKeys; info: HandlerKeyInfo }> {
	const keys = await generateHandlerKeys();
	const info = await handlerPublicInfo(keys);
	const wrapped = await wrapHandlerKeys(keys, passphrase);
	await api.keys.create.mutate({ ...info, wrapped: toBase64Url(wrapped) });
	return { keys, info };
}

/**
 * Unwraps the handler's keys with the passphrase.
 * @throws CryptoError `wrong_passphrase`; IntegrityError if the unwrapped keys are not the ones the server lists.
 */
export async function unlockHandlerKeys(passphrase: string, expectedFingerprint: string | null) {
	const stored = await api.keys.wrapped.query();
	const keys = await unwrapHandlerKeys(fromBase64Url(stored.wrapped), passphrase);
	const info = await handlerPublicInfo(keys);
	if (!sameFingerprint(info.fingerprint, stored.fingerprint)) throw new IntegrityError('fingerprint');
	if (expectedFingerprint && !sameFingerprint(info.fingerprint, expectedFingerprint)) throw new IntegrityError('fingerprint');
	return { keys, info };
}

// ── Companies ────────────────────────────────────────────────────────────────────────────

/**
 * Registers a company whose keys are made here: a root key, epoch 1 and a root-signed manifest;
 * the epoch keys and the root key are sealed to the handler's own recipient and signed by them.
 */
export async function createCompany(
	handler: { keys: HandlerKeys; info: HandlerKeyInfo; userId: string },
	company: { name: string; corporateNumber: string | null }
): Promise<CompanyKeyring> {
	const created = await prepareNewCompany({ ...handler.keys, userId: handler.userId });
	await api.company.create.mutate({ ...created.payload, name: company.name, corporateNumber: company.corporateNumber });
	const companyId = created.payload.id;
	const latest = await verifyManifestChain(created.payload.rootPublicKey, [created.manifest], { companyId });
	return {
		companyId,
		rootFingerprint: await fingerprint(created.keys.root.publicKey),
		latest,
		epochs: new Map(created.keys.epochs.map((e) => [e.epoch, e])),
		root: created.keys.root,
		members: [
			{
				...verifyMemberStatement(created.payload.rootPublicKey, created.payload.member, { companyId, userId: handler.userId }),
				active: true,
				loginId: '',
				displayName: '',
				fingerprint: handler.info.fingerprint
			}
		],
		manifests: [latest]
	};
}

export type CompanyDetail = RouterOutputs['company']['get'];
/** What `employee.companyKeys` answers: public keys and the signed manifest chain. */
export type CompanyKeysResponse = RouterOutputs['employee']['companyKeys'];

/**
 * The company's keys for the unlocked handler: those already opened in this tab, or opened now
 * (`fresh`: always opened now, against the manifests and members just fetched).
 * @returns null when nobody is unlocked, or when the keys were locked (or another user unlocked)
 *   while they were being opened, so a late result never outlives a lock.
 * @throws PinRequired, IntegrityError as `openCompanyKeys`.
 */
export async function companyKeysFor(company: CompanyDetail, opts: { fresh?: boolean } = {}): Promise<CompanyKeyring | null> {
	const cached = opts.fresh ? undefined : keyring.company(company.id);
	if (cached) return cached;
	const handler = keyring.handler;
	const info = keyring.info;
	if (!handler || !info) return null;
	const entry = await openCompanyKeys({ keys: handler, info }, company);
	if (keyring.handler !== handler) return null;
	keyring.setCompany(entry);
	return entry;
}

/** The caller has not yet pinned this company's root key: the page asks them to compare its fingerprint first. */
export class PinRequired extends Error {
	constructor(
		readonly rootFingerprint: string,
		readonly granter: { loginId: string; displayName: string; fingerprint: string | null } | null
	) {
		super('company root key not pinned yet');
		this.name = 'PinRequired';
	}
}

/** Whether this handler's browser may trust the company's root key: its own pin, or a root grant it signed itself. */
function rootIsPinned(handler: { info: HandlerKeyInfo }, company: CompanyDetail): boolean {
	if (company.pinSignature && verifyCompanyPin(handler.info.signingPublicKey, company.id, company.rootPublicKey, company.pinSignature)) return true;
	// Companies created before pins existed: the creator's self-signed root grant pins the root.
	return company.grants.some((g) => g.kind === 'root' && g.granterSigningPublicKey === handler.info.signingPublicKey);
}

/**
 * Verifies a company's manifest chain and member list and opens the caller's grants.
 *
 * Trust comes from the handler's own signing key, not from the server: the handler's pin (or the
 * root grant they signed when creating the company) pins the root public key; the root key vouches
 * for the manifest chain and for the member statements; a grant counts only when a member the root
 * vouched for as 責任者 signed it, and every epoch key must match its manifest.
 * @throws PinRequired when the handler has not compared and pinned the root key yet;
 *   IntegrityError when any check fails.
 */
export async function openCompanyKeys(
	handler: { keys: HandlerKeys; info: HandlerKeyInfo },
	company: CompanyDetail
): Promise<CompanyKeyring> {
	const companyId = company.id;
	let latest;
	try {
		latest = await verifyManifestChain(company.rootPublicKey, company.manifests, { companyId, minEpoch: seenEpoch(companyId) });
	} catch {
		throw new IntegrityError('manifest');
	}
	const rootFingerprint = await fingerprint(fromBase64Url(company.rootPublicKey));
	if (!sameFingerprint(rootFingerprint, company.rootFingerprint)) throw new IntegrityError('fingerprint');

	// Members the root vouched for; a statement that does not verify is an alarm, not a skip.
	const members: VerifiedMember[] = [];
	for (const m of company.members) {
		if (!m.statement || !m.signature) continue; // created before member statements existed
		let member: Member;
		try {
			member = verifyMemberStatement(company.rootPublicKey, { statement: m.statement, signature: m.signature }, { companyId, userId: m.userId });
		} catch {
			throw new IntegrityError('grant');
		}
		members.push({ ...member, active: m.active, loginId: m.loginId, displayName: m.displayName, fingerprint: fingerprint(member.recipient) });
	}

	// Which members hold the newest epoch comes from what the root signed, not from the server's flags.
	const active = activeMemberIds(latest, members);
	if (active) for (const m of members) m.active = active.has(m.userId);

	if (!rootIsPinned(handler, company)) {
		const granterId = company.grants.find((g) => g.kind === 'epoch')?.grantedBy;
		const granter = company.members.find((m) => m.userId === granterId);
		throw new PinRequired(rootFingerprint, granter ? { loginId: granter.loginId, displayName: granter.displayName, fingerprint: granter.fingerprint } : null);
	}

	// The chain's manifests by epoch, to check each epoch key against its manifest.
	const manifestsByEpoch = new Map<number, string>();
	for (let i = 1; i <= company.manifests.length; i++) {
		const m = await verifyManifestChain(company.rootPublicKey, company.manifests.slice(0, i), { companyId });
		manifestsByEpoch.set(m.epoch, m.recipient);
	}
	// Granters the root vouched for as 責任者 (or this handler itself, for its own grants).
	const trustedGranters = new Set([handler.info.signingPublicKey, ...members.filter((m) => m.role === 'responsible').map((m) => m.signingPublicKey)]);

	const epochs = new Map<number, EpochKeys>();
	let root = null;
	try {
		for (const grant of company.grants) {
			if (!trustedGranters.has(grant.granterSigningPublicKey)) throw new IntegrityError('grant');
			const common = {
				companyId,
				ciphertext: fromBase64Url(grant.ciphertext),
				signature: grant.signature,
				granterPublicKey: grant.granterSigningPublicKey,
				handler: handler.keys
			};
			if (grant.kind === 'epoch' && grant.epoch !== null) {
				const keys = await openEpochGrant({ ...common, epoch: grant.epoch });
				if (keys.epoch !== grant.epoch || manifestsByEpoch.get(keys.epoch) !== keys.recipient) throw new IntegrityError('grant');
				epochs.set(keys.epoch, keys);
			} else if (grant.kind === 'root') {
				root = await openRootKeyGrant(common);
				if (toBase64Url(root.publicKey) !== company.rootPublicKey) throw new IntegrityError('grant');
			}
		}
	} catch (error) {
		throw error instanceof IntegrityError ? error : new IntegrityError('grant');
	}
	if (!epochs.has(latest.epoch)) throw new IntegrityError('grant');
	recordEpoch(companyId, latest.epoch);
	// The chain verified above, so each body is the root's; kept to know who held which epoch.
	const manifests = company.manifests.map((m) => parseManifest(m));
	return { companyId, rootFingerprint, latest, epochs, root, members, manifests };
}

/** Records this handler's pin of the company root key, after they compared its fingerprint. */
export async function pinCompany(handler: { keys: HandlerKeys }, company: CompanyDetail): Promise<void> {
	await api.company.pin.mutate({ companyId: company.id, pinSignature: signCompanyPin(handler.keys.signing, company.id, company.rootPublicKey) });
}

/**
 * Grants the company's keys to another handler (a 責任者 with the root key does this): a
 * root-signed member statement, every epoch's keys sealed to the new handler, and the root key
 * too for a 責任者. The recipient comes from the candidate whose fingerprint the two compared.
 */
export async function grantAccess(
	company: CompanyKeyring,
	granter: HandlerKeys,
	candidate: { userId: string; recipient: string; signingPublicKey: string },
	role: MemberRole
): Promise<void> {
	if (!company.root) throw new IntegrityError('grant');
	await api.company.grant.mutate(
		await prepareGrant({ companyId: company.companyId, root: company.root, epochs: [...company.epochs.values()], granter, candidate, role })
	);
}

/**
 * Removes a handler and starts a new key epoch (CRYPTO.md "Keys" 5): new epoch keys, a manifest
 * signed by the root that extends the chain, and the new keys sealed to every remaining member,
 * to the recipients the root vouched for (not to whatever the server lists).
 */
export async function revokeMember(company: CompanyKeyring, granter: HandlerKeys, userId: string): Promise<number> {
	if (!company.root) throw new IntegrityError('grant');
	const fresh = await api.company.get.query({ companyId: company.companyId });
	const current = fresh.manifests.at(-1);
	// The manifest the new one links to must be the newest of the chain this browser verified.
	let latest;
	try {
		latest = await verifyManifestChain(fresh.rootPublicKey, fresh.manifests, { companyId: company.companyId, minEpoch: company.latest.epoch });
	} catch {
		throw new IntegrityError('manifest');
	}
	if (!current || toBase64Url(company.root.publicKey) !== fresh.rootPublicKey || latest.recipient !== company.latest.recipient) throw new IntegrityError('manifest');
	const { payload } = await prepareRevocation({
		companyId: company.companyId,
		root: company.root,
		current,
		currentEpoch: company.latest.epoch,
		granter,
		remaining: company.members.filter((m) => m.active && m.userId !== userId),
		removedUserId: userId
	});
	return (await api.company.revoke.mutate(payload)).epoch;
}

// ── Roster names ─────────────────────────────────────────────────────────────────────────

export async function sealEmployeeName(company: CompanyKeyring, employeeId: string, name: string): Promise<string> {
	const epoch = company.epochs.get(company.latest.epoch);
	if (!epoch) throw new IntegrityError('grant');
	return toBase64Url(sealName({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId: company.companyId, employeeId, name }));
}

/** The display name, or null if it cannot be opened with the keys held (never a placeholder string). */
export async function openEmployeeName(company: CompanyKeyring, employeeId: string, sealedB64: string | null): Promise<string | null> {
	if (!sealedB64) return null;
	try {
		const sealed = fromBase64Url(sealedB64);
		const epoch = company.epochs.get(dataKeyEpochOf(sealed));
		if (!epoch) return null;
		return openName({ dataKey: epoch.dataKey, sealed, companyId: company.companyId, employeeId });
	} catch {
		return null;
	}
}

/** The roster profile (reading, department, dates), or null if absent or not openable with the keys held. */
export function openEmployeeProfile(company: CompanyKeyring, employeeId: string, sealedB64: string | null): EmployeeProfile | null {
	if (!sealedB64) return null;
	try {
		const sealed = fromBase64Url(sealedB64);
		const epoch = company.epochs.get(dataKeyEpochOf(sealed));
		if (!epoch) return null;
		return openProfile({ dataKey: epoch.dataKey, sealed, companyId: company.companyId, employeeId });
	} catch {
		return null;
	}
}

/** The masked number of a person's current submission (「**** **** 1234」 digits only), or null if none was sealed or it cannot be opened. */
export function openSubmissionMask(company: CompanyKeyring, employeeId: string, submission: { id: string; sealedMask: string | null } | null): string | null {
	if (!submission?.sealedMask) return null;
	try {
		const sealed = fromBase64Url(submission.sealedMask);
		const epoch = company.epochs.get(dataKeyEpochOf(sealed));
		if (!epoch) return null;
		return openNumberMask({ dataKey: epoch.dataKey, sealed, companyId: company.companyId, employeeId, submissionId: submission.id });
	} catch {
		return null;
	}
}

// ── Submissions ──────────────────────────────────────────────────────────────────────────

/** A submission opened in the handler's browser: the record, and what is needed to open its photos. */
export interface OpenedSubmission {
	/** The employee's record: `myNumber` and the details, or `decline` with its reason. */
	record: Record<string, unknown>;
	/** How many photos the server says it holds; each is checked against the record's signed header. */
	images: number;
	header: EnvelopeHeader;
	identity: string;
	devicePublicKey: string;
	/** Where the server says the submission stands (metadata; the record itself is what was signed). */
	status: { status: 'submitted' | 'accepted' | 'returned' | 'superseded'; reason: string | null };
	/** When the server deleted the photos after acceptance (the company's retention setting), and how many days after; null while kept. */
	imagesDeleted: { at: string; afterDays: number | null } | null;
	/** The handler who entered it on the employee's behalf (their root-vouched key signed it); null: the employee's own device. */
	enteredBy: { loginId: string; displayName: string } | null;
}

/**
 * Fetches one sealed record with a recorded reason and opens it here.
 * The envelope's header must name exactly the company, employee, submission and epoch asked for,
 * so a ciphertext moved between rows is refused.
 * @returns the record, only ever held in the caller's component state.
 */
export async function revealSubmission(
	company: CompanyKeyring,
	target: { employeeId: string; submissionId: string },
	reason: string
): Promise<OpenedSubmission> {
	const sealed = await api.submission.reveal.mutate({ submissionId: target.submissionId, reason });
	if (
		sealed.companyId !== company.companyId ||
		sealed.employeeId !== target.employeeId ||
		sealed.submissionId !== target.submissionId
	) {
		throw new IntegrityError('envelope');
	}
	const epoch = company.epochs.get(sealed.epoch);
	if (!epoch) throw new IntegrityError('grant');
	let signer;
	try {
		const dataKeys = new Map([...company.epochs].map(([n, e]) => [n, e.dataKey]));
		signer = expectedSigner({ companyId: company.companyId, dataKeys, members: company.members, manifests: company.manifests }, target.employeeId, sealed);
	} catch {
		throw new IntegrityError('device');
	}
	let payload;
	let header;
	try {
		({ payload, header } = await openEnvelope({
			identities: [epoch.identity],
			ciphertext: fromBase64Url(sealed.ciphertext),
			expected: {
				companyId: company.companyId,
				epoch: sealed.epoch,
				employeeId: target.employeeId,
				submissionId: target.submissionId,
				itemKind: 'record',
				itemIndex: 0
			},
			devicePublicKey: signer.publicKey
		}));
	} catch (error) {
		throw new IntegrityError((error as { code?: string }).code === 'bad_signature' ? 'device' : 'envelope');
	}
	const record: unknown = await decodeRecord(payload);
	const isDecline = record && typeof record === 'object' && 'decline' in record && record.decline === true;
	if (!record || typeof record !== 'object' || (!isDecline && (!('myNumber' in record) || typeof record.myNumber !== 'string'))) {
		throw new IntegrityError('record');
	}
	// The photo count comes from the signed header, not from the server.
	if (header.siblingHashes.length !== sealed.images) throw new IntegrityError('envelope');
	const lastFour = !isDecline && typeof (record as { myNumber?: unknown }).myNumber === 'string' ? lastFourDigits((record as { myNumber: string }).myNumber) : null;
	if (!sealed.verified || (!sealed.masked && lastFour)) {
		// Verified now: keep a copy under the newest data key for bulk export (issue 3 item 10), and
		// the last four digits for lists (issue 6 item 1). The server keeps the first of each.
		const newest = company.epochs.get(company.latest.epoch);
		if (newest) {
			const at = { dataKey: newest.dataKey, epoch: newest.epoch, companyId: company.companyId, employeeId: target.employeeId, submissionId: target.submissionId };
			const copy = sealVerifiedRecord({ ...at, record: payload });
			const mask = lastFour ? toBase64Url(sealNumberMask({ ...at, lastFour })) : undefined;
			await api.submission.storeVerified.mutate({ submissionId: target.submissionId, sealed: toBase64Url(copy), sealedMask: mask }).catch(() => {
				// Best effort: the record stays readable through the public-key path.
			});
		}
	}
	return { record: record as Record<string, unknown>, images: header.siblingHashes.length, header, identity: epoch.identity, devicePublicKey: signer.publicKey, enteredBy: signer.enteredBy, status: { status: sealed.status, reason: sealed.statusReason }, imagesDeleted: sealed.imagesDeletedAt ? { at: sealed.imagesDeletedAt, afterDays: sealed.imagesDeletedAfterDays } : null };
}

/**
 * Fetches one photo of an opened submission (the reason is recorded again) and opens it: it must be
 * the very ciphertext the record's signed header lists at that index, signed by the same device.
 * @returns the JPEG bytes, for an object URL the caller revokes when it hides them.
 */
export async function openPhoto(opened: OpenedSubmission, itemIndex: number, reason: string): Promise<Uint8Array> {
	const image = await api.submission.image.mutate({ submissionId: opened.header.submissionId, itemIndex, reason });
	try {
		return await openSubmissionImage({ identities: [opened.identity], record: opened.header, itemIndex, ciphertext: fromBase64Url(image.ciphertext), devicePublicKey: opened.devicePublicKey });
	} catch {
		throw new IntegrityError('envelope');
	}
}



/**
 * The employee's browser before sealing: fetches the company's keys and checks the manifest chain
 * from the root key, the root fingerprint against the server's and the letter's (when the link
 * carried one), and that the chain reaches the invitation's epoch (no rollback). Then seals every
 * photo and the record to the newest epoch, signed with the device key (`$lib/crypto` sealSubmission).
 * Nothing is sent here: the caller queues the items in the outbox.
 * @throws IntegrityError when a check fails: the page shows an alarm instead of sending.
 */
/**
 * Seals and uploads a submission a handler enters for an employee from mailed or handed-over
 * copies (seed: 担当者が登録): the same envelopes as the employee's phone makes, sealed to the
 * newest epoch and signed with the handler's own key. Photos first, the record last.
 * @returns the new submission's id.
 */
export async function enterOnBehalf(
	company: CompanyKeyring,
	handler: HandlerKeys,
	p: { employeeId: string; record: Record<string, unknown>; images: Uint8Array[]; supersedes?: string; onprogress?: (done: number, total: number) => void }
): Promise<string> {
	const submissionId = crypto.randomUUID();
	const epoch = company.latest.epoch;
	const items = await sealSubmission({ recipient: company.latest.recipient, companyId: company.companyId, epoch, employeeId: p.employeeId, submissionId, record: p.record, images: p.images, device: handler.signing });
	const upload = createOnBehalfUploader(p.employeeId);
	const device = toBase64Url(handler.signing.publicKey);
	const images = items.filter((i) => i.kind === 'image').map((i) => i.sha256);
	for (const [n, item] of items.entries()) {
		const meta: UploadMeta =
			item.kind === 'image'
				? { kind: 'image', submissionId, epoch, itemIndex: item.itemIndex, device }
				: { kind: p.record.decline === true ? 'decline' : 'record', submissionId, epoch, images, device, ...(p.supersedes ? { supersedes: p.supersedes } : {}) };
		const receipt = await upload(meta, item.sealed);
		// The server must hold exactly these bytes (as the phone's outbox checks).
		if (receipt.sha256 !== item.sha256) throw new IntegrityError('envelope');
		p.onprogress?.(n + 1, items.length);
	}
	return submissionId;
}

export async function sealForCompany(p: {
	record: Record<string, unknown>;
	images: Uint8Array[];
	pinnedFingerprint: string | null;
	device: SigningKeyPair;
	minEpoch?: number;
	/** Keys fetched earlier (public data), for sealing while offline; verified here like fresh ones. */
	offlineKeys?: CompanyKeysResponse | null;
}) {
	// Fresh keys when the server answers (a key change must be seen); else the ones fetched when the page opened.
	// A bad connection must not keep the employee waiting: after 8 s the keys fetched earlier serve.
	const keys = await api.employee.companyKeys.query(undefined, { signal: AbortSignal.timeout(8_000) }).catch((error: unknown) => {
		if (p.offlineKeys) return p.offlineKeys;
		throw error;
	});
	let latest;
	try {
		// The invitation named the epoch current when it was issued, and this phone remembers the newest it
		// verified since (an epoch number, not personal data): an older chain is a rollback.
		latest = await verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId, minEpoch: Math.max(p.minEpoch ?? 1, seenEpoch(keys.companyId)) });
	} catch {
		throw new IntegrityError('manifest');
	}
	const computed = await fingerprint(fromBase64Url(keys.rootPublicKey));
	if (!sameFingerprint(computed, keys.rootFingerprint)) throw new IntegrityError('fingerprint');
	if (p.pinnedFingerprint !== null && !sameFingerprint(computed, p.pinnedFingerprint)) throw new IntegrityError('fingerprint');
	recordEpoch(keys.companyId, latest.epoch);

	const submissionId = crypto.randomUUID();
	const items = await sealSubmission({
		recipient: latest.recipient,
		companyId: keys.companyId,
		epoch: latest.epoch,
		employeeId: keys.employeeId,
		submissionId,
		record: p.record,
		images: p.images,
		device: p.device
	});
	return { submissionId, epoch: latest.epoch, employeeId: keys.employeeId, items, device: toBase64Url(p.device.publicKey) };
}

/**
 * Issues an invitation with a fresh one-time device secret, sealed under the company's newest data
 * key for the server to keep. The secret itself travels only in the letter / link fragment.
 * @returns the server's token and initial password, and the secret as base64url for the link.
 */
export async function issueInvitation(company: CompanyKeyring, employeeId: string) {
	const epoch = company.epochs.get(company.latest.epoch);
	if (!epoch) throw new IntegrityError('grant');
	const secret = generateDeviceSecret();
	const sealedDeviceSecret = sealDeviceSecret({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId: company.companyId, employeeId, secret });
	const invitation = await api.employee.invite.mutate({ employeeId, sealedDeviceSecret: toBase64Url(sealedDeviceSecret) });
	return { ...invitation, deviceSecret: toBase64Url(secret), epoch: company.latest.epoch };
}

/**
 * The employee's browser at joining: a fresh device signing key, registered with the HMAC under the
 * letter's secret. The key lives in memory only; it signs every envelope sent in this session.
 */
export function makeDeviceRegistration(p: { secret: string; companyId: string; employeeId: string }) {
	const device = generateSigningKeyPair();
	const publicKey = toBase64Url(device.publicKey);
	const mac = deviceRegistrationMac({ secret: fromBase64Url(p.secret), companyId: p.companyId, employeeId: p.employeeId, devicePublicKey: publicKey });
	return { device, registration: { publicKey, mac } };
}

/**
 * Opens every verified record of a company for export with the data keys only (one symmetric
 * operation each). The reason is recorded by the server before it hands them out.
 * @param opts.onProgress - called after each record is opened (done, total); if it returns a promise
 *   it is awaited, so a caller that yields now and then lets a progress bar paint during 10,000 records.
 * @returns records by submission; a record that does not open is reported, not skipped silently.
 */
export async function exportVerifiedRecords(
	company: CompanyKeyring,
	reason: string,
	opts: { scope?: 'all' | 'current'; employeeIds?: string[]; columns?: ExportColumn[]; format?: string; onProgress?: (done: number, total: number) => void | Promise<void> } = {}
) {
	const { onProgress, ...query } = opts;
	const rows = await api.submission.exportVerified.mutate({ companyId: company.companyId, reason, ...query });
	const records: { submissionId: string; employeeId: string; record: Record<string, unknown> }[] = [];
	const failed: string[] = [];
	for (const [index, row] of rows.entries()) {
		if (onProgress && index > 0) await onProgress(index, rows.length);
		try {
			const sealed = fromBase64Url(row.sealed);
			const keys = company.epochs.get(dataKeyEpochOf(sealed));
			if (!keys) throw new IntegrityError('grant');
			const record = decodeRecord(openVerifiedRecord({ dataKey: keys.dataKey, sealed, companyId: company.companyId, employeeId: row.employeeId, submissionId: row.submissionId }));
			records.push({ submissionId: row.submissionId, employeeId: row.employeeId, record });
		} catch {
			failed.push(row.submissionId);
		}
	}
	await onProgress?.(rows.length, rows.length);
	return { records, failed };
}
