/** The server's configuration, read once from the environment and validated. */
import { z } from 'zod';

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const schema = z.object({
	PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
	HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
	DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
	DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://').optional()),
	/** Also append log lines to this file. */
	LOG_FILE: z.preprocess(emptyAsUndefined, z.string().optional()),
	/** Largest upload in MiB. */
	UPLOAD_LIMIT_MB: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(512).default(12)),
	/** Folder of the built SPA. */
	STATIC_DIR: z.preprocess(emptyAsUndefined, z.string().default('./build')),
	/** Set when a TLS-terminating proxy sits in front: trusts X-Forwarded-For/-Proto. */
	TRUST_PROXY: z.preprocess(emptyAsUndefined, z.enum(['0', '1', 'true', 'false']).default('0'))
});

export type Env = z.infer<typeof schema>;

/** @throws Error listing every invalid variable (names only). */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
	const parsed = schema.safeParse(source);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
		throw new Error(`Invalid configuration: ${problems}`);
	}
	return parsed.data;
}
