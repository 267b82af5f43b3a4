/**
 * The in-app help's topic ids and titles. Kept apart from the bodies (`topics.ts`) so that a "?"
 * button can name its entry without pulling every help text into the page: the bodies load only
 * when a help dialog opens or the help page is shown.
 *
 * @module
 */
import { m } from '$lib/paraglide/messages';

/** Every topic, in the order the help page lists them: employees' first, then handlers'. */
export const HELP_TOPIC_IDS = [
	'what-is-my-number',
	'why-asked',
	'documents',
	'photos',
	'decline',
	'protection',
	'offline',
	'lost-password',
	'new-phone',
	'dependents',
	'status',
	'getting-started',
	'handler-collect',
	'handler-store',
	'handler-use',
	'handler-dispose',
	'handler-history',
	'roles',
	'keys',
	'recovery-kit',
	'purposes',
	'roster',
	'letters',
	'entry',
	'refusals',
	'partners',
	'safety-measures'
] as const;

/** A help entry's id; also its element id on `/help`, so `/help#<id>` opens it. */
export type HelpTopicId = (typeof HELP_TOPIC_IDS)[number];

/** Who an entry is written for. */
export type HelpAudience = 'employee' | 'handler';

/** Each topic's title as a message function, so it follows the language switch. */
export const HELP_TITLES: Readonly<Record<HelpTopicId, () => string>> = {
	'what-is-my-number': m.help_what_is_my_number_title,
	'why-asked': m.help_why_asked_title,
	documents: m.help_documents_title,
	photos: m.help_photos_title,
	decline: m.help_decline_title,
	protection: m.help_protection_title,
	offline: m.help_offline_title,
	'lost-password': m.help_lost_password_title,
	'new-phone': m.help_new_phone_title,
	dependents: m.help_dependents_title,
	status: m.help_status_title,
	'getting-started': m.help_getting_started_title,
	'handler-collect': m.help_handler_collect_title,
	'handler-store': m.help_handler_store_title,
	'handler-use': m.help_handler_use_title,
	'handler-dispose': m.help_handler_dispose_title,
	'handler-history': m.help_handler_history_title,
	roles: m.help_roles_title,
	keys: m.help_keys_title,
	'recovery-kit': m.help_recovery_kit_title,
	purposes: m.help_purposes_title,
	roster: m.help_roster_title,
	letters: m.help_letters_title,
	entry: m.help_entry_title,
	refusals: m.help_refusals_title,
	partners: m.help_partners_title,
	'safety-measures': m.help_safety_measures_title
};

/** Narrows a string (a URL fragment, say) to a topic id. */
export function isHelpTopicId(value: string): value is HelpTopicId {
	return (HELP_TOPIC_IDS as readonly string[]).includes(value);
}
