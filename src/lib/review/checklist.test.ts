import { describe, expect, it } from 'vitest';
import { checklistFor, compareOcr } from './checklist';

const ids = (record: Parameters<typeof checklistFor>[0]) => checklistFor(record).map((c) => c.id);

describe('checklistFor', () => {
	it('a マイナンバーカード needs its back for the number and its front for identity', () => {
		expect(ids({ identityEvidence: { evidence: 'card', identity: null } })).toEqual(['number_matches', 'card_back', 'card_front']);
	});

	it('a 通知カード needs current details and one photo ID or two IDs', () => {
		expect(ids({ identityEvidence: { evidence: 'notification_card', identity: 'photo_id' } })).toEqual(['number_matches', 'notification_current', 'photo_id']);
		expect(ids({ identityEvidence: { evidence: 'notification_card', identity: 'two_ids' } })).toEqual(['number_matches', 'notification_current', 'two_ids']);
	});

	it('a 住民票の写し must show the number', () => {
		expect(ids({ identityEvidence: { evidence: 'resident_record', identity: 'two_ids' } })).toEqual(['number_matches', 'resident_record_number', 'two_ids']);
	});

	it('an unknown combination still asks for both checks, the strictest identity one', () => {
		const checks = checklistFor({});
		expect(checks.map((c) => c.group)).toEqual(['number', 'number', 'identity']);
		expect(checks[2]!.code).toBe('photo_id');
	});

	it('adds the proxy checks only for dependents the company verifies', () => {
		const record = {
			identityEvidence: { evidence: 'card' },
			dependents: [{ verification: 'employee' }, { verification: 'company_via_proxy' }]
		};
		const checks = checklistFor(record);
		expect(checks.slice(3)).toEqual([
			{ id: 'dependent_number:1', code: 'dependent_number', group: 'dependent', dependent: 1 },
			{ id: 'power_of_attorney:1', code: 'power_of_attorney', group: 'dependent', dependent: 1 }
		]);
		// Ids are unique, so ticking one never ticks another.
		expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
	});
});

describe('compareOcr', () => {
	it('matches the accepted reading or a candidate', () => {
		expect(compareOcr('123456789018', { number: '123456789018', candidates: [] })).toBe('match');
		expect(compareOcr('123456789018', { number: null, candidates: ['999999999999', '123456789018'] })).toBe('match');
	});
	it('reports a different reading as a mismatch and nothing read as unread', () => {
		expect(compareOcr('123456789018', { number: '234567890125', candidates: ['234567890125'] })).toBe('mismatch');
		expect(compareOcr('123456789018', { number: null, candidates: [] })).toBe('unread');
	});
});
