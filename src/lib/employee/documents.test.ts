import { describe, expect, it } from 'vitest';
import { choiceError, defaultVerification, dependentSlots, requiredSlots, type DocumentChoice } from './documents';

const choice = (c: Partial<DocumentChoice>): DocumentChoice => ({ evidence: null, notificationUnchanged: false, identity: null, ...c });

describe('document combinations', () => {
	it('takes a マイナンバーカード alone, front and back', () => {
		expect(choiceError(choice({ evidence: 'card' }))).toBeNull();
		expect(requiredSlots(choice({ evidence: 'card', identity: 'two_ids' }))).toEqual(['card_front', 'card_back']);
	});
	it('needs identity documents with a 通知カード or a 住民票', () => {
		expect(choiceError(choice({ evidence: 'resident_record' }))).toBe('identity_missing');
		expect(requiredSlots(choice({ evidence: 'resident_record', identity: 'photo_id' }))).toEqual(['resident_record', 'photo_id']);
		expect(requiredSlots(choice({ evidence: 'notification_card', notificationUnchanged: true, identity: 'two_ids' }))).toEqual(['notification_card', 'id_1', 'id_2']);
	});
	it('refuses a 通知カード whose details changed, and the 個人番号通知書', () => {
		expect(choiceError(choice({ evidence: 'notification_card', identity: 'photo_id' }))).toBe('notification_changed');
		expect(choiceError(choice({ evidence: 'notice', identity: 'photo_id' }))).toBe('notice_not_accepted');
		expect(requiredSlots(choice({ evidence: 'notice', identity: 'photo_id' }))).toEqual([]);
		expect(choiceError(choice({}))).toBe('evidence_missing');
	});
	it("asks the company's check for a spouse only under 第3号被保険者", () => {
		expect(defaultVerification('spouse', ['withholding', 'national_pension_3'])).toBe('company_via_proxy');
		expect(defaultVerification('spouse', ['withholding'])).toBe('employee');
		expect(defaultVerification('child', ['national_pension_3'])).toBe('employee');
		expect(dependentSlots('company_via_proxy')).toEqual(['dependent_number', 'power_of_attorney']);
		expect(dependentSlots('employee')).toEqual([]);
	});
});
