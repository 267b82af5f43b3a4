/**
 * @module The operations of the handling history (取扱い履歴, issue 6 item 4) as a runtime list, and
 * the groups its filter offers. Framework-free: the server validates filters with it, the browser
 * builds its menus from it. The compile-time check below fails `npm run check` when the server
 * gains an action this list (and so the UI's labels) does not know.
 */
import type { AuditAction } from '../../../server/audit';

/** Every action the server records, in the order the filter menu lists them. */
export const HISTORY_ACTIONS = [
	'login',
	'logout',
	'passkey_login',
	'second_factor',
	'password_change',
	'employee_login',
	'employee_join',
	'setup',
	'org_settings_update',
	'org_details_update',
	'partner_invite',
	'partner_invite_cancel',
	'partner_join',
	'partner_end',
	'user_create',
	'account_unlock',
	'handler_key_create',
	'passkey_register',
	'passkey_rename',
	'passkey_remove',
	'company_create',
	'recovery_kit_confirm',
	'purposes_update',
	'company_details_update',
	'image_retention_update',
	'key_grant',
	'key_pin',
	'key_revoke',
	'employee_create',
	'employee_import',
	'employee_invite',
	'reminders_issue',
	'submit',
	'decline',
	'enter_on_behalf',
	'accept',
	'return',
	'reveal',
	'reveal_image',
	'verify',
	'export',
	'history_export',
	'audit_alarm',
	'export_format_save',
	'export_format_remove',
	'dispose',
	'photos_swept',
	'photos_minimised'
] as const satisfies readonly AuditAction[];

export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

// Exhaustiveness: an AuditAction missing above makes this line a type error.
type Missing = Exclude<AuditAction, HistoryAction>;
const exhaustive: [Missing] extends [never] ? true : Missing = true;
void exhaustive;

/**
 * Filter groups: one choice in the menu covers related actions (sign-in covers sign-out and failed
 * sign-ins too, since a failure is a `login` with result `denied`).
 */
export const ACTION_GROUPS = {
	sign_in: ['login', 'logout', 'passkey_login', 'second_factor', 'employee_login', 'employee_join'],
	view: ['reveal', 'reveal_image'],
	review: ['submit', 'decline', 'enter_on_behalf', 'accept', 'return', 'verify'],
	output: ['export', 'history_export', 'export_format_save', 'export_format_remove', 'employee_import', 'employee_invite', 'reminders_issue'],
	disposal: ['dispose', 'photos_swept', 'photos_minimised'],
	keys: ['audit_alarm', 'handler_key_create', 'key_grant', 'key_pin', 'key_revoke', 'recovery_kit_confirm', 'passkey_register', 'passkey_rename', 'passkey_remove'],
	settings: ['org_settings_update', 'org_details_update', 'purposes_update', 'company_details_update', 'image_retention_update', 'password_change', 'user_create', 'account_unlock']
} as const satisfies Record<string, readonly HistoryAction[]>;

export type ActionGroup = keyof typeof ACTION_GROUPS;
export const ACTION_GROUP_NAMES = Object.keys(ACTION_GROUPS) as [ActionGroup, ...ActionGroup[]];

/** Largest page of `audit.search`. */
export const HISTORY_PAGE_MAX = 200;
/** Most rows one report (`audit.report`) carries; a longer history is narrowed by period. */
export const HISTORY_REPORT_MAX = 10_000;
