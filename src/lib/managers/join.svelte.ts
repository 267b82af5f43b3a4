import type { SigningKeyPair } from '$lib/crypto';

/**
 * What the employee's join link carried, in memory only: the one-time token (until it is redeemed)
 * and the company's root-key fingerprint printed on the invitation, which `/me` pins when it
 * fetches the company's keys. Neither is stored on the device.
 */
class JoinManager {
	token = $state<string | null>(null);
	/** The expected company root fingerprint, e.g. `K4QF-7D2M-…`; null if the link had none. */
	pinnedFingerprint = $state<string | null>(null);

	/** The key epoch current when the invitation was issued: the company's chain must reach it. */
	minEpoch = $state(1);
	/** The letter's one-time device secret (base64url); forgotten once the device is registered. */
	deviceSecret = $state<string | null>(null);
	/** The device signing key registered at joining (memory only; `$state.raw`: never proxied). */
	device = $state.raw<SigningKeyPair | null>(null);

	/** Reads `#t=<token>&fp=<fingerprint>&s=<device secret>&e=<epoch>`; returns whether a token was present. */
	readFragment(hash: string): boolean {
		const params = new URLSearchParams(hash.replace(/^#/, ''));
		const token = params.get('t');
		const fp = params.get('fp');
		const secret = params.get('s');
		const epoch = Number(params.get('e'));
		if (Number.isInteger(epoch) && epoch > 0) this.minEpoch = epoch;
		if (token) this.token = token;
		if (fp) this.pinnedFingerprint = fp;
		if (secret && /^[A-Za-z0-9_-]{43}$/.test(secret)) this.deviceSecret = secret;
		return Boolean(token);
	}

	/** The token and secret are single-use: forget them once redeemed. The fingerprint and device key stay for `/me`. */
	redeemed(device: SigningKeyPair): void {
		this.token = null;
		this.deviceSecret = null;
		this.device = device;
	}
}

export const join = new JoinManager();
