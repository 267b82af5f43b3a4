import { describe, expect, it } from 'vitest';
import { parseHelpBody } from './body';

describe('parseHelpBody', () => {
	it('splits paragraphs at blank lines', () => {
		expect(parseHelpBody('一つ目。\n\n二つ目。')).toEqual([
			{ kind: 'paragraph', text: '一つ目。' },
			{ kind: 'paragraph', text: '二つ目。' }
		]);
	});

	it('groups "- " lines into one list, also right after a paragraph line', () => {
		expect(parseHelpBody('手順：\n- 開く\n- 入力する\n\nおわり')).toEqual([
			{ kind: 'paragraph', text: '手順：' },
			{ kind: 'list', items: ['開く', '入力する'] },
			{ kind: 'paragraph', text: 'おわり' }
		]);
	});

	it('ends a list at a plain line and keeps the order', () => {
		expect(parseHelpBody('- a\n- b\nafter\n- c')).toEqual([
			{ kind: 'list', items: ['a', 'b'] },
			{ kind: 'paragraph', text: 'after' },
			{ kind: 'list', items: ['c'] }
		]);
	});

	it('tolerates CRLF, extra blank lines and spaces; a hyphen without a space is text', () => {
		expect(parseHelpBody('\r\n\r\n  x  \r\n\r\n\r\n-y\r\n')).toEqual([
			{ kind: 'paragraph', text: 'x' },
			{ kind: 'paragraph', text: '-y' }
		]);
		expect(parseHelpBody('')).toEqual([]);
		expect(parseHelpBody(' \n \n')).toEqual([]);
	});

	it('returns text, never markup', () => {
		expect(parseHelpBody('<b>x</b>')).toEqual([{ kind: 'paragraph', text: '<b>x</b>' }]);
	});
});
