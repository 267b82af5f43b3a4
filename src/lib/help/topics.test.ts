import { afterEach, describe, expect, it } from 'vitest';
import { overwriteGetLocale, type Locale } from '$lib/paraglide/runtime';
import { parseHelpBody } from './body';
import { HELP_TITLES, HELP_TOPIC_IDS, isHelpTopicId } from './ids';
import { HELP_TOPICS, helpTopic, normaliseForSearch, searchHelp, type HelpTopic } from './topics';

function inLocale<T>(locale: Locale, read: () => T): T {
	overwriteGetLocale(() => locale);
	return read();
}
afterEach(() => overwriteGetLocale(() => 'ja'));

/** A made-up topic for the search tests (the real texts may change). */
const fake = (id: string, title: string, body: string, keywords?: string): HelpTopic =>
	({ id, audience: 'employee', title: () => title, body: () => body, ...(keywords ? { keywords: () => keywords } : {}) }) as unknown as HelpTopic;

describe('help topics', () => {
	it('have unique ids, one entry per id, in the order of the id list', () => {
		expect(new Set(HELP_TOPIC_IDS).size).toBe(HELP_TOPIC_IDS.length);
		expect(HELP_TOPICS.map((t) => t.id)).toEqual([...HELP_TOPIC_IDS]);
		expect(Object.keys(HELP_TITLES).sort()).toEqual([...HELP_TOPIC_IDS].sort());
		for (const id of HELP_TOPIC_IDS) expect(helpTopic(id).id).toBe(id);
	});

	it('ids are usable as URL fragments and element ids', () => {
		for (const id of HELP_TOPIC_IDS) expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
		expect(isHelpTopicId('decline')).toBe(true);
		expect(isHelpTopicId('no-such-topic')).toBe(false);
	});

	it('cover both audiences, with the topics the issue asks for', () => {
		const employee = HELP_TOPICS.filter((t) => t.audience === 'employee').map((t) => t.id);
		const handler = HELP_TOPICS.filter((t) => t.audience === 'handler').map((t) => t.id);
		expect(employee).toEqual(expect.arrayContaining(['what-is-my-number', 'why-asked', 'documents', 'decline', 'protection', 'offline', 'lost-password', 'new-phone', 'dependents']));
		expect(handler).toEqual(
			expect.arrayContaining(['handler-collect', 'handler-store', 'handler-use', 'handler-dispose', 'handler-history', 'roles', 'keys', 'recovery-kit', 'partners'])
		);
	});

	for (const locale of ['ja', 'en'] as const) {
		it(`have a title, several paragraphs and keywords in ${locale}`, () => {
			inLocale(locale, () => {
				for (const topic of HELP_TOPICS) {
					expect(topic.title().trim(), `${topic.id} title`).not.toBe('');
					expect(topic.keywords?.().trim() ?? '', `${topic.id} keywords`).not.toBe('');
					const blocks = parseHelpBody(topic.body());
					expect(blocks.length, `${topic.id} body`).toBeGreaterThanOrEqual(3);
				}
			});
		});
	}

	it('are really translated: Japanese and English differ', () => {
		for (const topic of HELP_TOPICS) {
			const ja = inLocale('ja', () => [topic.title(), topic.body()]);
			const en = inLocale('en', () => [topic.title(), topic.body()]);
			expect(en[0], topic.id).not.toBe(ja[0]);
			expect(en[1], topic.id).not.toBe(ja[1]);
			// English text is mostly Latin script; Japanese mostly not.
			expect(en[1]!.replace(/[^A-Za-z]/g, '').length / en[1]!.length, topic.id).toBeGreaterThan(0.5);
			expect(ja[1]!.replace(/[^\u3040-\u30ff\u4e00-\u9fff]/g, '').length / ja[1]!.length, topic.id).toBeGreaterThan(0.4);
		}
	});

	it('have distinct titles in each language', () => {
		for (const locale of ['ja', 'en'] as const) {
			const titles = inLocale(locale, () => HELP_TOPICS.map((t) => t.title()));
			expect(new Set(titles).size, locale).toBe(titles.length);
		}
	});
});

describe('normaliseForSearch', () => {
	it('folds width, case and katakana to hiragana', () => {
		expect(normaliseForSearch('ＣＳＶ　Ｆｉｌｅ')).toBe('csv file');
		expect(normaliseForSearch('パスワード')).toBe('ぱすわーど');
		expect(normaliseForSearch('ﾊﾟｽﾜｰﾄﾞ')).toBe('ぱすわーど');
		expect(normaliseForSearch('マイナンバー１２桁')).toBe('まいなんばー12桁');
	});
});

describe('searchHelp', () => {
	const topics = [
		fake('a', '書類の撮影', 'カードの表面と裏面を撮影します。', 'カメラ photo'),
		fake('b', '扶養家族', '配偶者の書類は会社が確認します。'),
		fake('c', 'パスワードを忘れたとき', '通知書の再発行を頼みます。', 'password forgot')
	];

	it('returns every topic, in order, for an empty or blank query', () => {
		expect(searchHelp('', topics).map((t) => t.id)).toEqual(['a', 'b', 'c']);
		expect(searchHelp(' 　 ', topics).map((t) => t.id)).toEqual(['a', 'b', 'c']);
	});

	it('finds nothing for a term that occurs nowhere (the search can fail)', () => {
		expect(searchHelp('存在しない言葉', topics)).toEqual([]);
		expect(searchHelp('zzzz', HELP_TOPICS)).toEqual([]);
	});

	it('matches title, body and keywords, ignoring case, width and kana', () => {
		expect(searchHelp('配偶者', topics).map((t) => t.id)).toEqual(['b']);
		expect(searchHelp('PHOTO', topics).map((t) => t.id)).toEqual(['a']);
		expect(searchHelp('ぱすわーど', topics).map((t) => t.id)).toEqual(['c']);
		expect(searchHelp('ｶﾒﾗ', topics).map((t) => t.id)).toEqual(['a']);
		expect(searchHelp('Ｐａｓｓｗｏｒｄ', topics).map((t) => t.id)).toEqual(['c']);
	});

	it('requires every space-separated term (also an ideographic space)', () => {
		expect(searchHelp('書類 会社', topics).map((t) => t.id)).toEqual(['b']);
		expect(searchHelp('書類　裏面', topics).map((t) => t.id)).toEqual(['a']);
		expect(searchHelp('書類 パスワード', topics)).toEqual([]);
	});

	it('ranks title hits first, then keeps the given order', () => {
		expect(searchHelp('書類', topics).map((t) => t.id)).toEqual(['a', 'b']);
		const reordered = [topics[1]!, topics[0]!];
		// 「撮影」 is in a's title and in no other: a comes first although it is listed second.
		expect(searchHelp('撮影', reordered).map((t) => t.id)).toEqual(['a']);
		const both = [fake('x', '鍵', '本文'), fake('y', '別の題', '鍵について'), fake('z', '鍵と番号', '鍵')];
		expect(searchHelp('鍵', [both[1]!, both[0]!, both[2]!]).map((t) => t.id)).toEqual(['x', 'z', 'y']);
	});

	it('finds the real entries in both languages', () => {
		inLocale('ja', () => {
			expect(searchHelp('パスワード', HELP_TOPICS)[0]!.id).toBe('lost-password');
			expect(searchHelp('ぱすわーど 忘れ', HELP_TOPICS).map((t) => t.id)).toContain('lost-password');
			expect(searchHelp('廃棄', HELP_TOPICS)[0]!.id).toBe('handler-dispose');
			expect(searchHelp('ＣＳＶ', HELP_TOPICS).map((t) => t.id)).toEqual(expect.arrayContaining(['roster', 'handler-use']));
		});
		inLocale('en', () => {
			expect(searchHelp('passphrase', HELP_TOPICS)[0]!.id).toBe('keys');
			expect(searchHelp('NEW PHONE', HELP_TOPICS)[0]!.id).toBe('new-phone');
		});
	});
});
