/**
 * `npm run audit:verify`: re-computes the audit hash chain of the configured database
 * (DATA_DIR or DATABASE_URL, as `npm start` reads them) and names the first broken link.
 * Stop the server first when using the embedded database: its folder has one opener at a time.
 */
import { verifyAuditChain } from '../server/audit';
import { openDb } from '../server/db';
import { readEnv } from '../server/env';

const env = readEnv();
const handle = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR });
try {
	const verdict = await verifyAuditChain(handle.db);
	if (verdict.ok) {
		console.log(`audit chain OK: ${verdict.count} events, head ${verdict.head}`);
	} else {
		console.error(`audit chain BROKEN at event #${verdict.firstBrokenSeq} (after ${verdict.count} good events)`);
		process.exitCode = 2;
	}
} finally {
	await handle.close();
}
