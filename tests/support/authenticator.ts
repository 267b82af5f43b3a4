/**
 * A software WebAuthn authenticator for server tests: ES256 keys, "none" attestation, a signature
 * counter, user verification on. It answers the options the server hands out exactly as a browser
 * with a platform authenticator would, so the server's real verification path runs. (PRF happens in
 * the browser and never reaches the server; the e2e test covers it with Chromium's virtual authenticator.)
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type {
	AuthenticationResponseJSON,
	PublicKeyCredentialCreationOptionsJSON,
	PublicKeyCredentialRequestOptionsJSON,
	RegistrationResponseJSON
} from '@simplewebauthn/server';

const b64u = (b: Uint8Array | Buffer | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

interface SoftCredential {
	id: Buffer;
	privateKey: KeyObject;
	rpId: string;
	userHandle: string;
	counter: number;
}

export class SoftAuthenticator {
	readonly credentials: SoftCredential[] = [];

	/** Answers `navigator.credentials.create()`. */
	register(options: Omit<PublicKeyCredentialCreationOptionsJSON, 'extensions'>, origin: string, overrides: { challenge?: string; origin?: string } = {}): RegistrationResponseJSON {
		const rpId = options.rp.id!;
		const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
		const jwk = publicKey.export({ format: 'jwk' });
		const cose = new Map<number, number | Uint8Array>([
			[1, 2],
			[3, -7],
			[-1, 1],
			[-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
			[-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))]
		]);
		const id = createHash('sha256').update(Math.random().toString()).digest().subarray(0, 16);
		const cred: SoftCredential = { id, privateKey, rpId, userHandle: options.user.id, counter: 0 };
		const idLen = Buffer.alloc(2);
		idLen.writeUInt16BE(id.length);
		const authData = Buffer.concat([sha256(rpId), Buffer.from([0x45]), Buffer.alloc(4), Buffer.alloc(16), idLen, id, Buffer.from(isoCBOR.encode(cose))]);
		const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: overrides.challenge ?? options.challenge, origin: overrides.origin ?? origin, crossOrigin: false });
		const attestationObject = isoCBOR.encode(
			new Map<string, string | Map<string, never> | Uint8Array>([
				['fmt', 'none'],
				['attStmt', new Map<string, never>()],
				['authData', new Uint8Array(authData)]
			])
		);
		this.credentials.push(cred);
		return {
			id: b64u(id),
			rawId: b64u(id),
			type: 'public-key',
			clientExtensionResults: {},
			authenticatorAttachment: 'platform',
			response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['internal'] }
		};
	}

	/** Answers `navigator.credentials.get()` with the first allowed (or any) credential of the RP. */
	authenticate(
		options: Omit<PublicKeyCredentialRequestOptionsJSON, 'extensions'>,
		origin: string,
		overrides: { credentialId?: string; challenge?: string; counter?: number } = {}
	): AuthenticationResponseJSON {
		const allowed = options.allowCredentials?.map((c) => c.id);
		const cred = this.credentials.find(
			(c) => c.rpId === options.rpId && (overrides.credentialId ? b64u(c.id) === overrides.credentialId : !allowed?.length || allowed.includes(b64u(c.id)))
		);
		if (!cred) throw new Error('no matching credential');
		cred.counter = overrides.counter ?? cred.counter + 1;
		const counter = Buffer.alloc(4);
		counter.writeUInt32BE(cred.counter);
		const authData = Buffer.concat([sha256(cred.rpId), Buffer.from([0x05]), counter]);
		const clientDataJSON = JSON.stringify({ type: 'webauthn.get', challenge: overrides.challenge ?? options.challenge, origin, crossOrigin: false });
		const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), cred.privateKey);
		return {
			id: b64u(cred.id),
			rawId: b64u(cred.id),
			type: 'public-key',
			clientExtensionResults: {},
			authenticatorAttachment: 'platform',
			response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature), userHandle: cred.userHandle }
		};
	}
}
