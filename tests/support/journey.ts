/**
 * The foundation journey through the real API with the real crypto, as the browsers do it:
 * setup → handler keys → company → employee → invitation → join → sealed submission → reveal.
 * Server tests and the bench both use it.
 */
import {
	prepareNewCompany,
	deriveEmployeeKeys,
	wrapDeviceKey,
	sealNumberMask,
	sealVerifiedRecord,
	dataKeyEpochOf,
	deviceRegistrationMac,
	generateDeviceSecret,
	generateSigningKeyPair,
	openDeviceSecret,
	sealDeviceSecret,
	verifyDeviceRegistration,
	type SigningKeyPair,
	encodeRecord,
	generateHandlerKeys,
	handlerPublicInfo,
	openEnvelope,
	decodeRecord,
	sealSubmission,
	sealEmployeeName,
	toBase64Url,
	fromBase64Url,
	verifyManifestChain,
	wrapHandlerKeys,
	type CompanyKeys,
	type HandlerKeys
} from '../../src/lib/crypto/index';
import { testClient, type TestClient } from './client';

export const SYNTHETIC_NUMBER = '123456789018'; // DOMAIN.md §10.1, synthetic
export const EMPLOYEE_NAME = '試験　花子';

export interface HandlerSide {
	client: TestClient;
	keys: HandlerKeys;
	company: CompanyKeys;
}

/** Creates the organisation, the administrator's keys and one company. */
export async function setUpHandler(baseUrl: string, setupToken: string, opts: { loginId?: string; password?: string } = {}): Promise<HandlerSide> {
	const client = testClient(baseUrl);
	await client.trpc.setup.create.mutate({
		token: setupToken,
		organisation: { name: 'テスト社労士事務所', address: '東京都千代田区千代田1-1', contact: '03-0000-0000' },
		admin: { loginId: opts.loginId ?? 'admin', displayName: '管理者', password: opts.password ?? 'correct horse battery' }
	});
	const keys = await generateHandlerKeys();
	const info = handlerPublicInfo(keys);
	await client.trpc.keys.create.mutate({ ...info, wrapped: toBase64Url(await wrapHandlerKeys(keys, 'a passphrase for tests', { logN: 10 })) });
	const company = await createCompany(client, keys, '株式会社テスト', '7123456789012');
	return { client, keys, company };
}

/** Registers a company; unless told otherwise, its 責任者 also confirms the recovery kit, as the desk requires before invitations. */
export async function createCompany(
	client: TestClient,
	keys: HandlerKeys,
	name: string,
	corporateNumber: string | null,
	opts: { confirmKit?: boolean } = {}
): Promise<CompanyKeys> {
	const me = await client.trpc.auth.me.query();
	if (me?.kind !== 'handler') throw new Error('not signed in as a handler');
	const created = await prepareNewCompany({ ...keys, userId: me.user.id });
	await client.trpc.company.create.mutate({ ...created.payload, name, corporateNumber });
	const company = created.keys;
	const companyId = company.companyId;
	if (opts.confirmKit ?? true) await client.trpc.company.confirmRecoveryKit.mutate({ companyId, epoch: 1 });
	return company;
}

/** Adds an employee with a sealed name and issues an invitation (with its one-time device secret, as the letter carries it). */
export async function addEmployee(handler: HandlerSide, code: string, name = EMPLOYEE_NAME) {
	const employeeId = crypto.randomUUID();
	const epoch = handler.company.epochs[0]!;
	const companyId = handler.company.companyId;
	const sealedName = sealEmployeeName({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId, employeeId, name });
	await handler.client.trpc.employee.create.mutate({ id: employeeId, companyId, code, sealedName: toBase64Url(sealedName) });
	return { employeeId, ...(await inviteEmployee(handler, employeeId)) };
}

/** Issues (or reissues) an invitation: the device secret is sealed under the data key for the server to keep. */
export async function inviteEmployee(handler: HandlerSide, employeeId: string) {
	const epoch = handler.company.epochs[0]!;
	const secret = generateDeviceSecret();
	const sealedDeviceSecret = sealDeviceSecret({ dataKey: epoch.dataKey, epoch: epoch.epoch, companyId: handler.company.companyId, employeeId, secret });
	const invitation = await handler.client.trpc.employee.invite.mutate({ employeeId, sealedDeviceSecret: toBase64Url(sealedDeviceSecret) });
	return { ...invitation, secret };
}

export interface Invitation {
	token: string;
	initialPassword: string;
	secret: Uint8Array;
}

/** The password test employees choose for themselves when they join. */
export const EMPLOYEE_PASSWORD = 'わたしのパスワード-2026';

/** What the employee's browser sends for its own password: the derived sign-in key and the wrapped device key. */
export async function employeeCredential(ids: { companyId: string; employeeId: string }, device: SigningKeyPair, password = EMPLOYEE_PASSWORD) {
	const { authKey, wrapKey } = await deriveEmployeeKeys(password, ids);
	return { authKey, wrappedDevice: toBase64Url(wrapDeviceKey({ ...ids, wrapKey, device, pinnedFingerprint: null, minEpoch: 1 })) };
}

/** The employee's side of joining: make a device key, register it with the letter's secret, set their own password. */
export async function join(baseUrl: string, invitation: Invitation, password = EMPLOYEE_PASSWORD): Promise<{ employee: TestClient; device: SigningKeyPair }> {
	const employee = testClient(baseUrl);
	const { companyId, employeeId } = await employee.trpc.join.peek.mutate({ token: invitation.token });
	const device = generateSigningKeyPair();
	const publicKey = toBase64Url(device.publicKey);
	const mac = deviceRegistrationMac({ secret: invitation.secret, companyId, employeeId, devicePublicKey: publicKey });
	const credential = await employeeCredential({ companyId, employeeId }, device, password);
	await employee.trpc.join.redeem.mutate({ token: invitation.token, password: invitation.initialPassword, device: { publicKey, mac }, credential });
	return { employee, device };
}

/** The employee's side: join, verify the company's keys, seal, sign and upload. */
export async function joinAndSubmit(baseUrl: string, invitation: Invitation, myNumber = SYNTHETIC_NUMBER, images: Uint8Array[] = []) {
	const { employee, device } = await join(baseUrl, invitation);
	const submissionId = await submitNumber(employee, myNumber, device, images);
	return { employee, device, submissionId };
}

/** Seals a record (and any photos) as the employee's browser does and uploads photos first, the record last. */
export async function submitNumber(employee: TestClient, myNumber: string, device: SigningKeyPair | undefined, images: Uint8Array[] = []): Promise<string> {
	const keys = await employee.trpc.employee.companyKeys.query();
	const manifest = verifyManifestChain(keys.rootPublicKey, keys.manifests, { companyId: keys.companyId });
	const submissionId = crypto.randomUUID();
	const items = await sealSubmission({ recipient: manifest.recipient, companyId: keys.companyId, epoch: manifest.epoch, employeeId: keys.employeeId, submissionId, record: { myNumber }, images, device });
	const hashes = items.filter((i) => i.kind === 'image').map((i) => i.sha256);
	for (const item of items) {
		const meta = item.kind === 'image' ? { kind: 'image', submissionId, epoch: manifest.epoch, itemIndex: item.itemIndex } : { kind: 'record', submissionId, epoch: manifest.epoch, images: hashes };
		await employee.upload(meta, item.sealed);
	}
	return submissionId;
}

/**
 * The handler's side of viewing: reason first, then check the device registration against the
 * letter's secret, open with the epoch identity, and check the context and the device signature.
 * @throws CryptoError('bad_signature') for a submission its employee's device did not sign.
 */
export async function revealNumber(handler: HandlerSide, submissionId: string, reason = '源泉徴収票作成事務'): Promise<string> {
	const sealed = await handler.client.trpc.submission.reveal.mutate({ submissionId, reason });
	const epoch = handler.company.epochs.find((e) => e.epoch === sealed.epoch)!;
	if (!sealed.device) throw new Error('no registered device');
	// The secret was sealed under the data key of the epoch current at the invitation, not the submission's.
	const sealedSecret = fromBase64Url(sealed.device.sealedSecret);
	const secretEpoch = handler.company.epochs.find((e) => e.epoch === dataKeyEpochOf(sealedSecret))!;
	const secret = openDeviceSecret({ dataKey: secretEpoch.dataKey, sealed: sealedSecret, companyId: sealed.companyId, employeeId: sealed.employeeId });
	const registration = { secret, companyId: sealed.companyId, employeeId: sealed.employeeId, devicePublicKey: sealed.device.publicKey, mac: sealed.device.mac };
	if (!verifyDeviceRegistration(registration)) throw new Error('device registration does not verify');
	const opened = await openEnvelope({
		identities: [epoch.identity],
		ciphertext: fromBase64Url(sealed.ciphertext),
		expected: { companyId: sealed.companyId, epoch: sealed.epoch, employeeId: sealed.employeeId, submissionId, itemKind: 'record', itemIndex: 0 },
		devicePublicKey: sealed.device.publicKey
	});
	// As the desk does (src/lib/managers/vault.ts): the data-key copy and the sealed last four digits.
	if (!sealed.verified || !sealed.masked) {
		const newest = handler.company.epochs.at(-1)!;
		const at = { dataKey: newest.dataKey, epoch: newest.epoch, companyId: sealed.companyId, employeeId: sealed.employeeId, submissionId };
		const copy = sealVerifiedRecord({ ...at, record: opened.payload });
		const sealedMask = toBase64Url(sealNumberMask({ ...at, lastFour: String(decodeRecord(opened.payload).myNumber).slice(-4) }));
		await handler.client.trpc.submission.storeVerified.mutate({ submissionId, sealed: toBase64Url(copy), sealedMask });
	}
	return String(decodeRecord(opened.payload).myNumber);
}

export interface OtherHandler {
	client: TestClient;
	keys: HandlerKeys;
	userId: string;
}

/** The password handlers added by an administrator choose at their first sign-in. */
export const OWN_HANDLER_PASSWORD = 'my own password 2026';

/**
 * First sign-in of a handler an administrator added: signs in with the initial password and
 * replaces it, as the server requires before any other handler procedure (`password_change_required`).
 */
export async function firstSignIn(client: TestClient, loginId: string, initialPassword: string, ownPassword = OWN_HANDLER_PASSWORD): Promise<void> {
	await client.trpc.auth.login.mutate({ loginId, password: initialPassword });
	await client.trpc.auth.changePassword.mutate({ currentPassword: initialPassword, newPassword: ownPassword });
}

/**
 * A handler the administrator adds to the office, signed in (their own password is
 * `OWN_HANDLER_PASSWORD`) and with keys (passphrase `another passphrase`).
 */
export async function addHandler(baseUrl: string, admin: TestClient, loginId: string): Promise<OtherHandler> {
	await admin.trpc.users.create.mutate({ loginId, displayName: `担当 ${loginId}`, password: 'initial password 123' });
	const client = testClient(baseUrl);
	await firstSignIn(client, loginId, 'initial password 123');
	const keys = await generateHandlerKeys();
	await client.trpc.keys.create.mutate({ ...handlerPublicInfo(keys), wrapped: toBase64Url(await wrapHandlerKeys(keys, 'another passphrase', { logN: 10 })) });
	const me = await client.trpc.auth.me.query();
	return { client, keys, userId: me?.kind === 'handler' ? me.user.id : '' };
}

/** What `prepareGrant` needs to know of a handler. */
export function candidateOf(h: { keys: HandlerKeys; userId: string }) {
	return { userId: h.userId, recipient: h.keys.recipient, signingPublicKey: toBase64Url(h.keys.signing.publicKey) };
}

/** An office that registers on the instance through a partner link; its administrator signed in and with keys. */
export async function registerOffice(baseUrl: string, token: string, name: string, loginId: string): Promise<OtherHandler> {
	const client = testClient(baseUrl);
	await client.trpc.partner.register.mutate({
		token,
		organisation: { name, address: '大阪府大阪市北区1-1', contact: '06-0000-0000' },
		admin: { loginId, displayName: `${name} 管理者`, password: 'partner password 123' }
	});
	const keys = await generateHandlerKeys();
	await client.trpc.keys.create.mutate({ ...handlerPublicInfo(keys), wrapped: toBase64Url(await wrapHandlerKeys(keys, 'partner passphrase', { logN: 10 })) });
	const me = await client.trpc.auth.me.query();
	return { client, keys, userId: me?.kind === 'handler' ? me.user.id : '' };
}
