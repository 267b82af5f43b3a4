/**
 * The 利用目的 (purposes of use) a company notifies before it collects numbers (DOMAIN.md §5).
 * Codes only: the server stores and checks them, the UI shows their translated names.
 *
 * @module
 */

/** Every purpose the product knows, in the order they are listed. */
export const PURPOSES = [
	'withholding', // 源泉徴収票・支払調書作成事務
	'employment_insurance', // 雇用保険届出事務
	'social_insurance', // 健康保険・厚生年金保険届出事務
	'workers_comp', // 労働者災害補償保険法に基づく請求事務
	'national_pension_3', // 国民年金第3号被保険者の届出事務
	'payment_report' // 報酬・料金等の支払調書作成事務: what payees (取引先・個人事業主) are usually asked for
] as const;

export type Purpose = (typeof PURPOSES)[number];

/** What a new company notifies unless it chooses otherwise. */
export const DEFAULT_PURPOSES: readonly Purpose[] = ['withholding', 'employment_insurance', 'social_insurance'];

/** Narrows a string to a known purpose code. */
export function isPurpose(value: string): value is Purpose {
	return (PURPOSES as readonly string[]).includes(value);
}
