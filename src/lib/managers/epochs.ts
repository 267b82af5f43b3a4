/**
 * The newest key epoch this browser has verified per company: a server that later serves a shorter
 * manifest chain (a rollback to keys from before a revocation) is refused. Only epoch numbers are
 * kept, no key material or personal data.
 */
const key = (companyId: string) => `mnv:epoch:${companyId}`;

/** The highest epoch seen for the company, or 1. */
export function seenEpoch(companyId: string): number {
	try {
		const n = Number(localStorage.getItem(key(companyId)));
		return Number.isInteger(n) && n > 0 ? n : 1;
	} catch {
		return 1;
	}
}

/** Records a verified epoch (never lowers the mark). */
export function recordEpoch(companyId: string, epoch: number): void {
	try {
		if (epoch > seenEpoch(companyId)) localStorage.setItem(key(companyId), String(epoch));
	} catch {
		// Storage may be unavailable (private mode); the check then starts from 1 again.
	}
}
