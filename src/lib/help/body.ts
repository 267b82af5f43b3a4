/**
 * The help bodies' tiny format: paragraphs separated by a blank line; a line starting with "- "
 * is a list item, and consecutive items form one list. Plain text only (no HTML), so a message can
 * never inject markup. Pure: `HelpBody.svelte` renders what this returns.
 *
 * @module
 */

export type HelpBlock = { kind: 'paragraph'; text: string } | { kind: 'list'; items: string[] };

/** Splits a help body into paragraphs and lists, in order; blank input gives no blocks. */
export function parseHelpBody(text: string): HelpBlock[] {
	const blocks: HelpBlock[] = [];
	for (const chunk of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
		let paragraph: string[] = [];
		let list: string[] = [];
		const flushParagraph = () => {
			if (paragraph.length) blocks.push({ kind: 'paragraph', text: paragraph.join('\n') });
			paragraph = [];
		};
		const flushList = () => {
			if (list.length) blocks.push({ kind: 'list', items: list });
			list = [];
		};
		for (const raw of chunk.split('\n')) {
			const line = raw.trim();
			if (!line) continue;
			if (line.startsWith('- ')) {
				flushParagraph();
				list.push(line.slice(2).trim());
			} else {
				flushList();
				paragraph.push(line);
			}
		}
		flushParagraph();
		flushList();
	}
	return blocks;
}
