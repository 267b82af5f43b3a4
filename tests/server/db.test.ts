import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../server/db';
import { DataDirLockedError } from '../../server/db/lock';
import { auditEvents } from '../../server/db/schema';
import { appendAudit } from '../../server/audit';

const dirs: string[] = [];
function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'mnv-db-'));
	dirs.push(dir);
	return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the embedded database folder', () => {
	it('refuses a second opener while the first holds it, and reopens after close with data intact', async () => {
		const dir = tempDir();
		const first = await openDb({ dataDir: dir });
		await appendAudit(first.db, { actorType: 'system', action: 'setup', result: 'ok' }, new Date());
		await expect(openDb({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
		await expect(openDb({ dataDir: dir })).rejects.toThrow(/already in use by another server process/);
		await first.close();
		const again = await openDb({ dataDir: dir });
		expect(await again.db.select().from(auditEvents)).toHaveLength(1);
		await again.close();
	});

	it('gives a second server process on the same folder a clear message and leaves the first running', async () => {
		const dir = tempDir();
		const env = { ...process.env, DATA_DIR: dir, PORT: '0', DATABASE_URL: '', STATIC_DIR: '/nonexistent' };
		const first = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		try {
			let out = '';
			await new Promise<void>((resolve, reject) => {
				first.stdout.on('data', (d: Buffer) => {
					out += d.toString();
					if (out.includes('is running at')) resolve();
				});
				first.on('exit', () => reject(new Error('first server exited: ' + out)));
			});
			expect(out).toMatch(/setup#/);
			const second = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
			let err = '';
			second.stderr.on('data', (d: Buffer) => (err += d.toString()));
			const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
			expect(code).toBe(1);
			expect(err).toContain('already in use by another server process');
			expect(first.exitCode).toBeNull();
		} finally {
			first.kill('SIGTERM');
			await new Promise((r) => first.on('exit', r));
		}
	});
});
