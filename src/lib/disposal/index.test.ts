import { describe, expect, it } from 'vitest';
import { disposalDueDate, fiscalYearEnd, isDisposalDue, isFiscalYearEndMonth, parseDate, retentionEnd, RETENTION } from './index';

describe('retention and disposal dates', () => {
	it('counts insurance periods from the day after leaving, and the 扶養控除等申告書 from the day after 翌年1月10日', () => {
		expect(retentionEnd('2020-03-31', RETENTION.social_insurance)).toBe('2022-04-01');
		expect(retentionEnd('2020-03-31', RETENTION.workers_comp)).toBe('2023-04-01');
		expect(retentionEnd('2020-03-31', RETENTION.employment_insurance)).toBe('2024-04-01');
		// Left in 2020: the last 申告書 is filed for 2020, kept from 2021-01-11 for 7 years.
		expect(retentionEnd('2020-03-31', RETENTION.withholding)).toBe('2028-01-11');
		expect(retentionEnd('2020-12-31', RETENTION.withholding)).toBe('2028-01-11');
		// 29 February plus whole years lands on 1 March.
		expect(retentionEnd('2024-02-28', RETENTION.social_insurance)).toBe('2026-03-01');
		expect(retentionEnd('not a date', RETENTION.social_insurance)).toBeNull();
	});

	it('takes the latest period of the notified purposes, and nothing without an end date', () => {
		expect(disposalDueDate('2020-03-31', ['withholding', 'employment_insurance', 'social_insurance'])).toEqual({ date: '2028-01-11', purpose: 'withholding' });
		expect(disposalDueDate('2020-03-31', ['employment_insurance', 'social_insurance'])).toEqual({ date: '2024-04-01', purpose: 'employment_insurance' });
		expect(disposalDueDate('2020-03-31', ['social_insurance', 'national_pension_3'])).toEqual({ date: '2022-04-01', purpose: 'social_insurance' });
		expect(disposalDueDate(undefined, ['social_insurance'])).toBeNull();
		expect(disposalDueDate('2020-02-30', ['social_insurance'])).toBeNull();
		expect(disposalDueDate('2020-03-31', [])).toBeNull();
	});

	it('is due on the date itself, not the day before', () => {
		expect(isDisposalDue('2020-03-31', ['social_insurance'], '2022-03-31')).toBe(false);
		expect(isDisposalDue('2020-03-31', ['social_insurance'], '2022-04-01')).toBe(true);
		expect(isDisposalDue(null, ['social_insurance'], '2099-01-01')).toBe(false);
	});

	it('knows the last month of the fiscal year (April–March by default) and its last day', () => {
		expect(isFiscalYearEndMonth('2027-03-01')).toBe(true);
		expect(isFiscalYearEndMonth('2027-03-31')).toBe(true);
		expect(isFiscalYearEndMonth('2027-04-01')).toBe(false);
		expect(isFiscalYearEndMonth('2026-12-15')).toBe(false);
		expect(isFiscalYearEndMonth('2026-12-15', 1)).toBe(true);
		expect(fiscalYearEnd('2026-11-23')).toBe('2027-03-31');
		expect(fiscalYearEnd('2027-03-10')).toBe('2027-03-31');
		expect(fiscalYearEnd('2027-04-01')).toBe('2028-03-31');
		expect(fiscalYearEnd('2026-06-01', 1)).toBe('2026-12-31');
		expect(parseDate('2026-13-01')).toBeNull();
	});
});
