import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_GROUPS, ACTION_MESSAGE_KEYS, csvField, formatHistoryTime, historyCells, historyCsv, historyStrings, HISTORY_ACTIONS, shortBrowser, toCsv, type HistoryEvent } from './index';

const ja = JSON.parse(readFileSync('messages/ja.json', 'utf8')) as Record<string, string>;
const en = JSON.parse(readFileSync('messages/en.json', 'utf8')) as Record<string, string>;
const strings = historyStrings((key) => ja[key] ?? `<missing ${key}>`);

const EMPLOYEE = '6f1c2a9e-0000-4000-8000-000000000001';
const reveal: HistoryEvent = {
	seq: 42,
	at: '2026-04-01T00:30:05.000Z',
	actorLabel: 'sato',
	actorType: 'handler',
	action: 'reveal',
	targetType: 'submission',
	targetId: '0a0b0c0d-0000-4000-8000-000000000009',
	reason: '源泉徴収票作成事務',
	result: 'ok',
	ip: '203.0.113.7',
	userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
	detail: { employeeId: EMPLOYEE }
};

describe('handling history formatting', () => {
	it('has a Japanese and an English label for every action the server records', () => {
		expect(ACTION_MESSAGE_KEYS).toHaveLength(HISTORY_ACTIONS.length);
		for (const key of ACTION_MESSAGE_KEYS) {
			expect(ja[key], key).toBeTruthy();
			expect(en[key], key).toBeTruthy();
		}
		for (const group of Object.keys(ACTION_GROUPS)) expect(ja[`history_group_${group}`], group).toBeTruthy();
		expect(JSON.stringify(strings)).not.toContain('<missing');
	});

	it('writes one event as time (JST), user, operation, person code, result, reason, IP and browser', () => {
		const cells = historyCells(reveal, strings, { employeeCode: (id) => (id === EMPLOYEE ? 'E-0001' : undefined) });
		expect(cells).toEqual(['42', '2026-04-01 09:30:05', 'sato', '番号の閲覧', '従業員 E-0001', '成功', '源泉徴収票作成事務', '203.0.113.7', 'Chrome 126 / Windows']);
		const failed = historyCells({ ...reveal, action: 'login', actorType: 'anonymous', actorLabel: 'nobody', result: 'denied', reason: null, targetType: null, targetId: null, detail: { locked: false } }, strings);
		expect(failed.slice(2, 6)).toEqual(['nobody', 'サインイン', '', '拒否']);
		const system = historyCells({ ...reveal, action: 'photos_swept', actorType: 'system', actorLabel: null, detail: null, targetType: null }, strings);
		expect(system[2]).toBe('システム');
	});

	it('shortens browsers and keeps unknown ones readable', () => {
		expect(shortBrowser('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15')).toBe('Safari 17 / macOS');
		expect(shortBrowser('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87')).toBe('Edge 126 / Windows');
		expect(shortBrowser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1')).toBe('Safari 17 / iOS');
		expect(shortBrowser('Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0')).toBe('Firefox 127 / Linux');
		expect(shortBrowser('vitest')).toBe('vitest');
		expect(shortBrowser(null)).toBe('');
		expect(formatHistoryTime('2026-12-31T15:00:00Z')).toBe('2027-01-01 00:00:00');
	});

	it('escapes CSV fields and defuses formulas', () => {
		expect(csvField('plain')).toBe('plain');
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('two\nlines')).toBe('"two\nlines"');
		expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
		expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
		expect(toCsv([['a', 'b'], ['c', 'd']])).toBe('\uFEFFa,b\r\nc,d\r\n');
	});

	it('makes a CSV report with a BOM, a header and one line per event', () => {
		const csv = historyCsv([reveal, { ...reveal, seq: 41, reason: '扶養控除等申告書, 確認' }], strings);
		expect(csv.startsWith('\uFEFF番号,日時（日本時間）,利用者,操作,対象,結果,理由,IPアドレス,ブラウザ\r\n')).toBe(true);
		const lines = csv.slice(1).trimEnd().split('\r\n');
		expect(lines).toHaveLength(3);
		expect(lines[2]).toContain('"扶養控除等申告書, 確認"');
		// Without the page's code map, the person is named by the start of the id, never by name.
		expect(lines[1]).toContain('従業員 6f1c2a9e');
	});
});
