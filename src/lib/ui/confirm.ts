/**
 * The comparison behind a typed confirmation (`ConfirmDialog.svelte`): the user types a given word
 * (a company name, a user ID, 「廃棄」) before a destructive button enables. Width, case and spacing
 * do not matter (an IME may give ＡＢＣ or ａｂｃ, a paste may bring spaces); the characters do.
 *
 * @module
 */

/** NFKC, lower case, and spaces (including full-width ones) collapsed and trimmed. */
export function normaliseTyped(text: string): string {
	return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Whether `typed` is the confirmation `word`. An empty word never matches (nothing to confirm against). */
export function typedMatches(typed: string, word: string): boolean {
	const expected = normaliseTyped(word);
	return expected !== '' && normaliseTyped(typed) === expected;
}

/**
 * Whether to say "does not match" yet: only once the user typed as much as the word (or left the
 * field), so nobody is scolded halfway through typing.
 */
export function showMismatch(typed: string, word: string, left: boolean): boolean {
	const t = normaliseTyped(typed);
	if (t === '' || typedMatches(typed, word)) return false;
	return left || [...t].length >= [...normaliseTyped(word)].length;
}
