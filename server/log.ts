/**
 * Structured log lines (one JSON object per line) to stdout and, optionally, a file.
 * Callers pass only metadata: ids, procedure paths, status codes, durations. Never a body,
 * a query string, a header value or a database error's detail (which can echo row values).
 */
import { appendFileSync } from 'node:fs';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
	info(msg: string, fields?: LogFields): void;
	warn(msg: string, fields?: LogFields): void;
	error(msg: string, fields?: LogFields): void;
	/** Plain text for humans at start-up (URL, setup link). Also written to the log file. */
	banner(text: string): void;
}

export function createLogger(options: { file?: string; quiet?: boolean } = {}): Logger {
	const write = (line: string) => {
		if (!options.quiet) process.stdout.write(line + '\n');
		if (options.file) appendFileSync(options.file, line + '\n');
	};
	const entry = (level: string) => (msg: string, fields: LogFields = {}) =>
		write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }));
	return { info: entry('info'), warn: entry('warn'), error: entry('error'), banner: write };
}
