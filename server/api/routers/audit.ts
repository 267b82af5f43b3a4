import { and, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { ACTION_GROUP_NAMES, ACTION_GROUPS, HISTORY_ACTIONS, HISTORY_PAGE_MAX, HISTORY_REPORT_MAX } from '../../../src/lib/history/actions';
import { appendAudit, chainHead, checkpointSignatureValid, handlerEvent, verifyAuditChain, type ChainVerdict } from '../../audit';
import { auditCheckpoints, auditEvents, companies, companyRoles, handlerKeys, users } from '../../db/schema';
import { uuid } from '../inputs';
import { createTRPCRouter, fail, handlerProcedure, requireRole, type CompanyRole, type Context } from '../trpc';

type HandlerCtx = Pick<Context, 'db'> & { user: { id: string; orgId: string; isAdmin: boolean } };

/**
 * Which events the caller may read: a company's (any role in it, or only `roles`), or without
 * a company the administrator's organisation, or else the companies the caller holds a role in
 * and their own events. Never another organisation's events outside its shared companies.
 */
async function scopeOf(ctx: HandlerCtx, companyId: string | undefined, roles?: readonly CompanyRole[]): Promise<SQL | undefined> {
	if (companyId) {
		await requireRole(ctx, companyId, roles);
		return eq(auditEvents.companyId, companyId);
	}
	if (ctx.user.isAdmin) {
		// The organisation's own events, and what partner offices' handlers did in its companies.
		return or(
			eq(auditEvents.orgId, ctx.user.orgId),
			inArray(auditEvents.companyId, ctx.db.select({ id: companies.id }).from(companies).where(eq(companies.orgId, ctx.user.orgId)))
		);
	}
	const mine = await ctx.db
		.select({ companyId: companyRoles.companyId })
		.from(companyRoles)
		.where(and(eq(companyRoles.userId, ctx.user.id), isNull(companyRoles.revokedAt)));
	const ids = mine.map((m) => m.companyId);
	return ids.length ? or(inArray(auditEvents.companyId, ids), eq(auditEvents.actorId, ctx.user.id)) : eq(auditEvents.actorId, ctx.user.id);
}

/** The history's filters (issue 6 item 4): period, user, operation or group of them, person. */
const filterShape = z
	.object({
		companyId: uuid.optional(),
		/** Inclusive start and exclusive end, as instants: the browser turns its calendar days into them. */
		from: z.iso.datetime({ offset: true }).optional(),
		to: z.iso.datetime({ offset: true }).optional(),
		actorId: uuid.optional(),
		action: z.enum(HISTORY_ACTIONS).optional(),
		group: z.enum(ACTION_GROUP_NAMES).optional(),
		employeeId: uuid.optional()
	})
	.strict();

type HistoryFilter = z.infer<typeof filterShape>;

function checkFilter(f: HistoryFilter, issue: (i: { code: 'custom'; message: string; path: string[] }) => void): void {
	if (f.from && f.to && new Date(f.from) >= new Date(f.to)) issue({ code: 'custom', message: 'history_period_invalid', path: ['to'] });
	if (f.action && f.group) issue({ code: 'custom', message: 'history_filter_conflict', path: ['group'] });
}

const filterInput = filterShape.superRefine((f, c) => checkFilter(f, (i) => c.addIssue(i)));
const searchInput = filterShape
	.extend({
		/** Keyset cursor: only events older than this `seq` (the `next` of the previous page). */
		before: z.number().int().positive().optional(),
		limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(50)
	})
	.superRefine((f, c) => checkFilter(f, (i) => c.addIssue(i)));

/** The filter as SQL conditions (the scope is added by the caller). */
function filterConditions(f: HistoryFilter): SQL[] {
	const out: SQL[] = [];
	if (f.from) out.push(gte(auditEvents.at, new Date(f.from)));
	if (f.to) out.push(lt(auditEvents.at, new Date(f.to)));
	if (f.actorId) out.push(eq(auditEvents.actorId, f.actorId));
	if (f.action) out.push(eq(auditEvents.action, f.action));
	if (f.group) out.push(inArray(auditEvents.action, [...ACTION_GROUPS[f.group]]));
	if (f.employeeId) {
		// The person as target, as the subject of a submission event (detail.employeeId) or as the actor (their sign-ins and uploads).
		out.push(
			or(
				eq(auditEvents.targetId, f.employeeId),
				sql`${auditEvents.detail} ->> 'employeeId' = ${f.employeeId}`,
				and(eq(auditEvents.actorType, 'employee'), eq(auditEvents.actorId, f.employeeId))
			)!
		);
	}
	return out;
}

const historyColumns = {
	seq: auditEvents.seq,
	at: auditEvents.at,
	companyId: auditEvents.companyId,
	actorId: auditEvents.actorId,
	actorLabel: auditEvents.actorLabel,
	actorType: auditEvents.actorType,
	action: auditEvents.action,
	targetType: auditEvents.targetType,
	targetId: auditEvents.targetId,
	purpose: auditEvents.purpose,
	reason: auditEvents.reason,
	result: auditEvents.result,
	ip: auditEvents.ip,
	userAgent: auditEvents.userAgent,
	detail: auditEvents.detail
};

/**
 * Newest first, by `seq` only: with a company the (company_id, seq) index answers the first page
 * of a long history without sorting; the other filters are checked on the rows it walks.
 */
async function historyRows(ctx: HandlerCtx, scope: SQL | undefined, f: HistoryFilter, before: number | undefined, limit: number) {
	const where = and(scope, ...filterConditions(f), before ? lt(auditEvents.seq, before) : undefined);
	const rows = await ctx.db.select(historyColumns).from(auditEvents).where(where).orderBy(desc(auditEvents.seq)).limit(limit);
	return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}

export const auditRouter = createTRPCRouter({
	/**
	 * Recent handling history. With a company: its events (any role in it). Without: the
	 * administrator sees the whole organisation (partners' handlers in its companies included), others the companies they hold a role in.
	 */
	list: handlerProcedure
		.input(z.object({ companyId: uuid.optional(), limit: z.number().int().min(1).max(500).default(100) }))
		.query(async ({ ctx, input }) => {
			const scope = await scopeOf(ctx, input.companyId);
			const rows = await ctx.db
				.select({
					seq: auditEvents.seq,
					at: auditEvents.at,
					actorLabel: auditEvents.actorLabel,
					actorType: auditEvents.actorType,
					action: auditEvents.action,
					targetType: auditEvents.targetType,
					targetId: auditEvents.targetId,
					reason: auditEvents.reason,
					result: auditEvents.result,
					ip: auditEvents.ip,
					userAgent: auditEvents.userAgent
				})
				.from(auditEvents)
				.where(scope)
				.orderBy(desc(auditEvents.seq))
				.limit(input.limit);
			return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
		}),

	/**
	 * The handling history with filters, a page at a time (newest first). `next` is the cursor
	 * for the following page, null at the end. Any role in the company may read it.
	 */
	search: handlerProcedure.input(searchInput).query(async ({ ctx, input }) => {
		const scope = await scopeOf(ctx, input.companyId);
		const rows = await historyRows(ctx, scope, input, input.before, input.limit + 1);
		const more = rows.length > input.limit;
		const page = more ? rows.slice(0, input.limit) : rows;
		return { rows: page, next: more ? page.at(-1)!.seq : null };
	}),

	/**
	 * The rows of a history report (PDF, CSV, .xlsx made in the browser): a company's 責任者, or an
	 * administrator for the whole organisation. The download is recorded, with its filter, before
	 * any row is handed out; at most HISTORY_REPORT_MAX rows, newest first (`truncated` says so).
	 */
	report: handlerProcedure.input(filterInput).mutation(async ({ ctx, input }) => {
		if (!input.companyId && !ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		const scope = await scopeOf(ctx, input.companyId, ['responsible']);
		const now = ctx.services.now();
		const { seq } = await appendAudit(
			ctx.db,
			handlerEvent(ctx, {
				companyId: input.companyId ?? null,
				action: 'history_export',
				targetType: input.companyId ? 'company' : 'organisation',
				targetId: input.companyId ?? ctx.user.orgId,
				// Only ids, instants and codes: the filter, so the report can be told apart later.
				detail: {
					from: input.from ?? null,
					to: input.to ?? null,
					actorId: input.actorId ?? null,
					action: input.action ?? null,
					group: input.group ?? null,
					employeeId: input.employeeId ?? null
				}
			}),
			now
		);
		const rows = await historyRows(ctx, scope, input, undefined, HISTORY_REPORT_MAX + 1);
		const truncated = rows.length > HISTORY_REPORT_MAX;
		return { rows: truncated ? rows.slice(0, HISTORY_REPORT_MAX) : rows, truncated, recordedSeq: seq, generatedAt: now.toISOString() };
	}),

	/**
	 * Whether the (global) hash chain and its signed checkpoints verify, for a company's 責任者: the
	 * verdict, counts and the first broken seq, never another organisation's events; a checkpoint's
	 * signer is named only when they belong to the caller's organisation.
	 */
	chain: handlerProcedure.input(z.object({ companyId: uuid }).strict()).query(async ({ ctx, input }) => {
		await requireRole(ctx, input.companyId, ['responsible']);
		return publicVerdict(ctx, await chainVerdict(ctx.db, ctx.services.now()));
	}),

	/** Re-checks the whole hash chain and its checkpoints (administrators). */
	verify: handlerProcedure.query(async ({ ctx }) => {
		if (!ctx.user.isAdmin) fail('FORBIDDEN', 'forbidden');
		return publicVerdict(ctx, await chainVerdict(ctx.db, ctx.services.now()));
	}),

	/**
	 * The chain's length and head for a handler's browser to sign, and the hash at `since` (the
	 * checkpoint that browser signed last), so it can tell that today's chain extends what it saw.
	 * Hashes only: they say nothing about any event.
	 */
	head: handlerProcedure.input(z.object({ since: z.number().int().positive().optional() }).strict()).query(async ({ ctx, input }) => {
		const head = await chainHead(ctx.db, input.since);
		return { seq: head.seq, head: head.head, hashAtSince: head.hashAt, lastSignedSeq: await lastSignedSeq(ctx) };
	}),

	/**
	 * Stores a checkpoint signed by the caller's browser: the head must be the chain's hash at that
	 * seq, the signature the caller's key's, the time near now. One newer than the caller's last only.
	 */
	checkpoint: handlerProcedure
		.input(
			z
				.object({
					seq: z.number().int().positive(),
					head: z.string().regex(/^[0-9a-f]{64}$/, 'hash_invalid'),
					signedAt: z.iso.datetime(),
					signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'signature_invalid')
				})
				.strict()
		)
		.mutation(async ({ ctx, input }) => {
			const signedAt = new Date(input.signedAt);
			if (Math.abs(signedAt.getTime() - ctx.services.now().getTime()) > CHECKPOINT_CLOCK_SKEW_MS) fail('BAD_REQUEST', 'checkpoint_clock');
			const [key] = await ctx.db.select({ signingPublicKey: handlerKeys.signingPublicKey }).from(handlerKeys).where(eq(handlerKeys.userId, ctx.user.id));
			if (!key) fail('PRECONDITION_FAILED', 'handler_key_missing');
			const { hashAt } = await chainHead(ctx.db, input.seq);
			if (hashAt !== input.head) fail('CONFLICT', 'checkpoint_head_mismatch');
			const statement = { seq: input.seq, head: input.head, userId: ctx.user.id, signedAt: signedAt.toISOString() };
			if (!checkpointSignatureValid(key.signingPublicKey, statement, input.signature)) fail('BAD_REQUEST', 'checkpoint_signature_invalid');
			const last = await lastSignedSeq(ctx);
			if (last !== null && last >= input.seq) return { stored: false };
			await ctx.db.insert(auditCheckpoints).values({ seq: input.seq, head: input.head, userId: ctx.user.id, signedAt, signature: input.signature });
			return { stored: true };
		}),

	/**
	 * A handler's browser found that the chain no longer extends the checkpoint it signed last: an
	 * alarm in the history (a server that rewrote the chain can drop this; the browser keeps showing it).
	 */
	alarm: handlerProcedure
		.input(z.object({ seq: z.number().int().positive(), expected: z.string().regex(/^[0-9a-f]{64}$/, 'hash_invalid') }).strict())
		.mutation(async ({ ctx, input }) => {
			// Evidence, not a megaphone: once per checkpoint, and a few a day per handler.
			const since = new Date(ctx.services.now().getTime() - 24 * 60 * 60 * 1000);
			const earlier = await ctx.db
				.select({ targetId: auditEvents.targetId })
				.from(auditEvents)
				.where(and(eq(auditEvents.actorId, ctx.user.id), eq(auditEvents.action, 'audit_alarm'), gte(auditEvents.at, since)));
			if (earlier.some((e) => e.targetId === String(input.seq)) || earlier.length >= ALARMS_PER_DAY) return { recorded: false };
			const head = await chainHead(ctx.db, input.seq);
			await appendAudit(
				ctx.db,
				handlerEvent(ctx, {
					action: 'audit_alarm',
					targetType: 'audit_chain',
					targetId: String(input.seq),
					result: 'error',
					detail: { seq: input.seq, expected: input.expected, found: head.hashAt }
				}),
				ctx.services.now()
			);
			return { recorded: true };
		})
});

/** Chains at least this long are re-verified at most once a minute per process (a full run of 100,000 events takes seconds). */
const CACHE_FROM_EVENTS = 20_000;
const CACHE_MS = 60_000;
const verdicts = new WeakMap<HandlerCtx['db'], { at: number; verdict: Promise<ChainVerdict> }>();

/**
 * The chain verdict for the history page: every 責任者 opening it must not start another full run
 * over a long chain, so a verdict on a long chain is shared for a minute (concurrent requests
 * wait for the same run). Short chains are verified on every call. `npm run audit:verify` always
 * runs in full.
 */
async function chainVerdict(db: HandlerCtx['db'], now: Date): Promise<ChainVerdict & { verifiedAt: string }> {
	const cached = verdicts.get(db);
	if (cached && now.getTime() - cached.at < CACHE_MS) {
		const verdict = await cached.verdict;
		if (verdict.count >= CACHE_FROM_EVENTS) return { ...verdict, verifiedAt: new Date(cached.at).toISOString() };
	}
	const entry = { at: now.getTime(), verdict: verifyAuditChain(db) };
	verdicts.set(db, entry);
	entry.verdict.catch(() => verdicts.delete(db));
	return { ...(await entry.verdict), verifiedAt: now.toISOString() };
}

/** The `seq` of the newest checkpoint the caller signed, or null. */
async function lastSignedSeq(ctx: HandlerCtx): Promise<number | null> {
	const [mine] = await ctx.db
		.select({ seq: auditCheckpoints.seq })
		.from(auditCheckpoints)
		.where(eq(auditCheckpoints.userId, ctx.user.id))
		.orderBy(desc(auditCheckpoints.seq))
		.limit(1);
	return mine?.seq ?? null;
}

/** How many alarms one handler's browsers may record in a day. */
const ALARMS_PER_DAY = 5;

/** How far a browser's clock may be from the server's when it signs a checkpoint. */
const CHECKPOINT_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The verdict as a handler may see it: other organisations' signers stay unnamed. */
async function publicVerdict(ctx: HandlerCtx, verdict: ChainVerdict & { verifiedAt: string }) {
	const labelOf = async (p: { userId: string; orgId: string } | null) => {
		if (!p || p.orgId !== ctx.user.orgId) return null;
		const [u] = await ctx.db.select({ loginId: users.loginId }).from(users).where(eq(users.id, p.userId));
		return u?.loginId ?? null;
	};
	const { latest, firstBroken } = verdict.checkpoints;
	return {
		ok: verdict.ok,
		count: verdict.count,
		firstBrokenSeq: verdict.firstBrokenSeq,
		/** When this verdict was computed (a long chain's verdict is reused for up to a minute). */
		verifiedAt: verdict.verifiedAt,
		checkpoints: {
			count: verdict.checkpoints.count,
			latest: latest ? { seq: latest.seq, signedAt: latest.signedAt, signer: await labelOf(latest) } : null,
			firstBroken: firstBroken ? { seq: firstBroken.seq, signedAt: firstBroken.signedAt, problem: firstBroken.problem, signer: await labelOf(firstBroken) } : null
		}
	};
}
