import { PickupConflictError } from '../db/store.js';
import type { Deps } from '../deps.js';
import { buildP12, type P12Profile } from '../pki/p12.js';
import { summarizeCertificate } from '../pki/certificate.js';
import { generateCode } from '../pickup/secret-code.js';
import { pickupDeadline } from '../pickup/deadline.js';
import { generateToken, hashToken } from '../pickup/token.js';

export type PickupMaterial = {
  keyPem: string;
  certPem: string;
  /** Issuing CA first, root last. */
  chainPems: string[];
  certType: string;
  nameRomaji: string;
  nameJa: string | null;
  email: string | null;
  applicationCode: string | null;
  mailing: Record<string, unknown> | null;
  issuedAt: number;
  p12Profile: P12Profile;
};

/** What staff see once, at issuance. None of these three secrets is kept by the server. */
export type IssuedPickup = {
  id: string;
  serial: string;
  url: string;
  password: string;
  pin: string;
  issuedAt: number;
  expiresAt: number;
  fingerprint: string;
  p12Profile: P12Profile;
};

export class PickupExistsError extends Error {
  override name = 'PickupExistsError';
}

function pickupId(deps: Deps): string {
  return 'pk_' + Buffer.from(deps.random(12)).toString('hex');
}

/**
 * Turns a key and certificate into a pickup: token, password and PIN drawn, the PKCS#12 built
 * under the PIN and sealed, and the row written in one transaction.
 */
export async function createPickup(deps: Deps, m: PickupMaterial): Promise<IssuedPickup> {
  const now = deps.clock();
  const summary = summarizeCertificate(m.certPem);
  const id = pickupId(deps);
  const token = generateToken(deps.random);
  const password = generateCode(deps.random);
  const pin = generateCode(deps.random);
  const passwordHash = await deps.hasher.hash(password);
  const friendlyName = m.nameJa ? `${m.nameJa} (${m.nameRomaji})` : m.nameRomaji;
  const p12 = buildP12({ keyPem: m.keyPem, certPem: m.certPem, chainPems: m.chainPems, pin, profile: m.p12Profile, friendlyName, random: deps.random });
  const jwe = await deps.sealer.seal(p12, { purpose: 'p12', id });
  const expiresAt = pickupDeadline(m.issuedAt, summary.notAfter);
  try {
    await deps.store.insertPickup(
      {
        id,
        tokenHash: hashToken(token),
        passwordHash,
        serial: summary.serialHex,
        certType: m.certType,
        subjectName: m.nameRomaji,
        subjectNameJa: m.nameJa,
        fingerprint: summary.fingerprintSha256,
        certNotBefore: summary.notBefore,
        certNotAfter: summary.notAfter,
        certPem: m.certPem,
        issuerName: summary.issuer,
        p12Profile: m.p12Profile,
        email: m.email,
        applicationCode: m.applicationCode,
        mailing: m.mailing ? JSON.stringify(m.mailing) : null,
        issuedAt: m.issuedAt,
        expiresAt,
        createdAt: now,
      },
      { kid: deps.sealer.currentKid, jwe },
      { serial: summary.serialHex, certType: m.certType, p12Profile: m.p12Profile },
    );
  } catch (err) {
    if (err instanceof PickupConflictError) {
      throw new PickupExistsError(`a pickup for serial ${summary.serialHex} or application code ${m.applicationCode ?? '-'} already exists`);
    }
    throw err;
  }
  return {
    id,
    serial: summary.serialHex,
    url: new URL(`/d/${token}`, deps.config.publicUrl).href,
    password,
    pin,
    issuedAt: m.issuedAt,
    expiresAt,
    fingerprint: summary.fingerprintSha256,
    p12Profile: m.p12Profile,
  };
}
