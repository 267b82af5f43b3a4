/**
 * @module The two kinds of person a company asks for a My Number (issue 5 item 3): its employees,
 * and payees who are not on its payroll (取引先・個人事業主, for 支払調書). Both are asked the same
 * way (letter, phone app, verification); only the wording differs, and payees have no department
 * or employment status. The server stores the code in `employees.kind`.
 */

/** Every kind, employees first (the default). */
export const PERSON_KINDS = ['employee', 'payee'] as const;

export type PersonKind = (typeof PERSON_KINDS)[number];
