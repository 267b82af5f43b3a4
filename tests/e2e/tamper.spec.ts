/**
 * A tampered handling history, as the handler sees it (issue 6: "a tampered audit row is detected
 * by the verifier and by the UI"). The unlock signs a checkpoint in this browser. Someone holding
 * the database then rewrites an old event and recomputes every later hash, so the chain alone
 * verifies: the next unlock raises the alarm and the history names the checkpoint that no longer
 * fits. A plain edit of a row is then named as the first broken link.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../server/db';
import { openCompany, signIn } from '../support/desk';
import { setUpHandler } from '../support/journey';
import { spawnServer, type ServerProcess } from '../support/spawn';
import { rewriteAuditFrom, tamperAuditRow } from '../support/tamper';

test('shows a rewritten or edited handling history as tampering, in the alarm and on the history page', async ({ browser }) => {
	test.setTimeout(240_000);
	const dir = mkdtempSync(join(tmpdir(), 'mnv-e2e-tamper-'));
	const dataDir = join(dir, 'data');
	let server: ServerProcess | null = await spawnServer({ DATA_DIR: dataDir });
	const port = new URL(server.url).port;
	const url = server.url;
	/** Stops the server, lets `change` work on its database as an attacker would, starts it again on the same origin. */
	const offline = async (change: (db: Awaited<ReturnType<typeof openDb>>['db']) => Promise<void>) => {
		await server!.stop();
		server = null;
		const handle = await openDb({ dataDir });
		try {
			await change(handle.db);
		} finally {
			await handle.close();
		}
		server = await spawnServer({ DATA_DIR: dataDir, PORT: port });
	};
	const history = (page: Page) => page.getByTestId('history-chain');
	try {
		const owner = await setUpHandler(url, server.setupUrl!.split('#')[1]!);
		const companyId = owner.company.companyId;
		const page = await signIn(browser, url, 'admin', 'correct horse battery');
		await openCompany(page, url, companyId, 'a passphrase for tests');
		await expect(page.getByText('会社の鍵を検証しました')).toBeVisible({ timeout: 30_000 });
		// The checkpoint goes out right after the unlock; the history's verdict names it.
		await expect(async () => {
			await page.goto(`${url}/desk/history?id=${companyId}`);
			await expect(history(page)).toContainText('署名付きチェックポイント 1 件が履歴と一致しました', { timeout: 5_000 });
		}).toPass({ timeout: 60_000 });
		await expect(page.getByTestId('audit-alarm')).toHaveCount(0);

		// Event #2 gets another IP; every later hash is recomputed, so only the checkpoint can tell.
		await offline((db) => rewriteAuditFrom(db, 2));
		await openCompany(page, url, companyId, 'a passphrase for tests');
		await expect(page.getByTestId('audit-alarm')).toContainText('取扱い履歴が、この端末が前回署名した内容と一致しません', { timeout: 30_000 });
		await page.goto(`${url}/desk/history?id=${companyId}`);
		await expect(history(page)).toContainText(/改ざんの疑い：#\d+ の署名付きチェックポイント（admin、.*）が履歴と一致しません：その時点のハッシュが署名された値と異なります/, { timeout: 30_000 });
		// The alarm stays after a reload, and the browser's report of it is in the office's history.
		await expect(page.getByTestId('audit-alarm')).toBeVisible();
		await page.goto(`${url}/desk/history`);
		await expect(page.getByRole('cell', { name: '履歴の不一致を検知', exact: true })).toBeVisible({ timeout: 30_000 });
		await expect(history(page)).toContainText('改ざんの疑い', { timeout: 30_000 });
		await page.screenshot({ path: test.info().outputPath('tampered-history.png'), fullPage: true });

		// A plain edit of event #3: the hash chain itself breaks there.
		await offline((db) => tamperAuditRow(db, 3));
		await page.goto(`${url}/desk/history?id=${companyId}`);
		await expect(history(page)).toContainText('改ざんの疑い：記録 #3 でハッシュチェーンが途切れています', { timeout: 30_000 });
		// Resetting the browser's reference is a deliberate, two-step act.
		await page.getByRole('button', { name: '調査が済んだので、この端末の基準を現在の履歴に合わせる' }).click();
		await page.getByRole('button', { name: '基準をリセットする（元に戻せません）' }).click();
		await expect(page.getByTestId('audit-alarm')).toHaveCount(0);
	} finally {
		await server?.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
