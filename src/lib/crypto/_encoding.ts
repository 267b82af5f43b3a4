/** @module Byte and text encodings shared by the crypto module (no dependencies). */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { CryptoError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
	return encoder.encode(s);
}

/** Decodes UTF-8. @throws CryptoError('malformed') on invalid UTF-8. */
export function fromUtf8(b: Uint8Array): string {
	try {
		return decoder.decode(b);
	} catch {
		throw new CryptoError('malformed', 'invalid utf-8');
	}
}

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** RFC 4648 base64url without padding. */
export function toBase64Url(b: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < b.length; i += 0x8000) binary += String.fromCharCode(...b.subarray(i, i + 0x8000));
	return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** @throws CryptoError('malformed') for anything but unpadded base64url. */
export function fromBase64Url(s: string): Uint8Array {
	if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new CryptoError('malformed', 'invalid base64url');
	// Canonical only: the unused low bits of the last character must be zero, so one byte string has
	// one text form (a signature's text is hashed into manifest links and must be unique).
	const tail = s.length % 4;
	if (tail) {
		const last = B64URL_ALPHABET.indexOf(s[s.length - 1]!);
		if (last & (tail === 2 ? 0x0f : 0x03)) throw new CryptoError('malformed', 'non-canonical base64url');
	}
	const binary = atob(s.replaceAll('-', '+').replaceAll('_', '/'));
	const out = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
	return out;
}

/**
 * Lowercase hex SHA-256 through the platform's native implementation (Web Crypto, in browsers,
 * workers and Node alike): for large payloads such as a 2 MB image it is several times faster
 * than the pure-JS hash. Same result as {@link sha256Hex}.
 */
export async function sha256HexNative(data: Uint8Array): Promise<string> {
	return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
}

/** Lowercase hex SHA-256 of bytes or of a string's UTF-8. */
export function sha256Hex(data: Uint8Array | string): string {
	return bytesToHex(sha256(typeof data === 'string' ? utf8(data) : data));
}

/**
 * JSON with object keys sorted recursively and no whitespace, so equal values always give
 * equal bytes (jsonb reorders keys; signatures and hashes must not depend on that).
 * @throws CryptoError('malformed') for undefined, functions, non-finite numbers, bigint or
 *   objects that are not plain objects or arrays.
 */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new CryptoError('malformed', 'non-finite number');
		return JSON.stringify(value);
	}
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (typeof value === 'object' && value !== null) {
		const proto: unknown = Object.getPrototypeOf(value);
		if (proto !== Object.prototype && proto !== null) throw new CryptoError('malformed', 'not a plain object');
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	throw new CryptoError('malformed', `cannot encode ${typeof value}`);
}

/** Parses JSON into a plain object. @throws CryptoError('malformed'). */
export function parseJsonObject(text: string): Record<string, unknown> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new CryptoError('malformed', 'invalid json');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CryptoError('malformed', 'expected an object');
	return parsed as Record<string, unknown>;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

export function u32be(n: number): Uint8Array {
	const out = new Uint8Array(4);
	new DataView(out.buffer).setUint32(0, n);
	return out;
}

export function readU32be(b: Uint8Array, at: number): number {
	if (at + 4 > b.length) throw new CryptoError('malformed', 'truncated');
	return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function toBase32(b: Uint8Array): string {
	let bits = 0;
	let value = 0;
	let out = '';
	for (const byte of b) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

/** Reads a string field of a parsed object. @throws CryptoError('malformed'). */
export function str(o: Record<string, unknown>, key: string): string {
	const v = o[key];
	if (typeof v !== 'string') throw new CryptoError('malformed', `missing ${key}`);
	return v;
}

/** Reads a non-negative integer field. @throws CryptoError('malformed'). */
export function int(o: Record<string, unknown>, key: string): number {
	const v = o[key];
	if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CryptoError('malformed', `missing ${key}`);
	return v;
}
