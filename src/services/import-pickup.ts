import { X509Certificate } from 'node:crypto';
import type { Deps } from '../deps.js';
import { importDates, type ImportDates } from '../pickup/import-dates.js';
import { orderChain, type OrderedChain } from '../pki/chain.js';
import { keyMatchesCertificate, summarizeCertificate } from '../pki/certificate.js';
import type { P12Profile } from '../pki/p12.js';
import { formatFieldErrors, type Mailing } from '../pki/profiles.js';
import { mailingErrors } from '../postal/addressing.js';
import { createPickup, type IssuedPickup } from './create-pickup.js';

/** A key and certificate that cannot become a pickup; the message says why in words staff can act on. */
export class ImportRefusedError extends Error {
  override name = 'ImportRefusedError';
}

export type ImportInput = {
  /** PKCS#8 PEM, unencrypted. */
  keyPem: string;
  certPem: string;
  /** Whatever else came with the certificate, in any order: the chain is sorted out of it. */
  otherCertPems: string[];
  /** The issuance date staff gave; the certificate's notBefore when null. */
  issuedAt: number | null;
  email: string | null;
  nameJa: string | null;
  mailing: Mailing;
  p12Profile: P12Profile;
};

export type ImportedPickup = { issued: IssuedPickup; name: string; warnings: string[] };

function dateRefusal(dates: Exclude<ImportDates, { ok: true }>): string {
  switch (dates.refusal) {
    case 'certificate-expired':
      return `the certificate expired on ${new Date(dates.notAfter).toISOString()}`;
    case 'issued-in-future':
      return `the issuance date ${new Date(dates.issuedAt).toISOString()} is in the future: the pickup's 30 days must start by now`;
    case 'dead-on-arrival':
      return '30 days from the issuance date have already passed: the pickup would be dead on arrival';
  }
}

/**
 * A pickup for a key and certificate another CA issued. Refused, before anything is written:
 * a key that is not the certificate's, a CA certificate, a chain that does not chain, dates that
 * would make the pickup dead on arrival or stretch it past 30 days, mailing fields that cannot
 * be posted. The subscriber's name is the certificate's CN.
 */
export async function importPickup(deps: Deps, input: ImportInput): Promise<ImportedPickup> {
  if (!keyMatchesCertificate(input.keyPem, input.certPem)) throw new ImportRefusedError('the key does not belong to the certificate');
  if (new X509Certificate(input.certPem).ca) {
    throw new ImportRefusedError('the certificate is a CA certificate (basicConstraints CA:TRUE): only subscriber certificates are handed out');
  }
  let ordered: OrderedChain;
  try {
    ordered = orderChain(input.certPem, input.otherCertPems);
  } catch (err) {
    throw new ImportRefusedError(`the chain: ${(err as Error).message}`);
  }
  const now = deps.clock();
  const summary = summarizeCertificate(input.certPem);
  const dates = importDates(summary, input.issuedAt, now);
  if (!dates.ok) throw new ImportRefusedError(dateRefusal(dates));
  const refused = mailingErrors(input.mailing);
  if (refused.length > 0) throw new ImportRefusedError(formatFieldErrors(refused).replaceAll('\n', '; '));

  const name = /CN=([^,]+)/.exec(summary.subject)?.[1] ?? summary.subject;
  const issued = await createPickup(deps, {
    keyPem: input.keyPem,
    certPem: input.certPem,
    chainPems: ordered.chain,
    certType: 'imported',
    nameRomaji: name,
    nameJa: input.nameJa,
    email: input.email,
    applicationCode: input.mailing.applicationCode ?? null,
    mailing: Object.keys(input.mailing).length > 0 ? input.mailing : null,
    issuedAt: dates.issuedAt,
    p12Profile: input.p12Profile,
  });
  const warnings = ordered.reachesRoot ? [] : ['the chain does not reach a self-signed root; importers may not trust the certificate'];
  return { issued, name, warnings };
}
