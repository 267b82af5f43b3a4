/**
 * How far the outbox's uploads are, for the progress bars on the employee's page: files sent out of
 * the files of the submissions still going out. Per-file states come from `outbox.files`
 * (`submissionId:itemIndex` → state).
 *
 * @module
 */

export type UploadState = 'queued' | 'sending' | 'sent' | 'waiting' | 'failed';

/**
 * Files sent / files in all, for one submission, or (without `submissionId`) for every submission
 * that still has a file to send; null when there is nothing to show.
 */
export function uploadProgress(files: Readonly<Record<string, UploadState>>, submissionId?: string): { done: number; total: number } | null {
	const bySubmission = new Map<string, UploadState[]>();
	for (const [key, state] of Object.entries(files)) {
		const id = key.slice(0, key.lastIndexOf(':'));
		if (submissionId !== undefined && id !== submissionId) continue;
		const list = bySubmission.get(id) ?? [];
		list.push(state);
		bySubmission.set(id, list);
	}
	let done = 0;
	let total = 0;
	for (const states of bySubmission.values()) {
		// Finished submissions are not counted in the overall bar: it shows what is still going out.
		if (submissionId === undefined && states.every((s) => s === 'sent' || s === 'failed')) continue;
		done += states.filter((s) => s === 'sent').length;
		total += states.length;
	}
	return total > 0 ? { done, total } : null;
}
