/**
 * A lock file so two processes never open one PGlite folder: PGlite has no lock of its own,
 * and a second process silently corrupts the directory (STACK.md §4.4).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export interface DirLock {
	path: string;
	release(): void;
}

/** Raised when another live process holds the data folder. */
export class DataDirLockedError extends Error {
	readonly code = 'DATA_DIR_LOCKED';
	constructor(
		readonly lockPath: string,
		readonly holderPid: number
	) {
		super(
			`The data folder is already in use by another server process (pid ${holderPid}). ` +
				`Stop that process first, or choose another folder with DATA_DIR. Lock file: ${lockPath}`
		);
	}
}

/**
 * Takes the lock, replacing a stale one left by a process that no longer runs on this host.
 * @throws DataDirLockedError when a live process holds it.
 */
export function acquireDirLock(path: string): DirLock {
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(path, 'wx', 0o600);
			writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
			closeSync(fd);
			let released = false;
			return {
				path,
				release() {
					if (released) return;
					released = true;
					try {
						unlinkSync(path);
					} catch {
						// already gone: nothing to release
					}
				}
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = readHolder(path);
			if (holder && holder.host === hostname() && isAlive(holder.pid)) {
				throw new DataDirLockedError(path, holder.pid);
			}
			if (holder && holder.host !== hostname()) throw new DataDirLockedError(path, holder.pid);
			unlinkSync(path); // stale: its process is gone (e.g. after kill -9)
		}
	}
	throw new Error(`could not take the lock ${path}`);
}

function readHolder(path: string): { pid: number; host: string } | null {
	try {
		const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
		if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host };
	} catch {
		// unreadable or half-written lock: treat as stale
	}
	return null;
}

function isAlive(pid: number): boolean {
	if (pid === process.pid) return true;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
