import type { DeviceUnlock, SigningKeyPair } from '$lib/crypto';

/** Who last signed in on this phone: opaque ids and what the letter prints, never personal data. */
export interface RememberedEmployee {
	companyId: string;
	employeeId: string;
	companyName: string;
	employeeCode: string;
}

const REMEMBERED = 'mnv:employee';

/**
 * What the employee's join link carried, in memory only: the one-time token (until it is redeemed)
 * and the company's root-key fingerprint printed on the invitation, which `/me` pins when it
 * fetches the company's keys. Neither is stored on the device; after a reload the employee's own
 * password brings back the device key and the pin (`src/lib/crypto/employee.ts`).
 */
class JoinManager {
	token = $state<string | null>(null);
	/** The expected company root fingerprint, e.g. `K4QF-7D2M-…`; null if the link had none. */
	pinnedFingerprint = $state<string | null>(null);

	/** The key epoch current when the invitation was issued: the company's chain must reach it. */
	minEpoch = $state(1);
	/** The letter's one-time device secret (base64url); forgotten once the device is registered. */
	deviceSecret = $state<string | null>(null);
	/** The device signing key (memory only; `$state.raw`: never proxied). */
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

	/** The device key and pin opened with the employee's password after a reload or on a new phone. */
	unlocked(u: DeviceUnlock): void {
		this.device = u.device;
		this.pinnedFingerprint = u.pinnedFingerprint;
		this.minEpoch = u.minEpoch;
	}

	/** Forgets the device key (sign-out). */
	lock(): void {
		this.device = null;
	}

	/** Remembers who signs in on this phone, so the next visit offers their sign-in. */
	remember(who: RememberedEmployee): void {
		try {
			const { companyId, employeeId, companyName, employeeCode } = who;
			localStorage.setItem(REMEMBERED, JSON.stringify({ companyId, employeeId, companyName, employeeCode }));
		} catch {
			// Private mode or storage full: the letter's QR code still leads back.
		}
	}

	remembered(): RememberedEmployee | null {
		try {
			const o = JSON.parse(localStorage.getItem(REMEMBERED) ?? 'null') as Partial<RememberedEmployee> | null;
			return o && typeof o.companyId === 'string' && typeof o.employeeId === 'string' ? { companyName: '', employeeCode: '', ...o } as RememberedEmployee : null;
		} catch {
			return null;
		}
	}

	forget(): void {
		try {
			localStorage.removeItem(REMEMBERED);
		} catch {
			// Nothing stored.
		}
	}
}

export const join = new JoinManager();
