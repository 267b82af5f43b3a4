/**
 * The UI speaks through the message files only (issue 9 item 7): every key exists in Japanese and
 * English with the same placeholders, and no .svelte file shows text that is not a message.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
/** The message files of one language, as project.inlang/settings.json lists them (one pair per area). */
const patterns = (JSON.parse(readFileSync(join(root, 'project.inlang/settings.json'), 'utf8'))['plugin.inlang.messageFormat'].pathPattern as string[]) ?? [];
function load(lang: string): Record<string, unknown> {
	const merged: Record<string, unknown> = {};
	for (const pattern of patterns) {
		const file = JSON.parse(readFileSync(join(root, pattern.replace('{locale}', lang)), 'utf8')) as Record<string, unknown>;
		for (const [key, value] of Object.entries(file)) {
			if (key === '$schema') continue;
			if (key in merged) throw new Error(`message ${key} is defined twice (${pattern.replace('{locale}', lang)})`);
			merged[key] = value;
		}
	}
	return merged;
}
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Text a person would read in a component's markup: outside scripts, styles, comments and `{expressions}`. */
export function literalsOf(source: string): string[] {
	let markup = source.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '').replace(/<!--[\s\S]*?-->/g, '');
	for (let previous = ''; previous !== markup; ) {
		previous = markup;
		markup = markup.replace(/\{[^{}]*\}/g, '');
	}
	const words = /[A-Za-z\u3040-\u30ff\u4e00-\u9fff]/;
	const found: string[] = [];
	for (const m of markup.matchAll(/\b(?:placeholder|aria-label|title|alt|label)="([^"]*)"/g)) if (words.test(m[1]!)) found.push(m[0]);
	for (const line of markup.replace(/<[^>]*>/g, '\n').split('\n')) if (words.test(line)) found.push(line.trim());
	return found;
}

function svelteFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (name === 'paraglide' || name === 'node_modules') return [];
		return statSync(path).isDirectory() ? svelteFiles(path) : name.endsWith('.svelte') ? [path] : [];
	});
}

describe('message files', () => {
	const ja = load('ja');
	const en = load('en');

	it('hold the same keys in both languages, none empty, with the same placeholders', () => {
		const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => k !== '$schema');
		expect(keys(en).filter((k) => !(k in ja)), 'in English only').toEqual([]);
		expect(keys(ja).filter((k) => !(k in en)), 'in Japanese only').toEqual([]);
		for (const key of keys(ja)) {
			expect(typeof ja[key] === 'string' && (ja[key] as string).trim() !== '', `ja ${key}`).toBe(true);
			expect(typeof en[key] === 'string' && (en[key] as string).trim() !== '', `en ${key}`).toBe(true);
			expect(placeholders(en[key] as string), key).toEqual(placeholders(ja[key] as string));
		}
	});
});

describe('components', () => {
	it('show no text outside the message files', () => {
		const offenders = svelteFiles(join(root, 'src')).flatMap((file) => literalsOf(readFileSync(file, 'utf8')).map((text) => `${relative(root, file)}: ${text}`));
		expect(offenders).toEqual([]);
	});

	it('catch a literal in text and in an attribute (the check can fail)', () => {
		expect(literalsOf('<script>const a = "見本";</script><p>{m.ok()}</p><style>p{}</style>')).toEqual([]);
		expect(literalsOf('<p>保存しました</p>')).toEqual(['保存しました']);
		expect(literalsOf('<input placeholder="Search" />')).toEqual(['placeholder="Search"']);
	});
});
