import type { generateCompanyKeys, Member, openEpochGrant, unwrapHandlerKeys, verifyManifestChain } from '$lib/crypto';

export type HandlerKeys = Awaited<ReturnType<typeof unwrapHandlerKeys>>;
export type EpochKeys = Awaited<ReturnType<typeof openEpochGrant>>;
export type RootKeys = Awaited<ReturnType<typeof generateCompanyKeys>>['root'];
export type Manifest = Awaited<ReturnType<typeof verifyManifestChain>>;

export interface HandlerKeyInfo {
	recipient: string;
	signingPublicKey: string;
	fingerprint: string;
}

/** A member whose statement the company root signed, with what the desk shows of them. */
export interface VerifiedMember extends Member {
	active: boolean;
	loginId: string;
	displayName: string;
	/** Fingerprint of the member's recipient, for comparison. */
	fingerprint: string;
}

/** One company's keys as opened in this browser, after its manifest chain verified. */
export interface CompanyKeyring {
	companyId: string;
	rootFingerprint: string;
	/** The newest manifest of the verified chain: new data is sealed to its epoch. */
	latest: Manifest;
	epochs: Map<number, EpochKeys>;
	root: RootKeys | null;
	/** Members the root vouched for (active and removed). */
	members: VerifiedMember[];
	/** Every manifest of the verified chain, oldest first: who held each epoch (for entries on behalf). */
	manifests: Manifest[];
}

import { DEFAULT_IDLE_LOCK_MINUTES, IdlePolicy } from './idle';

/** Overwrites every byte array reachable from a key object. Strings cannot be wiped; dropping them is all we can do. */
function wipe(value: unknown, depth = 0): void {
	if (depth > 6 || value === null || typeof value !== 'object') return;
	if (value instanceof Uint8Array) {
		value.fill(0);
		return;
	}
	if (value instanceof Map) {
		for (const v of value.values()) wipe(v, depth + 1);
		return;
	}
	for (const v of Object.values(value)) wipe(v, depth + 1);
}

/**
 * The handler's unlocked keys and the company keys opened with them, in memory only.
 * Nothing here is ever written to localStorage, IndexedDB, sessionStorage or the network:
 * a reload, `lock()`, sign-out or the idle timer forgets them.
 */
class KeyringManager {
	/** `$state.raw`: key objects must not be proxied or copied by the reactivity system. */
	handler = $state.raw<HandlerKeys | null>(null);
	info = $state.raw<HandlerKeyInfo | null>(null);
	/** The user the keys belong to; a different session locks them. */
	ownerId = $state<string | null>(null);
	companies = $state.raw<ReadonlyMap<string, CompanyKeyring>>(new Map());
	/** Why the keyring was last locked automatically, for a notice. */
	lockedBecause = $state<'idle' | null>(null);

	unlocked = $derived(this.handler !== null);

	#idle = new IdlePolicy(DEFAULT_IDLE_LOCK_MINUTES * 60_000);
	#timer: ReturnType<typeof setInterval> | null = null;

	/**
	 * Holds the handler's keys in memory until `lock()`, sign-out, or the organisation's idle
	 * timeout (`idleLockMinutes`, default 10) passes without activity or with the tab hidden.
	 */
	unlock(ownerId: string, keys: HandlerKeys, info: HandlerKeyInfo, idleLockMinutes = DEFAULT_IDLE_LOCK_MINUTES): void {
		this.lock();
		this.handler = keys;
		this.info = info;
		this.ownerId = ownerId;
		this.lockedBecause = null;
		this.#idle = new IdlePolicy(idleLockMinutes * 60_000);
		this.#timer = setInterval(() => {
			if (this.#idle.expired()) this.lock('idle');
		}, 5_000);
	}

	/** Records user activity for the idle timer. */
	touch(): void {
		this.#idle.activity();
	}

	/** The page was hidden or shown again; locks when it was hidden longer than the timeout. */
	visibility(hidden: boolean): void {
		if (this.#idle.visibility(hidden) && this.handler) this.lock('idle');
	}

	company(companyId: string): CompanyKeyring | undefined {
		return this.companies.get(companyId);
	}

	setCompany(entry: CompanyKeyring): void {
		const next = new Map(this.companies);
		next.set(entry.companyId, entry);
		this.companies = next;
	}

	/** Forgets every key, overwriting the bytes it can reach. */
	lock(reason: 'idle' | null = null): void {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
		const wasUnlocked = this.handler !== null;
		for (const entry of this.companies.values()) wipe(entry);
		wipe(this.handler);
		this.handler = null;
		this.info = null;
		this.ownerId = null;
		this.companies = new Map();
		if (wasUnlocked) this.lockedBecause = reason;
	}
}

export const keyring = new KeyringManager();
