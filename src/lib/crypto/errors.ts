/** @module The one error type of the crypto module; callers branch on `code`. */

export type CryptoErrorCode =
	| 'malformed'
	| 'wrong_passphrase'
	| 'wrong_key'
	| 'bad_signature'
	| 'context_mismatch'
	| 'rollback'
	| 'unsupported_version';

/**
 * Thrown by every function of this module that refuses its input. Messages are short,
 * lowercase English and never contain plaintext or key material.
 */
export class CryptoError extends Error {
	readonly code: CryptoErrorCode;
	constructor(code: CryptoErrorCode, message: string = code.replace('_', ' ')) {
		super(message);
		this.name = 'CryptoError';
		this.code = code;
	}
}
