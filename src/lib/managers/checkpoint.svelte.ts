import { api } from '$lib/api';
import { confirmAndSign, pendingAlarm, resetAlarm, type CheckpointOutcome } from '$lib/history/checkpoint';
import { keyring } from './keyring.svelte';

/**
 * The last checkpoint outcome in this tab, for the alarm banner and the history page. Filled
 * after every unlock (`checkpointAfterUnlock`), and from localStorage for a pending alarm.
 */
class AuditCheckpointState {
	outcome = $state.raw<CheckpointOutcome | null>(null);
	/** Whose outcome it is: a shared computer must not show one user's alarm to the next. */
	userId = $state<string | null>(null);

	/** The alarm this browser raised for the user and nobody reset, even before any unlock. */
	load(userId: string): void {
		const alarm = pendingAlarm(localStorage, userId);
		if (this.userId !== userId) this.outcome = null;
		this.userId = userId;
		if (alarm) this.outcome = { kind: 'alarm', seq: alarm.seq, expected: alarm.head };
	}

	reset(userId: string): void {
		resetAlarm(localStorage, userId);
		this.outcome = null;
	}
}

export const auditCheckpoint = new AuditCheckpointState();

/**
 * Right after the handler's keys were unlocked: check that the chain extends this browser's last
 * checkpoint, then sign its current head (CRYPTO.md). Failures other than an alarm are quiet: a
 * checkpoint is evidence added, never a condition for work.
 */
export async function checkpointAfterUnlock(): Promise<void> {
	const keys = keyring.handler;
	const userId = keyring.ownerId;
	if (!keys || !userId) return;
	try {
		const outcome = await confirmAndSign({
			userId,
			signingSecretKey: keys.signing.secretKey,
			storage: localStorage,
			now: () => new Date(),
			api: {
				head: (since) => api.audit.head.query(since ? { since } : {}),
				store: (input) => api.audit.checkpoint.mutate(input),
				alarm: (input) => api.audit.alarm.mutate(input)
			}
		});
		// Still the same person? A sign-out or another user's unlock meanwhile makes this stale.
		if (keyring.ownerId === userId) {
			auditCheckpoint.userId = userId;
			auditCheckpoint.outcome = outcome;
		}
	} catch {
		// Offline, or the key changed under us: try again at the next unlock.
	}
}
