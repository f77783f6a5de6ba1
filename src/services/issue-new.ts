import type { Deps } from '../deps.js';
import { issueCertificateWith } from '../pki/certificate.js';
import { generateRsaKeyPair } from '../pki/keys.js';
import type { P12Profile } from '../pki/p12.js';
import type { Subscriber, ValidateOptions } from '../pki/profiles.js';
import type { IssuingCa } from './ca-issuer.js';
import { createPickup, type IssuedPickup } from './create-pickup.js';

export type IssueOptions = { p12Profile: P12Profile; applicationCode: string | null; mailing: Record<string, unknown> | null };

/** The validation rules in force: today's date (birth dates) and the lifetimes the CA offers. */
export function subscriberRules(deps: Deps): ValidateOptions {
  return { now: deps.clock(), allowedValidityYears: deps.config.validityYears };
}

/**
 * Key pair (native, made while the CA opens), certificate signed by the CA (the development CA,
 * made on first use, or the key in the HSM), then the pickup.
 */
export async function issueNewPickup(deps: Deps, issuingCa: IssuingCa, subscriber: Subscriber, options: IssueOptions): Promise<IssuedPickup> {
  const now = deps.clock();
  const [ca, keys] = await Promise.all([issuingCa.open(), generateRsaKeyPair()]);
  const cert = await issueCertificateWith({
    subscriber,
    publicKeyPem: keys.publicKeyPem,
    issuer: { certPem: ca.certPem, signer: ca.signer },
    now,
    random: deps.random,
    extensions: { policyOids: deps.config.policyOids, cpsUrl: deps.config.cpsUrl ?? undefined, crlUrls: deps.config.crlUrls },
  });
  return createPickup(deps, {
    keyPem: keys.privateKeyPem,
    certPem: cert.certPem,
    chainPems: [ca.certPem, ...ca.chainPems],
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
