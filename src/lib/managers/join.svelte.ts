/**
 * What the employee's join link carried, in memory only: the one-time token (until it is redeemed)
 * and the company's root-key fingerprint printed on the invitation, which `/me` pins when it
 * fetches the company's keys. Neither is stored on the device.
 */
class JoinManager {
	token = $state<string | null>(null);
	/** The expected company root fingerprint, e.g. `K4QF-7D2M-…`; null if the link had none. */
	pinnedFingerprint = $state<string | null>(null);

	/** Reads `#t=<token>&fp=<fingerprint>`; returns whether a token was present. */
	readFragment(hash: string): boolean {
		const params = new URLSearchParams(hash.replace(/^#/, ''));
		const token = params.get('t');
		const fp = params.get('fp');
		if (token) this.token = token;
		if (fp) this.pinnedFingerprint = fp;
		return Boolean(token);
	}

	/** The token is single-use: forget it once redeemed. The fingerprint stays for `/me`. */
	redeemed(): void {
		this.token = null;
	}
}

export const join = new JoinManager();
