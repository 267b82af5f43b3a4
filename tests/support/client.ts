/** A tRPC client for tests that talks HTTP to a real server and keeps its own cookie jar. */
import { createTRPCClient, httpBatchLink, httpLink, isNonJsonSerializable, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../server/api/root';

export interface TestClient {
	trpc: ReturnType<typeof createTRPCClient<AppRouter>>;
	cookies: Map<string, string>;
	/** Sends a raw upload with the metadata header, as the browser does. */
	upload(meta: unknown, bytes: Uint8Array): Promise<{ id: string; itemIndex: number; sha256: string; receivedAt: string }>;
}

/** `forwardedFor` sends X-Forwarded-For, for a server started with `trustProxy` (a client behind the load balancer). */
export function testClient(baseUrl: string, opts: { lang?: 'ja' | 'en'; userAgent?: string; forwardedFor?: string } = {}): TestClient {
	const cookies = new Map<string, string>();
	const fetchWithCookies: typeof fetch = async (input, init) => {
		const headers = new Headers(init?.headers);
		if (cookies.size) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
		headers.set('x-mnv-lang', opts.lang ?? 'ja');
		headers.set('user-agent', opts.userAgent ?? 'vitest');
		headers.set('origin', baseUrl);
		if (opts.forwardedFor) headers.set('x-forwarded-for', opts.forwardedFor);
		const response = await fetch(input, { ...init, headers });
		for (const line of response.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const at = pair!.indexOf('=');
			const name = pair!.slice(0, at);
			const value = pair!.slice(at + 1);
			if (value) cookies.set(name, value);
			else cookies.delete(name);
		}
		return response;
	};
	const url = `${baseUrl}/trpc`;
	const trpc = createTRPCClient<AppRouter>({
		links: [
			splitLink({
				condition: (op) => isNonJsonSerializable(op.input),
				true: httpLink({
					url,
					fetch: fetchWithCookies,
					headers: ({ op }) => {
						const meta = (op.context as { uploadMeta?: unknown }).uploadMeta;
						return meta ? { 'x-upload-meta': Buffer.from(JSON.stringify(meta)).toString('base64url') } : {};
					}
				}),
				false: httpBatchLink({ url, fetch: fetchWithCookies, methodOverride: 'POST' })
			})
		]
	});
	return {
		trpc,
		cookies,
		upload: (meta, bytes) => trpc.submission.upload.mutate(bytes, { context: { uploadMeta: meta } })
	};
}

/** The message and error data of a call that must fail; throws when it succeeds or fails otherwise. */
export async function failure(promise: Promise<unknown>): Promise<{ message: string; data: Record<string, unknown> }> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof TRPCClientError) return { message: error.message, data: (error.data ?? {}) as Record<string, unknown> };
		throw error;
	}
	throw new Error('expected the call to fail');
}
