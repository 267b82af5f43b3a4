/**
 * Who must have signed a submission (CRYPTO.md §6), decided in the handler's browser from what the
 * company root signed, never from what the server says. Pure (no Svelte, no API), so it is tested
 * on its own; `vault.ts` uses it before opening an envelope.
 *
 * @module
 */
import { activeMemberIds, dataKeyEpochOf, fromBase64Url, openDeviceSecret, verifyDeviceRegistration, type Member } from '$lib/crypto';

/** Why a signer is refused; the caller turns it into its integrity alarm. */
export class SignerRefused extends Error {
	constructor() {
		super('the submission has no signer this browser can vouch for');
		this.name = 'SignerRefused';
	}
}

/** What the server says about a submission's origin. */
export interface SignerClaim {
	epoch: number;
	/** An employee's device registration (the letter's secret sealed under a data key, and its HMAC). */
	device: { sealedSecret: string; publicKey: string; mac: string } | null;
	/** A handler who entered it on the employee's behalf. */
	enteredBy: { userId: string } | null;
}

/** What the browser verified itself: the root-vouched members, and who held each epoch. */
export interface SignerTrust {
	companyId: string;
	/** Data keys by epoch, to open the letter's device secret. */
	dataKeys: ReadonlyMap<number, Uint8Array>;
	/** Member statements the company root signed (active and removed). */
	members: readonly (Member & { loginId: string; displayName: string })[];
	/**
	 * The root-signed manifests (verified as a chain), each with the member ids it lists. A handler
	 * may sign entries only for an epoch they held: a removed handler cannot seal to a newer one.
	 */
	manifests: readonly { epoch: number; members?: string[] }[];
}

/**
 * The public key that must have signed the submission, and the handler who entered it if any.
 * @throws SignerRefused when the device registration does not verify, the handler is not a
 *   root-vouched member, or did not hold the submission's epoch.
 */
export function expectedSigner(trust: SignerTrust, employeeId: string, claim: SignerClaim): { publicKey: string; enteredBy: { loginId: string; displayName: string } | null } {
	if (claim.enteredBy) {
		const userId = claim.enteredBy.userId;
		const member = trust.members.find((m) => m.userId === userId);
		if (!member) throw new SignerRefused();
		const manifest = trust.manifests.find((m) => m.epoch === claim.epoch);
		if (!manifest) throw new SignerRefused();
		// Manifests made before member lists existed name nobody: any vouched member then.
		const holders = activeMemberIds(manifest, trust.members);
		if (holders && !holders.has(userId)) throw new SignerRefused();
		return { publicKey: member.signingPublicKey, enteredBy: { loginId: member.loginId, displayName: member.displayName } };
	}
	const device = claim.device;
	if (!device) throw new SignerRefused();
	try {
		const sealed = fromBase64Url(device.sealedSecret);
		const dataKey = trust.dataKeys.get(dataKeyEpochOf(sealed));
		if (!dataKey) throw new SignerRefused();
		const secret = openDeviceSecret({ dataKey, sealed, companyId: trust.companyId, employeeId });
		if (!verifyDeviceRegistration({ secret, companyId: trust.companyId, employeeId, devicePublicKey: device.publicKey, mac: device.mac })) throw new SignerRefused();
	} catch {
		throw new SignerRefused();
	}
	return { publicKey: device.publicKey, enteredBy: null };
}
