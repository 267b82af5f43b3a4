/**
 * The one schema for both backends (PGlite and PostgreSQL 15).
 *
 * What the server may know (CRYPTO.md "Where plaintext may exist"): ids, employee codes,
 * statuses, timestamps, sizes, public keys, signatures and ciphertext. Every column that
 * holds personal data of an employee is `bytea` ciphertext sealed in a browser.
 */
import {
	bigint,
	boolean,
	customType,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/** `bytea` that reads back as `Uint8Array` on both drivers (postgres.js yields Buffer). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
	dataType: () => 'bytea',
	fromDriver: (value) =>
		value instanceof Uint8Array && value.constructor !== Uint8Array
			? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
			: value
});

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** The operator: a 社労士 / 税理士 office or a company that handles its own staff (seed M-1). */
export const organisations = pgTable('organisations', {
	id: uuid('id').primaryKey().defaultRandom(),
	name: text('name').notNull(),
	address: text('address').notNull(),
	contact: text('contact').notNull(),
	/** Minutes without activity (or with the tab hidden) after which browsers forget unlocked keys (issue 3 item 9). */
	idleLockMinutes: integer('idle_lock_minutes').notNull().default(10),
	/** Handlers must confirm sign-in with a passkey or security key (issue 3 item 2). */
	requireSecondFactor: boolean('require_second_factor').notNull().default(false),
	/**
	 * Addresses or CIDR ranges handlers may sign in and work from (issue 7 item 4; the seed asked
	 * for a fixed IP); null or empty: anywhere. Employees are never restricted (their own phones).
	 */
	handlerIpAllowlist: jsonb('handler_ip_allowlist').$type<string[]>(),
	createdAt: createdAt()
});

/**
 * Offices that work together on this instance (seed patterns 1–3): a company that collects its
 * own staff's numbers and the 社労士 office that uses them, or an office and a partner office.
 * Stored once per direction, so "partners of X" is one indexed lookup. Only a partnership lets a
 * 責任者 grant a company's keys to a handler of another organisation.
 */
export const partnerships = pgTable(
	'partnerships',
	{
		orgId: uuid('org_id').notNull().references(() => organisations.id),
		partnerOrgId: uuid('partner_org_id').notNull().references(() => organisations.id),
		createdAt: createdAt(),
		endedAt: tz('ended_at')
	},
	(t) => [primaryKey({ columns: [t.orgId, t.partnerOrgId] })]
);

/** One-time links by which an administrator invites another office into a partnership; only the token's hash is stored. */
export const partnerInvitations = pgTable('partner_invitations', {
	id: uuid('id').primaryKey().defaultRandom(),
	orgId: uuid('org_id').notNull().references(() => organisations.id),
	tokenHash: text('token_hash').notNull().unique(),
	createdBy: uuid('created_by').notNull().references(() => users.id),
	createdAt: createdAt(),
	expiresAt: tz('expires_at').notNull(),
	usedAt: tz('used_at'),
	usedByOrgId: uuid('used_by_org_id').references(() => organisations.id),
	revokedAt: tz('revoked_at')
});

/** Handlers and administrators of an organisation (seed M-2). */
export const users = pgTable('users', {
	id: uuid('id').primaryKey().defaultRandom(),
	orgId: uuid('org_id').notNull().references(() => organisations.id),
	loginId: text('login_id').notNull().unique(),
	displayName: text('display_name').notNull(),
	passwordHash: text('password_hash').notNull(),
	isAdmin: boolean('is_admin').notNull().default(false),
	createdAt: createdAt(),
	lastLoginAt: tz('last_login_at'),
	/** The sign-in before the current one, shown on the dashboard (seed: 前回ログイン情報). */
	previousLoginAt: tz('previous_login_at'),
	lastLogoutAt: tz('last_logout_at'),
	/** Set when an administrator chose the password (new user, reset): the next sign-in must replace it (issue 5 item 1). */
	mustChangePassword: boolean('must_change_password').notNull().default(false)
});

/** A handler's public keys. The private half exists only as age ciphertext in handler_key_wraps. */
export const handlerKeys = pgTable('handler_keys', {
	userId: uuid('user_id').primaryKey().references(() => users.id),
	recipient: text('recipient').notNull(),
	signingPublicKey: text('signing_public_key').notNull(),
	fingerprint: text('fingerprint').notNull(),
	createdAt: createdAt()
});

/** One age file per unlock method (passphrase now, passkeys later). */
export const handlerKeyWraps = pgTable(
	'handler_key_wraps',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id').notNull().references(() => users.id),
		method: text('method', { enum: ['passphrase', 'passkey'] }).notNull(),
		credentialId: text('credential_id'),
		label: text('label'),
		ciphertext: bytea('ciphertext').notNull(),
		createdAt: createdAt()
	},
	(t) => [index('handler_key_wraps_user_idx').on(t.userId)]
);

/** Client companies (seed M-3). The 法人番号 is public information and may be plaintext. */
export const companies = pgTable('companies', {
	id: uuid('id').primaryKey(),
	orgId: uuid('org_id').notNull().references(() => organisations.id),
	name: text('name').notNull(),
	corporateNumber: text('corporate_number'),
	rootPublicKey: text('root_public_key').notNull(),
	rootFingerprint: text('root_fingerprint').notNull(),
	currentEpoch: integer('current_epoch').notNull(),
	/** The notified 利用目的 (codes of `src/lib/purposes`): employees see them before submitting (DOMAIN.md §5). */
	purposes: jsonb('purposes').$type<string[]>().notNull().default(['withholding', 'employment_insurance', 'social_insurance']),
	/** The newest epoch whose keys a 責任者 confirmed are in a stored recovery kit; null: none yet (no invitations). */
	recoveryKitEpoch: integer('recovery_kit_epoch'),
	recoveryKitConfirmedAt: tz('recovery_kit_confirmed_at'),
	recoveryKitConfirmedBy: uuid('recovery_kit_confirmed_by').references(() => users.id),
	/** The company's address (public business information, like the 法人番号). */
	address: text('address'),
	/** Department names for the roster and the status board (the company's structure, not personal data). */
	departments: jsonb('departments').$type<string[]>().notNull().default([]),
	/**
	 * Data minimisation (issue 5 item 6): document photos are deleted this many days after the
	 * submission was accepted; null keeps them until disposal.
	 */
	imageRetentionDays: integer('image_retention_days'),
	createdBy: uuid('created_by').notNull().references(() => users.id),
	createdAt: createdAt()
});

/** Root-signed epoch manifests; `body` is canonical JSON kept as text so its hash survives. */
export const companyManifests = pgTable(
	'company_manifests',
	{
		companyId: uuid('company_id').notNull().references(() => companies.id),
		epoch: integer('epoch').notNull(),
		body: text('body').notNull(),
		signature: text('signature').notNull(),
		createdAt: createdAt()
	},
	(t) => [primaryKey({ columns: [t.companyId, t.epoch] })]
);

/** Per-company roles (seed 1-1): 事務取扱責任者 = responsible, 事務取扱担当者 = staff. */
export const companyRoles = pgTable(
	'company_roles',
	{
		companyId: uuid('company_id').notNull().references(() => companies.id),
		userId: uuid('user_id').notNull().references(() => users.id),
		role: text('role', { enum: ['responsible', 'staff'] }).notNull(),
		grantedBy: uuid('granted_by').notNull().references(() => users.id),
		/**
		 * Canonical JSON `{v, companyId, userId, role, recipient, signingPublicKey}` signed by the
		 * company root key: who may receive the company's keys, checkable by every handler's browser.
		 */
		memberStatement: text('member_statement'),
		memberSignature: text('member_signature'),
		/** The member's own signature over the company's root public key, made after comparing fingerprints. */
		pinSignature: text('pin_signature'),
		createdAt: createdAt(),
		revokedAt: tz('revoked_at'),
		revokedBy: uuid('revoked_by').references(() => users.id)
	},
	(t) => [primaryKey({ columns: [t.companyId, t.userId] })]
);

/** Company keys sealed to one handler's recipient and signed by the granting handler. */
export const keyGrants = pgTable(
	'key_grants',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		companyId: uuid('company_id').notNull().references(() => companies.id),
		userId: uuid('user_id').notNull().references(() => users.id),
		kind: text('kind', { enum: ['epoch', 'root'] }).notNull(),
		epoch: integer('epoch'),
		ciphertext: bytea('ciphertext').notNull(),
		signature: text('signature').notNull(),
		grantedBy: uuid('granted_by').notNull().references(() => users.id),
		createdAt: createdAt()
	},
	(t) => [index('key_grants_company_user_idx').on(t.companyId, t.userId)]
);

/** Employees: the code is metadata the server may know; the name is sealed under the data key. */
export const employees = pgTable(
	'employees',
	{
		id: uuid('id').primaryKey(),
		companyId: uuid('company_id').notNull().references(() => companies.id),
		code: text('code').notNull(),
		/** Null once the person was disposed of (issue 6 item 3): nothing sealed of them remains. */
		sealedName: bytea('sealed_name'),
		/** Reading, department, dates and e-mail from the roster, sealed under the data key like the name. */
		sealedProfile: bytea('sealed_profile'),
		/** Employment status (在職・内定・退職), metadata the server may know. */
		status: text('status', { enum: ['active', 'offer', 'left'] }).notNull().default('active'),
		/**
		 * `employee`, or `payee`: a person paid by the company who is not on its payroll (取引先・個人事業主,
		 * for 支払調書), asked for their number the same way (issue 5 item 3).
		 */
		kind: text('kind', { enum: ['employee', 'payee'] }).notNull().default('employee'),
		/** When every sealed row of this person was deleted (廃棄); the code stays for the disposal record. */
		disposedAt: tz('disposed_at'),
		/**
		 * Hash of the sign-in key the employee's browser derives from their own password
		 * (`src/lib/crypto/employee.ts`); the password itself never reaches the server.
		 */
		passwordHash: text('password_hash'),
		/** The device signing key sealed under a key only the employee's password gives (ciphertext). */
		deviceKeyWrapped: bytea('device_key_wrapped'),
		/** The invitation whose registration that device key is: a signed-in session uploads under it. */
		deviceInvitationId: uuid('device_invitation_id'),
		joinedAt: tz('joined_at'),
		createdBy: uuid('created_by').notNull().references(() => users.id),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('employees_company_code_uq').on(t.companyId, t.code)]
);

/** One-time join links: only hashes of the token and of the initial password are stored. */
export const invitations = pgTable(
	'invitations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		employeeId: uuid('employee_id').notNull().references(() => employees.id),
		tokenHash: text('token_hash').notNull().unique(),
		passwordHash: text('password_hash').notNull(),
		/** The one-time device secret of the letter, sealed under the company's data key in the handler's browser. */
		sealedDeviceSecret: bytea('sealed_device_secret'),
		/** The device key registered when the link was used (Ed25519, base64url) and its HMAC under that secret. */
		devicePublicKey: text('device_public_key'),
		deviceMac: text('device_mac'),
		createdBy: uuid('created_by').notNull().references(() => users.id),
		createdAt: createdAt(),
		expiresAt: tz('expires_at').notNull(),
		usedAt: tz('used_at'),
		revokedAt: tz('revoked_at')
	},
	(t) => [index('invitations_employee_idx').on(t.employeeId)]
);

/**
 * The history of requests made to an employee (issue 5 item 5): each notification letter and each
 * reminder, kept so the company can show it asked (DOMAIN.md: needed when an employee refuses).
 */
export const employeeRequests = pgTable(
	'employee_requests',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		companyId: uuid('company_id').notNull().references(() => companies.id),
		employeeId: uuid('employee_id').notNull().references(() => employees.id),
		/** `letter`: a notification letter with new credentials; `reminder`: a reminder to submit. */
		kind: text('kind', { enum: ['letter', 'reminder'] }).notNull(),
		/** The purposes of use (codes) the request named. */
		purposes: jsonb('purposes').$type<string[]>().notNull().default([]),
		/** The invitation a letter issued; null for a reminder that kept the employee's credentials. */
		invitationId: uuid('invitation_id'),
		createdBy: uuid('created_by').notNull().references(() => users.id),
		createdAt: createdAt()
	},
	(t) => [index('employee_requests_employee_idx').on(t.employeeId, t.createdAt)]
);

/** WebAuthn credentials (passkeys, security keys) of handlers; the wrapped keys per credential live in handler_key_wraps. */
export const webauthnCredentials = pgTable(
	'webauthn_credentials',
	{
		/** The credential id, base64url. */
		id: text('id').primaryKey(),
		userId: uuid('user_id').notNull().references(() => users.id),
		publicKey: bytea('public_key').notNull(),
		counter: bigint('counter', { mode: 'number' }).notNull().default(0),
		transports: text('transports'),
		name: text('name').notNull(),
		/** Whether the authenticator returned PRF output at registration (can unlock keys). */
		prf: boolean('prf').notNull().default(false),
		/** The PRF input (salt) for this credential, base64url; not secret. */
		prfSalt: text('prf_salt'),
		createdAt: createdAt(),
		lastUsedAt: tz('last_used_at')
	},
	(t) => [index('webauthn_credentials_user_idx').on(t.userId)]
);

/**
 * Employees' passkeys: sign-in with a touch, and the device key sealed under a key derived from the
 * passkey's PRF output in the employee's browser (`src/lib/crypto/employee.ts`), ciphertext only.
 */
export const employeePasskeys = pgTable(
	'employee_passkeys',
	{
		/** The credential id, base64url. */
		id: text('id').primaryKey(),
		employeeId: uuid('employee_id').notNull().references(() => employees.id),
		publicKey: bytea('public_key').notNull(),
		counter: bigint('counter', { mode: 'number' }).notNull().default(0),
		transports: text('transports'),
		wrappedDevice: bytea('wrapped_device').notNull(),
		createdAt: createdAt(),
		lastUsedAt: tz('last_used_at')
	},
	(t) => [index('employee_passkeys_employee_idx').on(t.employeeId)]
);

/** Outstanding WebAuthn challenges (single use, short-lived). */
export const webauthnChallenges = pgTable('webauthn_challenges', {
	id: uuid('id').primaryKey().defaultRandom(),
	userId: uuid('user_id').references(() => users.id),
	/** For an employee's passkey registration: whose it is. */
	employeeId: uuid('employee_id').references(() => employees.id),
	purpose: text('purpose', { enum: ['register', 'authenticate', 'second_factor'] }).notNull(),
	challenge: text('challenge').notNull(),
	expiresAt: tz('expires_at').notNull()
});

/** Sealed submissions. The id is generated in the employee's browser and sealed inside the envelope. */
export const submissions = pgTable(
	'submissions',
	{
		id: uuid('id').primaryKey(),
		companyId: uuid('company_id').notNull().references(() => companies.id),
		employeeId: uuid('employee_id').notNull().references(() => employees.id),
		epoch: integer('epoch').notNull(),
		/** `record`: the employee's details; `decline`: 「提供しない」 with its reason (sealed like a record). */
		kind: text('kind', { enum: ['record', 'decline'] }).notNull(),
		/**
		 * Where the submission stands (issue 4 item 9). `superseded`: a correction replaced it; it stays
		 * for the history but is no longer the employee's current submission.
		 */
		status: text('status', { enum: ['submitted', 'accepted', 'returned', 'superseded'] }).notNull().default('submitted'),
		/** A handler's reason for returning it, shown to the employee (checked to hold no 12-digit number). */
		statusReason: text('status_reason'),
		statusAt: tz('status_at'),
		/** SHA-256 (base64url) of each sealed image of the submission, in item order; the sealed record lists the same. */
		imageHashes: jsonb('image_hashes').$type<string[]>().notNull().default([]),
		/** The earlier submission this one corrects. */
		supersedes: uuid('supersedes'),
		/** The invitation whose registered device signed the envelope (null before device keys existed). */
		invitationId: uuid('invitation_id'),
		ciphertext: bytea('ciphertext').notNull(),
		size: integer('size').notNull(),
		/**
		 * After a handler verified it (device signature, context), the record re-sealed under the
		 * epoch's data key, so bulk export needs no public-key operation per record (issue 3 item 10).
		 */
		verifiedRecord: bytea('verified_record'),
		verifiedAt: tz('verified_at'),
		verifiedBy: uuid('verified_by').references(() => users.id),
		/**
		 * Set when a handler entered it on the employee's behalf from mailed or handed-over copies (seed:
		 * 担当者が登録): that handler's signing key, vouched for by the company root, signed it.
		 */
		enteredBy: uuid('entered_by').references(() => users.id),
		/** When the document photos were deleted after acceptance (data minimisation); the record stays. */
		imagesDeletedAt: tz('images_deleted_at'),
		/**
		 * The last four digits of the record's number, sealed under the data key when a handler first
		 * verified it, so lists can show 「**** **** 1234」 without releasing the record (issue 6 item 1).
		 */
		sealedMask: bytea('sealed_mask'),
		createdAt: createdAt()
	},
	(t) => [index('submissions_employee_idx').on(t.employeeId, t.createdAt)]
);

/**
 * Sealed document photos, one age file each. They arrive before their record: a submission is
 * complete (visible to handlers) only once its record names exactly these hashes, so an upload cut
 * off halfway leaves no half submission behind.
 */
export const submissionImages = pgTable(
	'submission_images',
	{
		submissionId: uuid('submission_id').notNull(),
		itemIndex: integer('item_index').notNull(),
		companyId: uuid('company_id').notNull().references(() => companies.id),
		employeeId: uuid('employee_id').notNull().references(() => employees.id),
		ciphertext: bytea('ciphertext').notNull(),
		size: integer('size').notNull(),
		sha256: text('sha256').notNull(),
		createdAt: createdAt()
	},
	(t) => [primaryKey({ columns: [t.submissionId, t.itemIndex] })]
);

/** Server-side sessions; the cookie carries a random token, the table only its hash. */
export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		kind: text('kind', { enum: ['handler', 'employee'] }).notNull(),
		userId: uuid('user_id').references(() => users.id),
		employeeId: uuid('employee_id').references(() => employees.id),
		/** For an employee: the invitation redeemed to start this session, whose device signs its uploads. */
		invitationId: uuid('invitation_id'),
		createdAt: createdAt(),
		lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
		expiresAt: tz('expires_at').notNull()
	},
	(t) => [index('sessions_user_idx').on(t.userId)]
);

/** Failed sign-in counters per account and per IP, in the database so they hold across processes. */
export const loginThrottle = pgTable('login_throttle', {
	key: text('key').primaryKey(),
	failures: integer('failures').notNull().default(0),
	lastFailureAt: tz('last_failure_at').notNull(),
	lockedUntil: tz('locked_until')
});

/**
 * The append-only, hash-chained handling history. A trigger refuses UPDATE, DELETE and
 * TRUNCATE (migration 0001). `seq` is assigned under an advisory lock, never by a sequence,
 * so a crash cannot leave a gap in the chain.
 */
/**
 * Disposal records (issue 6 item 3, seed 4-1 廃棄・証明): who disposed of whose data, when, which
 * documents, approved by which 責任者. Never the number or the name: the person is named by code.
 */
export const disposals = pgTable(
	'disposals',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** Disposals made together share a batch: one certificate lists them. */
		batchId: uuid('batch_id').notNull(),
		companyId: uuid('company_id').notNull().references(() => companies.id),
		employeeId: uuid('employee_id').notNull().references(() => employees.id),
		employeeCode: text('employee_code').notNull(),
		employeeKind: text('employee_kind', { enum: ['employee', 'payee'] }).notNull(),
		/** What was deleted, as counts and kinds of documents (no content). */
		submissions: integer('submissions').notNull(),
		images: integer('images').notNull(),
		documents: jsonb('documents').$type<string[]>().notNull().default([]),
		/** Why: the retention period ended, the person asked, or another reason typed in `note`. */
		basis: text('basis', { enum: ['retention_expired', 'no_longer_needed', 'request', 'other'] }).notNull(),
		note: text('note'),
		responsibleId: uuid('responsible_id').notNull().references(() => users.id),
		disposedBy: uuid('disposed_by').notNull().references(() => users.id),
		disposedAt: tz('disposed_at').notNull()
	},
	(t) => [index('disposals_company_idx').on(t.companyId, t.disposedAt), index('disposals_batch_idx').on(t.batchId)]
);

/** Saved CSV download formats per company (issue 6 item 2): columns, order, headers, encoding, dates. */
export const exportFormats = pgTable(
	'export_formats',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		companyId: uuid('company_id').notNull().references(() => companies.id),
		name: text('name').notNull(),
		/** The format's definition (src/lib/exports): no personal data, only column choices and options. */
		definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
		createdBy: uuid('created_by').notNull().references(() => users.id),
		createdAt: createdAt(),
		updatedAt: tz('updated_at').notNull().defaultNow()
	},
	(t) => [uniqueIndex('export_formats_company_name_uq').on(t.companyId, t.name)]
);

export const auditEvents = pgTable(
	'audit_events',
	{
		seq: bigint('seq', { mode: 'number' }).primaryKey(),
		at: tz('at').notNull(),
		orgId: uuid('org_id'),
		companyId: uuid('company_id'),
		actorType: text('actor_type', { enum: ['anonymous', 'handler', 'employee', 'system'] }).notNull(),
		actorId: uuid('actor_id'),
		actorLabel: text('actor_label'),
		action: text('action').notNull(),
		targetType: text('target_type'),
		targetId: text('target_id'),
		purpose: text('purpose'),
		reason: text('reason'),
		result: text('result', { enum: ['ok', 'denied', 'error'] }).notNull(),
		ip: text('ip'),
		userAgent: text('user_agent'),
		detail: jsonb('detail').$type<Record<string, string | number | boolean | null>>(),
		prevHash: text('prev_hash').notNull().unique(),
		hash: text('hash').notNull().unique()
	},
	(t) => [
		index('audit_events_company_idx').on(t.companyId, t.seq),
		// The history's filters (issue 6 item 4): organisation, user, person as target or as subject.
		index('audit_events_org_idx').on(t.orgId, t.seq),
		index('audit_events_actor_idx').on(t.actorId, t.seq),
		index('audit_events_target_idx').on(t.targetId, t.seq),
		index('audit_events_detail_employee_idx').on(sql`(${t.detail} ->> 'employeeId')`, t.seq),
		// A rare operation in a long history (e.g. exports among 100,000 events) without walking it all.
		index('audit_events_company_action_idx').on(t.companyId, t.action, t.seq)
	]
);

/**
 * Checkpoints of the audit chain (CRYPTO.md "Audit trail"): a handler's browser signed "the chain
 * had `seq` events and its head was `head`" with that handler's Ed25519 key. Anyone who rewrites
 * the audit table, even recomputing every hash, cannot make these signatures fit. Append-only.
 */
export const auditCheckpoints = pgTable(
	'audit_checkpoints',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		seq: bigint('seq', { mode: 'number' }).notNull(),
		head: text('head').notNull(),
		userId: uuid('user_id').notNull().references(() => users.id),
		/** When the browser signed it (part of the signed statement). */
		signedAt: tz('signed_at').notNull(),
		/** Ed25519 over canonical `{v, seq, head, userId, signedAt}`, base64url. */
		signature: text('signature').notNull(),
		createdAt: createdAt()
	},
	(t) => [index('audit_checkpoints_seq_idx').on(t.seq), index('audit_checkpoints_user_idx').on(t.userId, t.seq)]
);
