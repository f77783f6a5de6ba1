import path from 'node:path';
import type { Deps } from '../deps.js';
import { loadOrCreateDevCa } from '../pki/ca-store.js';
import type { DevCa } from '../pki/dev-ca.js';
import { issueCertificate } from '../pki/certificate.js';
import { generateRsaKeyPair } from '../pki/keys.js';
import type { P12Profile } from '../pki/p12.js';
import type { Subscriber, ValidateOptions } from '../pki/profiles.js';
import { createPickup, type IssuedPickup } from './create-pickup.js';

export type IssueOptions = { p12Profile: P12Profile; applicationCode: string | null; mailing: Record<string, unknown> | null };

/** The validation rules in force: today's date (birth dates) and the lifetimes the CA offers. */
export function subscriberRules(deps: Deps): ValidateOptions {
  return { now: deps.clock(), allowedValidityYears: deps.config.validityYears };
}

export function caDir(deps: Deps): string {
  return path.join(deps.config.dataDir, 'ca');
}

const loadedCa = new WeakMap<Deps, Promise<DevCa>>();

/** Read (or made) once per process: a batch would otherwise unseal the CA keys for every row. */
function devCa(deps: Deps, now: number): Promise<DevCa> {
  let ca = loadedCa.get(deps);
  if (!ca) {
    ca = loadOrCreateDevCa(caDir(deps), deps.sealer, now, deps.random);
    // A failure is not cached: the next row tries again and reports its own error.
    ca.catch(() => loadedCa.delete(deps));
    loadedCa.set(deps, ca);
  }
  return ca;
}

/** Key pair (native), certificate from the CA, then the pickup. The CA is made on first use. */
export async function issueNewPickup(deps: Deps, subscriber: Subscriber, options: IssueOptions): Promise<IssuedPickup> {
  const now = deps.clock();
  const [ca, keys] = await Promise.all([devCa(deps, now), generateRsaKeyPair()]);
  const cert = issueCertificate({
    subscriber,
    publicKeyPem: keys.publicKeyPem,
    issuer: { certPem: ca.issuingCertPem, keyPem: ca.issuingKeyPem },
    now,
    random: deps.random,
    extensions: { policyOids: deps.config.policyOids, cpsUrl: deps.config.cpsUrl ?? undefined, crlUrls: deps.config.crlUrls },
  });
  return createPickup(deps, {
    keyPem: keys.privateKeyPem,
    certPem: cert.certPem,
    chainPems: [ca.issuingCertPem, ca.rootCertPem],
    certType: subscriber.type,
    nameRomaji: subscriber.nameRomaji,
    nameJa: subscriber.nameJa ?? null,
    email: subscriber.email ?? null,
    applicationCode: options.applicationCode,
    mailing: options.mailing,
    issuedAt: cert.notBefore,
    p12Profile: options.p12Profile,
  });
}
