/**
 * `npm run recover -- --kit <kit.pdf|kit.txt> --from <backup> --out <folder>`: decrypts one
 * company's submissions from a database backup with its recovery kit alone, with no server
 * running (issue 3 item 6; docs/operations.md "Exit and disaster recovery").
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BackupError, recover, RecoverError } from '../server/recover/recover';

const USAGE = `Usage: npm run recover -- --kit <file> --from <backup> --out <folder>

Decrypts one company's submissions from a mynumber-vault backup with the company's recovery kit,
without a running server, and writes them to a new folder:
  submissions.csv       UTF-8 with BOM: employee code and name, submission id, epoch, time,
                        whether the employee's device signature verified, My Number and the
                        whole decrypted record
  images/<code>/…       identity-document images, one file each
  recovery-report.json  counts, epochs missing from the kit, submissions that could not be opened

Options:
  --kit <file>     the recovery-kit PDF downloaded from the desk, or a text file holding its
                   entries (typed from the paper or scanned from its QR codes)
  --from <backup>  one of:
                     a copy of the data folder (DATA_DIR, default ./data) of an embedded install
                     a pg_dump file: plain SQL (.sql, .sql.gz) or custom format (-Fc, needs pg_restore)
                     a PostgreSQL URL, postgres://user@host:5432/db (read only)
  --out <folder>   where to write; must not exist or be empty
  -h, --help       this text

The output holds My Numbers in plain text: write it to an encrypted disk, and delete it when done.
Exit status: 0 all opened, 1 bad input (nothing written), 3 written but some submissions failed.`;

async function main(): Promise<number> {
	let values;
	try {
		({ values } = parseArgs({
			options: { kit: { type: 'string' }, from: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
			strict: true
		}));
	} catch (error) {
		console.error(`recover: ${(error as Error).message}\n\n${USAGE}`);
		return 1;
	}
	if (values.help) {
		console.log(USAGE);
		return 0;
	}
	const missing = (['kit', 'from', 'out'] as const).filter((k) => !values[k]);
	if (missing.length) {
		console.error(`recover: missing ${missing.map((k) => `--${k}`).join(', ')}\n\n${USAGE}`);
		return 1;
	}
	let kit: Uint8Array;
	try {
		kit = readFileSync(values.kit!);
	} catch {
		console.error(`recover: cannot read the kit file ${values.kit}`);
		return 1;
	}
	try {
		const s = await recover({ kit, from: values.from!, outDir: values.out! });
		console.log(`recovered company ${s.companyId} (${s.companyName}) into ${s.outDir}`);
		console.log(`  employees: ${s.employees}, submissions: ${s.submissions} (records ${s.records}, images ${s.images})`);
		if (s.missingEpochs.length) console.warn(`  warning: the kit lacks key epoch(s) ${s.missingEpochs.join(', ')}; use the newest kit`);
		for (const f of s.failures) console.warn(`  could not open submission ${f.submissionId}: ${f.reason}`);
		if (s.unverified.length) console.warn(`  warning: ${s.unverified.length} submission(s) not provably sent from the employee's registered device (column device_verified; details in recovery-report.json)`);
		return s.failures.length ? 3 : 0;
	} catch (error) {
		if (error instanceof RecoverError || error instanceof BackupError) {
			console.error(`recover: ${error.message}\nNothing was written.`);
			return 1;
		}
		throw error;
	}
}

process.exitCode = await main();
