/**
 * `npm run audit:verify`: re-computes the audit hash chain of the configured database
 * (DATA_DIR or DATABASE_URL, as `npm start` reads them) and names the first broken link, then
 * checks the handlers' signed checkpoints against it (a rewrite with recomputed hashes fails there).
 * Stop the server first when using the embedded database: its folder has one opener at a time.
 */
import { verifyAuditChain } from '../server/audit';
import { openDb } from '../server/db';
import { readEnv } from '../server/env';

const env = readEnv();
const handle = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR });
try {
	const verdict = await verifyAuditChain(handle.db);
	const { checkpoints } = verdict;
	if (verdict.firstBrokenSeq !== null) {
		console.error(`audit chain BROKEN at event #${verdict.firstBrokenSeq} (after ${verdict.count} good events)`);
	} else {
		console.log(`audit chain links OK: ${verdict.count} events, head ${verdict.head}`);
	}
	if (checkpoints.firstBroken) {
		const c = checkpoints.firstBroken;
		console.error(`signed checkpoint BROKEN at event #${c.seq} (${c.problem}; signed by user ${c.userId} at ${c.signedAt}): events up to #${c.seq} were rewritten or deleted`);
	} else if (checkpoints.latest) {
		console.log(`signed checkpoints OK: ${checkpoints.count}, latest at event #${checkpoints.latest.seq} (${checkpoints.latest.signedAt})`);
	} else {
		console.log('no signed checkpoints yet (handlers sign one each time they unlock their keys)');
	}
	if (!verdict.ok) process.exitCode = 2;
} finally {
	await handle.close();
}
