/**
 * Request/reply over a dedicated Worker: one Worker started on first use, replies paired with
 * requests by `id`, every pending request rejected (and the Worker restarted next time) if it crashes.
 * Shared by the photo and OCR Workers' page sides.
 *
 * @module
 */

/**
 * @param start makes the Worker (Vite's `new Worker(new URL(…), { type: 'module' })` syntax must stay at the call site).
 * @param settle turns a reply into the value or the error its request resolves with.
 * @param crashed the error pending requests get when the Worker dies.
 * @returns `call(message, transfer)`, which adds the id and posts the message.
 */
export function workerClient<Reply extends { id: number }, Value>(start: () => Worker, settle: (reply: Reply) => Value | Error, crashed: () => Error) {
	let worker: Worker | null = null;
	let nextId = 1;
	const pending = new Map<number, { resolve: (v: Value) => void; reject: (e: Error) => void }>();

	function running(): Worker {
		if (worker) return worker;
		worker = start();
		worker.onmessage = (event: MessageEvent<Reply>) => {
			const waiter = pending.get(event.data.id);
			if (!waiter) return;
			pending.delete(event.data.id);
			const outcome = settle(event.data);
			if (outcome instanceof Error) waiter.reject(outcome);
			else waiter.resolve(outcome);
		};
		worker.onerror = () => {
			for (const w of pending.values()) w.reject(crashed());
			pending.clear();
			worker?.terminate();
			worker = null;
		};
		return worker;
	}

	return function call(message: Record<string, unknown>, transfer: Transferable[]): Promise<Value> {
		const id = nextId++;
		return new Promise<Value>((resolve, reject) => {
			pending.set(id, { resolve, reject });
			running().postMessage({ ...message, id }, transfer);
		});
	};
}
