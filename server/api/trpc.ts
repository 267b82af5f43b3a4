/**
 * The tour of the API layer: context, error shape, and the procedures routers build on.
 *
 * 1. Context: every request gets the database, the request's metadata (IP, user agent,
 *    language) and the signed-in session, if any. Nothing per-request lives at module scope.
 * 2. Errors: `fail()` throws a TRPCError carrying an `appCode`; the formatter turns it into a
 *    translated message, adds zod's field errors for bad input and never exposes a stack.
 * 3. Procedures: `publicProcedure`, `handlerProcedure` (a signed-in handler whose password is
 *    their own), `passwordChangeProcedure` (any signed-in handler, to replace an administrator-chosen
 *    password) and `employeeProcedure` (a signed-in employee). Company roles are checked by `requireRole`.
 *
 * @see https://trpc.io/docs/server/context
 * @see https://trpc.io/docs/server/error-formatting
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { and, eq, isNull } from 'drizzle-orm';
import type { IncomingHttpHeaders } from 'node:http';
import { z, ZodError } from 'zod';
import type { DbHandle } from '../db';
import { companyRoles, organisations, users } from '../db/schema';
import type { Logger } from '../log';
import { isAppCode, message, type AppCode, type Lang } from '../messages';
import { ipAllowed } from '../auth/ip';
import type { SessionInfo } from '../auth/session';

// ── 1. Context ─────────────────────────────────────────────────────────────────────────

export interface ServerConfig {
	/** Largest request body (uploads included), in bytes. */
	uploadLimitBytes: number;
	/** Cost of the scrypt password hash (log2 N); tests lower it. */
	passwordLogN: number;
	/** Seconds a handler session lives without activity, and at most. */
	handlerIdleSeconds: number;
	handlerMaxSeconds: number;
	employeeMaxSeconds: number;
	invitationDays: number;
	/** Days after which photos whose submission never got its record are deleted (`server/sweep.ts`). */
	abandonedPhotoDays: number;
}

export const defaultConfig: ServerConfig = {
	uploadLimitBytes: 12 * 1024 * 1024,
	passwordLogN: 15,
	handlerIdleSeconds: 60 * 60,
	handlerMaxSeconds: 12 * 60 * 60,
	employeeMaxSeconds: 7 * 24 * 60 * 60,
	invitationDays: 30,
	abandonedPhotoDays: 30
};

/** Per-process state that outlives requests. */
export interface Services {
	handle: DbHandle;
	log: Logger;
	config: ServerConfig;
	/** The one-time setup token, while no organisation exists. */
	setup: { token: string | null };
	now: () => Date;
}

export interface RequestInfo {
	ip: string;
	userAgent: string;
	lang: Lang;
	headers: IncomingHttpHeaders;
	/** Whether cookies must carry `Secure` (served over HTTPS). */
	secure: boolean;
	setCookie(value: string): void;
}

export interface Context {
	services: Services;
	db: DbHandle['db'];
	req: RequestInfo;
	session: SessionInfo | null;
}

/** Builds a context from parts; the HTTP adapter and tests both use it. */
export function createContextInner(opts: { services: Services; req: RequestInfo; session: SessionInfo | null }): Context {
	return { services: opts.services, db: opts.services.handle.db, req: opts.req, session: opts.session };
}

// ── 2. Errors ──────────────────────────────────────────────────────────────────────────

class AppErrorCause extends Error {
	constructor(
		readonly appCode: AppCode,
		readonly params: Record<string, string | number>,
		readonly extra: Record<string, string | number>
	) {
		super(appCode);
	}
}

/**
 * Throws a client-facing error. The message is rendered in the request's language by the
 * error formatter; `extra` lands in `error.data` (e.g. `retryAfterSeconds`).
 */
export function fail(
	code: TRPC_ERROR_CODE_KEY,
	appCode: AppCode,
	params: Record<string, string | number> = {},
	extra: Record<string, string | number> = {}
): never {
	throw new TRPCError({ code, message: appCode, cause: new AppErrorCause(appCode, params, extra) });
}

const t = initTRPC.context<Context>().create({
	errorFormatter({ shape, error, ctx }) {
		const lang: Lang = ctx?.req.lang ?? 'ja';
		const cause = error.cause;
		let appCode: AppCode;
		let extra: Record<string, string | number> = {};
		let text: string;
		let fieldErrors: Record<string, string[]> | undefined;
		if (cause instanceof AppErrorCause) {
			appCode = cause.appCode;
			extra = cause.extra;
			text = message(appCode, lang, cause.params);
		} else if (cause instanceof ZodError) {
			appCode = 'invalid_input';
			fieldErrors = zodFieldErrors(cause, lang);
			const fields = Object.keys(fieldErrors);
			text = message(appCode, lang) + (fields.length ? ` (${fields.join(', ')})` : '');
		} else if (error.code === 'INTERNAL_SERVER_ERROR') {
			appCode = 'internal';
			text = message(appCode, lang);
		} else {
			appCode = defaultAppCode(error.code);
			text = message(appCode, lang);
		}
		return {
			message: text,
			code: shape.code,
			data: {
				code: shape.data.code,
				httpStatus: shape.data.httpStatus,
				path: shape.data.path,
				appCode,
				...extra,
				...(fieldErrors ? { fieldErrors } : {})
			}
		};
	}
});

function defaultAppCode(code: TRPC_ERROR_CODE_KEY): AppCode {
	switch (code) {
		case 'UNAUTHORIZED':
			return 'not_signed_in';
		case 'FORBIDDEN':
			return 'forbidden';
		case 'NOT_FOUND':
			return 'not_found';
		case 'PAYLOAD_TOO_LARGE':
			return 'upload_too_large';
		case 'BAD_REQUEST':
		case 'PARSE_ERROR':
		case 'UNSUPPORTED_MEDIA_TYPE':
		// A GET on a mutation, say: the request is wrong, nothing failed on the server.
		case 'METHOD_NOT_SUPPORTED':
			return 'invalid_input';
		default:
			return 'internal';
	}
}

/** Field path → messages, without ever echoing the value that failed. */
function zodFieldErrors(error: ZodError, lang: Lang): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const issue of error.issues) {
		const key = issue.path.length ? issue.path.join('.') : '(input)';
		(out[key] ??= []).push(describeIssue(issue, lang));
	}
	return out;
}

function describeIssue(issue: ZodError['issues'][number], lang: Lang): string {
	const ja = lang === 'ja';
	switch (issue.code) {
		case 'invalid_type':
			return ja ? '値の種類が正しくありません' : 'wrong type';
		case 'too_small':
			return ja ? `短すぎます（最小 ${String(issue.minimum)}）` : `too short (minimum ${String(issue.minimum)})`;
		case 'too_big':
			return ja ? `長すぎます（最大 ${String(issue.maximum)}）` : `too long (maximum ${String(issue.maximum)})`;
		case 'invalid_format':
			return ja ? '形式が正しくありません' : 'invalid format';
		case 'unrecognized_keys':
			return ja ? '不明な項目があります' : 'unknown fields';
		case 'custom':
			// Refinements name an AppCode as their message.
			return isAppCode(issue.message) ? message(issue.message, lang) : ja ? '値が正しくありません' : 'invalid value';
		default:
			return ja ? '値が正しくありません' : 'invalid value';
	}
}

// ── 3. Procedures ──────────────────────────────────────────────────────────────────────

/** Text no database column can hold as sent: NUL (PostgreSQL refuses it in text and jsonb) and lone UTF-16 surrogates (UTF-8 has no form for them; they would be stored as U+FFFD). */
const UNSTORABLE = /\u0000|\p{Cs}/u;

/** Where the first unstorable string (or key) of a JSON input is; iterative, so any nesting depth is fine. */
function unstorablePath(input: unknown): PropertyKey[] | null {
	type Node = { value: unknown; key: PropertyKey | null; parent: Node | null };
	const pathOf = (node: Node | null, last?: PropertyKey): PropertyKey[] => {
		const path: PropertyKey[] = last === undefined ? [] : [last];
		for (let n = node; n && n.key !== null; n = n.parent) path.unshift(n.key);
		return path;
	};
	const stack: Node[] = [{ value: input, key: null, parent: null }];
	while (stack.length) {
		const node = stack.pop()!;
		const { value } = node;
		if (typeof value === 'string') {
			if (UNSTORABLE.test(value)) return pathOf(node);
		} else if (Array.isArray(value)) {
			value.forEach((v, i) => stack.push({ value: v, key: i, parent: node }));
		} else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
			for (const [k, v] of Object.entries(value)) {
				if (UNSTORABLE.test(k)) return pathOf(node, k);
				stack.push({ value: v, key: k, parent: node });
			}
		}
	}
	return null;
}

const storableInput = z.unknown().superRefine((value, issues) => {
	const path = unstorablePath(value);
	if (path) issues.addIssue({ code: 'custom', message: 'text_unstorable', path });
});

/**
 * Refuses, whatever the procedure's schema says, JSON input with unstorable text (a 400 naming the
 * field instead of a database error). Runs after the session checks, so outsiders still get 401 first.
 */
const rejectUnstorableText = t.middleware(async ({ getRawInput, next }) => {
	const checked = storableInput.safeParse(await getRawInput());
	if (!checked.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: checked.error });
	return next();
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(rejectUnstorableText);

/** A signed-in handler, whatever the state of their password. Only `passwordChangeProcedure` stops here. */
const signedInHandlerProcedure = t.procedure.use(async ({ ctx, next }) => {
	const session = ctx.session;
	if (!session || session.kind !== 'handler') fail('UNAUTHORIZED', 'not_signed_in');
	const [user] = await ctx.db
		.select({
			id: users.id,
			orgId: users.orgId,
			loginId: users.loginId,
			displayName: users.displayName,
			isAdmin: users.isAdmin,
			lastLoginAt: users.lastLoginAt,
			lastLogoutAt: users.lastLogoutAt,
			mustChangePassword: users.mustChangePassword,
			orgName: organisations.name,
			ipAllowlist: organisations.handlerIpAllowlist
		})
		.from(users)
		.innerJoin(organisations, eq(organisations.id, users.orgId))
		.where(eq(users.id, session.userId));
	if (!user) fail('UNAUTHORIZED', 'not_signed_in');
	// Every request, not only sign-in: a session cookie taken elsewhere does not work outside the list either.
	if (!ipAllowed(ctx.req.ip, user.ipAllowlist)) fail('FORBIDDEN', 'ip_not_allowed');
	const { ipAllowlist: _list, ...handler } = user;
	return next({ ctx: { ...ctx, session, user: handler } });
});

/**
 * A signed-in handler (organisation staff). `ctx.user` is narrowed. While the handler still has
 * the password an administrator chose for them, every such procedure answers FORBIDDEN with
 * `password_change_required`: whoever saw that password (the administrator, a note on the desk)
 * must not be able to act as them. `auth.me` and `auth.logout` are public, so they still answer.
 */
export const handlerProcedure = signedInHandlerProcedure
	.use(({ ctx, next }) => {
		if (ctx.user.mustChangePassword) fail('FORBIDDEN', 'password_change_required');
		return next();
	})
	.use(rejectUnstorableText);

/** A signed-in handler even while their password must be changed: for `auth.changePassword` only. */
export const passwordChangeProcedure = signedInHandlerProcedure.use(rejectUnstorableText);

/** A signed-in employee. `ctx.employee` holds the ids the session is bound to. */
export const employeeProcedure = t.procedure.use(({ ctx, next }) => {
	const session = ctx.session;
	if (!session || session.kind !== 'employee') fail('UNAUTHORIZED', 'not_signed_in');
	return next({ ctx: { ...ctx, session, employee: { id: session.employeeId, companyId: session.companyId, invitationId: session.invitationId } } });
}).use(rejectUnstorableText);

export type CompanyRole = 'responsible' | 'staff';

/**
 * The caller's active role in a company, or FORBIDDEN (also for a company of another
 * organisation, so ids of other tenants are not confirmed to exist).
 */
export async function requireRole(
	ctx: { db: Context['db']; user: { id: string } },
	companyId: string,
	allowed: readonly CompanyRole[] = ['responsible', 'staff']
): Promise<CompanyRole> {
	const [row] = await ctx.db
		.select({ role: companyRoles.role })
		.from(companyRoles)
		.where(and(eq(companyRoles.companyId, companyId), eq(companyRoles.userId, ctx.user.id), isNull(companyRoles.revokedAt)));
	if (!row || !allowed.includes(row.role)) fail('FORBIDDEN', 'forbidden');
	return row.role;
}
