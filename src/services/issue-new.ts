import type { Deps } from '../deps.js';
import { issueCertificate } from '../pki/certificate.js';
import { generateRsaKeyPair } from '../pki/keys.js';
import type { P12Profile } from '../pki/p12.js';
import type { Subscriber, ValidateOptions } from '../pki/profiles.js';
import { createPickup, type IssuedPickup } from './create-pickup.js';
import type { IssuingCa } from './issuing-ca.js';

export type IssueOptions = { p12Profile: P12Profile; applicationCode: string | null; mailing: Record<string, unknown> | null };

/** The validation rules in force: today's date (birth dates) and the lifetimes the CA offers. */
export function subscriberRules(deps: Deps): ValidateOptions {
  return { now: deps.clock(), allowedValidityYears: deps.config.validityYears };
}

/** Key pair (native), certificate from the CA, then the pickup. The key pair is made while the CA loads. */
export async function issueNewPickup(deps: Deps, issuingCa: IssuingCa, subscriber: Subscriber, options: IssueOptions): Promise<IssuedPickup> {
  const now = deps.clock();
  const [ca, keys] = await Promise.all([issuingCa(), generateRsaKeyPair()]);
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
