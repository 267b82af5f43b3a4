/**
 * The crypto module's only public surface (CRYPTO.md). Framework-free: it imports nothing but
 * age-encryption, @noble/* and WebCrypto, so the same code runs in pages, Workers and Node.
 *
 * @module
 */
export { canonicalJson, fromBase64Url, fromUtf8, sha256Hex, toBase64Url, utf8 } from './_encoding';
export { CryptoError, type CryptoErrorCode } from './errors';
export { fingerprint, generateSigningKeyPair, sign, verifySignature, type SigningKeyPair } from './signing';
export { checkpointMessage, signCheckpoint, verifyCheckpoint, type CheckpointStatement } from './checkpoint';
export { generateHandlerKeys, handlerPublicInfo, unwrapHandlerKeys, wrapHandlerKeys, type HandlerKeys } from './handler';
export {
	createManifest,
	generateCompanyKeys,
	generateEpochKeys,
	manifestHash,
	parseManifest,
	verifyManifestChain,
	type CompanyKeys,
	type EpochKeys,
	type Manifest,
	type SignedManifest
} from './company';
export { openEpochGrant, openRootKeyGrant, sealEpochGrant, sealRootKeyGrant } from './grants';
export {
	decodeRecord,
	encodeRecord,
	openEnvelope,
	sealEnvelope,
	type EnvelopeContext,
	type EnvelopeHeader,
	type ItemKind
} from './envelope';
export { isAgeFile } from './format';
export { ciphertextHash, openSubmissionImage, sealSubmission, type SealedItem } from './submission';
export {
	dataKeyEpochOf,
	openEmployeeName,
	openEmployeeProfile,
	openNumberMask,
	openVerifiedRecord,
	openWithDataKey,
	sealEmployeeName,
	sealEmployeeProfile,
	sealNumberMask,
	sealVerifiedRecord,
	sealWithDataKey,
	type EmployeeProfile
} from './datakey';
export { encodeRecoveryKit, parseRecoveryKit, recoveryKitFingerprint, verifyRecoveryKit, type RecoveryKit } from './kit';
export { deviceRegistrationMac, generateDeviceSecret, openDeviceSecret, sealDeviceSecret, verifyDeviceRegistration } from './device';
export { activeMemberIds, signCompanyPin, signMemberStatement, verifyCompanyPin, verifyMemberStatement, type Member, type MemberRole } from './members';
export { prepareGrant, prepareNewCompany, prepareRevocation, type NewCompany } from './setup';
export { PASSKEY_PRF_INPUT_B64, passkeyIdentity, passkeyPrfInput, unwrapHandlerKeysWithPasskey, wrapHandlerKeysForPasskey } from './passkey';
export { openWithPassphrase, sealWithPassphrase } from './passphrase';
export { deriveEmployeeKeys, passkeyDeviceWrapKey, unwrapDeviceKey, wrapDeviceKey, type DeviceUnlock, type EmployeeKeys } from './employee';
