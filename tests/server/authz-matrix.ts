/**
 * The authorization matrix (issue 7 item 1): for every tRPC procedure, what each kind of caller
 * gets when it aims at company A (its employee, its submission, its office). `authz.test.ts`
 * calls every cell against a real server and fails on any difference, on any procedure missing
 * here and on any row naming a procedure that does not exist. docs/security-model.md prints this
 * table (a test keeps the two equal).
 *
 * ✓ allowed: the call gets past authorisation (success, or an error about the input itself)
 * ✗ refused: 401 (not signed in as the right kind of user) or 403 (no right to this)
 * – not found: 404, the caller cannot even learn that the target exists
 */

/** Who calls, in column order. */
export const ACTORS = [
	['anonymous', 'anonymous'],
	['employeeA', 'employee of A'],
	['employeeB', 'employee of B'],
	['staffA', '担当者 of A'],
	['responsibleA', '責任者 of A'],
	['responsibleB', '責任者 of B'],
	['otherAdmin', 'admin of another office'],
	['revoked', 'revoked handler of A']
] as const;

export type Actor = (typeof ACTORS)[number][0];
export type Cell = '✓' | '✗' | '–';

/**
 * One row per procedure; cells in the order of ACTORS. Company A and B belong to one office; the
 * other office is a partner of it whose administrator holds a role in B (so a partnership alone is
 * shown to open nothing of A). The 責任者 of A and B are not administrators.
 */
export const MATRIX: Record<string, string> = {
	//                          anon empA empB tanA sekA sekB adm2 revk
	'setup.status':            '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'setup.create':            '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'auth.login':              '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'auth.employeeLogin':      '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'auth.me':                 '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'auth.logout':             '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'join.peek':               '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'join.redeem':             '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'partner.peek':            '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'partner.register':        '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'passkey.loginOptions':    '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'passkey.login':           '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'employeePasskey.login':   '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	'passkey.secondFactor':    '✓    ✓    ✓    ✓    ✓    ✓    ✓    ✓',
	// The employee's own company only: the session names it, no input can.
	'employee.companyKeys':    '✗    ✓    ✓    ✗    ✗    ✗    ✗    ✗',
	'employeePasskey.count':   '✗    ✓    ✓    ✗    ✗    ✗    ✗    ✗',
	'employeePasskey.registerOptions': '✗    ✓    ✓    ✗    ✗    ✗    ✗    ✗',
	'employeePasskey.registerFinish':  '✗    ✓    ✓    ✗    ✗    ✗    ✗    ✗',
	'submission.upload':       '✗    ✓    ✓    ✗    ✗    ✗    ✗    ✗',
	'submission.mine':         '✗    ✓    ✓    ✗    ✗    ✗    ✗    ✗',
	// Every handler, about themselves or their own office.
	'org.settings':            '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'auth.changePassword':     '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'partner.list':            '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'users.list':              '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'keys.create':             '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'keys.wrapped':            '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'passkey.list':            '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'passkey.registerOptions': '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'passkey.registerFinish':  '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'company.list':            '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	// Signed audit checkpoints: hashes only, and each handler signs with their own key.
	'audit.head':              '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'audit.checkpoint':        '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	'audit.alarm':             '✗    ✗    ✗    ✓    ✓    ✓    ✓    ✓',
	// The 責任者 of A's own passkey: nobody else can even see it.
	'passkey.rename':          '✗    ✗    ✗    –    ✓    –    –    –',
	'passkey.wrap':            '✗    ✗    ✗    –    ✓    –    –    –',
	'passkey.remove':          '✗    ✗    ✗    –    ✓    –    –    –',
	// Administrators, for their own office only (A's office's invitation is not the other admin's).
	'org.updateSettings':      '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	'org.updateDetails':       '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	'users.create':            '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	'company.create':          '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	'audit.verify':            '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	'users.unlock':            '✗    ✗    ✗    ✗    ✗    ✗    –    ✗',
	'partner.invite':          '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	'partner.cancelInvite':    '✗    ✗    ✗    ✗    ✗    ✗    –    ✗',
	'partner.accept':          '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	'partner.end':             '✗    ✗    ✗    ✗    ✗    ✗    ✓    ✗',
	// Company A, any role in it.
	'company.get':             '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'company.pin':             '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'employee.list':           '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'employee.create':         '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'employee.importRoster':   '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'employee.invite':         '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'employee.remind':         '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'employee.requests':       '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'submission.list':         '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'submission.reveal':       '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'submission.storeVerified':'✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'submission.setStatus':    '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'submission.enterOnBehalf':'✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'submission.image':        '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'submission.exportVerified':'✗   ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'exportFormat.list':       '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'exportFormat.save':       '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'exportFormat.remove':     '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'audit.list':              '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'audit.search':            '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	'disposal.list':           '✗    ✗    ✗    ✓    ✓    ✗    ✗    ✗',
	// Company A, its 責任者 only.
	'company.confirmRecoveryKit':'✗  ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	'company.setPurposes':     '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	'company.updateDetails':   '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	'company.setImageRetention':'✗   ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	'company.candidates':      '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	// The history report (recorded) and the chain verdict: A's 責任者 (administrators also by audit.verify).
	'audit.report':            '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	// An employee's sign-in lock: the 責任者 of their company lifts it.
	'employee.unlock':         '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	'audit.chain':             '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	'company.grant':           '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	'company.revoke':          '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗',
	// Disposal: A's 責任者 only, who must name themselves as the 責任者 (a 担当者 cannot, even with approval).
	'disposal.dispose':        '✗    ✗    ✗    ✗    ✓    ✗    ✗    ✗'
};

/** A row's cells, in ACTORS order. */
export function cells(row: string): Cell[] {
	return row.split(/\s+/).filter(Boolean) as Cell[];
}

/** The matrix as a Markdown table, as printed in docs/security-model.md. */
export function renderMatrix(): string {
	const head = `| procedure | ${ACTORS.map(([, label]) => label).join(' | ')} |`;
	const rule = `|---|${ACTORS.map(() => ':-:').join('|')}|`;
	const rows = Object.entries(MATRIX).map(([path, row]) => `| \`${path}\` | ${cells(row).join(' | ')} |`);
	return [head, rule, ...rows].join('\n');
}
