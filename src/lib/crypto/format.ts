/** @module Cheap structural checks of age files (for the server, which cannot decrypt). */

const MAGIC = 'age-encryption.org/v1\n';
const HEADER_SCAN_LIMIT = 64 * 1024;

/**
 * True when `bytes` looks like an age file: the version line, at least one `-> ` stanza, a
 * `--- ` MAC line within the first 64 KiB, and at least 16 bytes of payload (nonce) after it.
 * Never throws. This does not prove the file decrypts; it refuses plaintext and garbage.
 */
export function isAgeFile(bytes: Uint8Array): boolean {
	if (bytes.length < MAGIC.length + 20) return false;
	for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return false;
	const limit = Math.min(bytes.length, HEADER_SCAN_LIMIT);
	let lineStart = MAGIC.length;
	let stanzas = 0;
	for (let i = lineStart; i < limit; i++) {
		if (bytes[i] !== 0x0a) continue;
		const startsWith = (s: string) => {
			for (let k = 0; k < s.length; k++) if (bytes[lineStart + k] !== s.charCodeAt(k)) return false;
			return true;
		};
		if (startsWith('--- ')) return stanzas > 0 && bytes.length - (i + 1) >= 16;
		if (startsWith('-> ')) stanzas++;
		lineStart = i + 1;
	}
	return false;
}
