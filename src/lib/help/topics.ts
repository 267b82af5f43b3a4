/**
 * The in-app help (issue: "In-app help, in your own words"): every entry for employees and for
 * handlers, and the search over them. The texts are paraglide messages, so they are part of the
 * bundle (the help works offline) and follow the language switch.
 *
 * Bodies are plain text: paragraphs separated by a blank line, list items on lines starting with
 * "- " (see `body.ts`).
 *
 * @module
 */
import { m } from '$lib/paraglide/messages';
import { HELP_TITLES, HELP_TOPIC_IDS, type HelpAudience, type HelpTopicId } from './ids';

export { HELP_TOPIC_IDS, isHelpTopicId, type HelpAudience, type HelpTopicId } from './ids';

/** One help entry. Message functions, not strings: the text is read in the current language. */
export interface HelpTopic {
	id: HelpTopicId;
	audience: HelpAudience;
	title: () => string;
	body: () => string;
	/** Extra words people may search for (synonyms, other spellings); never shown. */
	keywords?: () => string;
}

/** Everything but the id and title, per topic; a `Record` so a topic without content fails to compile. */
const CONTENT: Readonly<Record<HelpTopicId, Pick<HelpTopic, 'audience' | 'body' | 'keywords'>>> = {
	'what-is-my-number': { audience: 'employee', body: m.help_what_is_my_number_body, keywords: m.help_what_is_my_number_keywords },
	'why-asked': { audience: 'employee', body: m.help_why_asked_body, keywords: m.help_why_asked_keywords },
	documents: { audience: 'employee', body: m.help_documents_body, keywords: m.help_documents_keywords },
	photos: { audience: 'employee', body: m.help_photos_body, keywords: m.help_photos_keywords },
	decline: { audience: 'employee', body: m.help_decline_body, keywords: m.help_decline_keywords },
	protection: { audience: 'employee', body: m.help_protection_body, keywords: m.help_protection_keywords },
	offline: { audience: 'employee', body: m.help_offline_body, keywords: m.help_offline_keywords },
	'lost-password': { audience: 'employee', body: m.help_lost_password_body, keywords: m.help_lost_password_keywords },
	'new-phone': { audience: 'employee', body: m.help_new_phone_body, keywords: m.help_new_phone_keywords },
	dependents: { audience: 'employee', body: m.help_dependents_body, keywords: m.help_dependents_keywords },
	status: { audience: 'employee', body: m.help_status_body, keywords: m.help_status_keywords },
	'getting-started': { audience: 'handler', body: m.help_getting_started_body, keywords: m.help_getting_started_keywords },
	'handler-collect': { audience: 'handler', body: m.help_handler_collect_body, keywords: m.help_handler_collect_keywords },
	'handler-store': { audience: 'handler', body: m.help_handler_store_body, keywords: m.help_handler_store_keywords },
	'handler-use': { audience: 'handler', body: m.help_handler_use_body, keywords: m.help_handler_use_keywords },
	'handler-dispose': { audience: 'handler', body: m.help_handler_dispose_body, keywords: m.help_handler_dispose_keywords },
	'handler-history': { audience: 'handler', body: m.help_handler_history_body, keywords: m.help_handler_history_keywords },
	roles: { audience: 'handler', body: m.help_roles_body, keywords: m.help_roles_keywords },
	keys: { audience: 'handler', body: m.help_keys_body, keywords: m.help_keys_keywords },
	'recovery-kit': { audience: 'handler', body: m.help_recovery_kit_body, keywords: m.help_recovery_kit_keywords },
	purposes: { audience: 'handler', body: m.help_purposes_body, keywords: m.help_purposes_keywords },
	roster: { audience: 'handler', body: m.help_roster_body, keywords: m.help_roster_keywords },
	letters: { audience: 'handler', body: m.help_letters_body, keywords: m.help_letters_keywords },
	entry: { audience: 'handler', body: m.help_entry_body, keywords: m.help_entry_keywords },
	refusals: { audience: 'handler', body: m.help_refusals_body, keywords: m.help_refusals_keywords },
	partners: { audience: 'handler', body: m.help_partners_body, keywords: m.help_partners_keywords },
	'safety-measures': { audience: 'handler', body: m.help_safety_measures_body, keywords: m.help_safety_measures_keywords }
};

/** Every help entry, in display order. */
export const HELP_TOPICS: readonly HelpTopic[] = HELP_TOPIC_IDS.map((id) => ({ id, title: HELP_TITLES[id], ...CONTENT[id] }));

/** The entry with this id. */
export function helpTopic(id: HelpTopicId): HelpTopic {
	return HELP_TOPICS.find((t) => t.id === id)!;
}

/**
 * Text as the search compares it: NFKC (full-width letters and digits to half-width, half-width
 * katakana to full-width, the ideographic space to a space), lower case, and katakana folded to
 * hiragana, so 「パスワード」, 「ぱすわーど」 and 「ﾊﾟｽﾜｰﾄﾞ」 are the same word.
 */
export function normaliseForSearch(text: string): string {
	return text
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[\u30a1-\u30f6\u30fd\u30fe]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/**
 * The entries matching `query`: every space-separated term must occur in the title, the body or
 * the keywords (after `normaliseForSearch`). Entries with more terms in their title come first;
 * otherwise the given order is kept. An empty query returns every entry. Pure.
 */
export function searchHelp(query: string, topics: readonly HelpTopic[]): HelpTopic[] {
	const terms = normaliseForSearch(query).split(/\s+/).filter(Boolean);
	if (terms.length === 0) return [...topics];
	const hits: { topic: HelpTopic; titleHits: number; order: number }[] = [];
	topics.forEach((topic, order) => {
		const title = normaliseForSearch(topic.title());
		const rest = normaliseForSearch(`${topic.body()}\n${topic.keywords?.() ?? ''}`);
		if (!terms.every((term) => title.includes(term) || rest.includes(term))) return;
		hits.push({ topic, titleHits: terms.filter((term) => title.includes(term)).length, order });
	});
	return hits.sort((a, b) => b.titleHits - a.titleHits || a.order - b.order).map((h) => h.topic);
}
