import { describe, expect, it } from 'vitest';
import { activeMemberIds, generateSigningKeyPair, signCompanyPin, signMemberStatement, toBase64Url, verifyCompanyPin, verifyMemberStatement, type Member } from './index';

const COMPANY = '0b6f2f6e-6a39-4a53-9a43-7d1f1f0c1a11';
const USER = '5d1c1c43-9a1e-4f57-8a56-3e2f0d0c9b10';

describe('member statements and pins', () => {
	const root = generateSigningKeyPair();
	const handler = generateSigningKeyPair();
	const member: Member = { companyId: COMPANY, userId: USER, role: 'staff', recipient: 'age1example', signingPublicKey: toBase64Url(handler.publicKey) };

	it('verifies a root-signed statement for its company and user only', () => {
		const signed = signMemberStatement(root, member);
		expect(verifyMemberStatement(root.publicKey, signed, { companyId: COMPANY, userId: USER })).toEqual(member);
		expect(() => verifyMemberStatement(generateSigningKeyPair().publicKey, signed, { companyId: COMPANY, userId: USER })).toThrow(/not signed by the company root/);
		expect(() => verifyMemberStatement(root.publicKey, signed, { companyId: COMPANY, userId: COMPANY })).toThrow(/another user/);
		expect(() => verifyMemberStatement(root.publicKey, signed, { companyId: USER, userId: USER })).toThrow(/another company/);
		// Promoting oneself to 責任者 by editing the statement breaks the signature.
		const promoted = { ...signed, statement: signed.statement.replace('"staff"', '"responsible"') };
		expect(promoted.statement).not.toBe(signed.statement);
		expect(() => verifyMemberStatement(root.publicKey, promoted, { companyId: COMPANY, userId: USER })).toThrow(/not signed/);
	});

	it('accepts a pin only from its signer, for that company and root', () => {
		const rootB64 = toBase64Url(root.publicKey);
		const pin = signCompanyPin(handler, COMPANY, rootB64);
		expect(verifyCompanyPin(handler.publicKey, COMPANY, rootB64, pin)).toBe(true);
		expect(verifyCompanyPin(generateSigningKeyPair().publicKey, COMPANY, rootB64, pin)).toBe(false);
		expect(verifyCompanyPin(handler.publicKey, COMPANY, toBase64Url(generateSigningKeyPair().publicKey), pin)).toBe(false);
		expect(verifyCompanyPin(handler.publicKey, USER, rootB64, pin)).toBe(false);
		expect(verifyCompanyPin(handler.publicKey, COMPANY, rootB64, '!!')).toBe(false);
	});

	it('counts as active only who the latest manifest names or who joined during its epoch', () => {
		const m = (userId: string, epoch?: number): Member => ({ ...member, userId, ...(epoch ? { epoch } : {}) });
		const statements = [m('owner', 1), m('removed', 1), m('joined-later', 2), m('old-format')];
		// Epoch 2 started without "removed": a server flag saying otherwise does not bring them back.
		expect([...activeMemberIds({ epoch: 2, members: ['owner'] }, statements)!].sort()).toEqual(['joined-later', 'owner']);
		expect([...activeMemberIds({ epoch: 1, members: ['owner'] }, statements)!].sort()).toEqual(['owner', 'removed']);
		expect(activeMemberIds({ epoch: 2 }, statements)).toBeNull();
	});
});
