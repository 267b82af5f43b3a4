/**
 * The photo Web Worker: answers {@link PrepareRequest}s with {@link preparePhoto}, off the main thread.
 * Started by `client.ts` with Vite's worker syntax.
 *
 * @module
 */
import { PrepareError, preparePhoto } from './prepare';
import { isPrepareRequest, type PrepareResponse } from './protocol';

interface WorkerScope {
	onmessage: ((event: MessageEvent<unknown>) => void) | null;
	postMessage(message: PrepareResponse, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async (event) => {
	const data = event.data;
	if (!isPrepareRequest(data)) return;
	try {
		const out = await preparePhoto(data.file);
		scope.postMessage({ id: data.id, type: 'prepared', ...out }, [out.jpeg.buffer]);
	} catch (e) {
		scope.postMessage({ id: data.id, type: 'error', code: e instanceof PrepareError ? e.code : 'decode' });
	}
};
