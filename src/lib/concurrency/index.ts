/**
 * Bounded concurrency for batches of network calls (issuing 1,000 invitations): a few in flight,
 * so the tRPC batch link groups them and the server's round trips overlap, without flooding it.
 *
 * @module
 */

/**
 * Runs `task` for every item with at most `limit` running at once.
 * @returns the results in the order of `items`.
 * @throws the first failure; no new task starts after it (those already running finish).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	let failed = false;
	async function worker(): Promise<void> {
		while (!failed && next < items.length) {
			const index = next++;
			try {
				results[index] = await task(items[index]!, index);
			} catch (error) {
				failed = true;
				throw error;
			}
		}
	}
	const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
	const settled = await Promise.allSettled(workers);
	const rejection = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
	if (rejection) throw rejection.reason;
	return results;
}
