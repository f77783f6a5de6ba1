import { MINUTE } from '../lib/clock.js';
import { pickupDeadline } from './deadline.js';

/** How far in the future an issuance date may lie and still count as "now" (clocks differ a little). */
export const CLOCK_SKEW_MS = 5 * MINUTE;

export type ImportDates =
  | { ok: true; issuedAt: number; expiresAt: number }
  | { ok: false; refusal: 'certificate-expired'; notAfter: number }
  | { ok: false; refusal: 'issued-in-future'; issuedAt: number }
  | { ok: false; refusal: 'dead-on-arrival' };

/**
 * The dates of a pickup made for a certificate another CA issued. Its 30 days count from the
 * certificate's notBefore, or from the issuance date staff give. Neither may lie in the future
 * (beyond a little clock skew): that would stretch the URL's life past 30 days. A certificate
 * that has expired, or whose 30 days are over, would make a pickup dead on arrival.
 */
export function importDates(cert: { notBefore: number; notAfter: number }, givenIssuedAt: number | null, now: number): ImportDates {
  if (cert.notAfter <= now) return { ok: false, refusal: 'certificate-expired', notAfter: cert.notAfter };
  const claimed = givenIssuedAt ?? cert.notBefore;
  if (claimed > now + CLOCK_SKEW_MS) return { ok: false, refusal: 'issued-in-future', issuedAt: claimed };
  const issuedAt = Math.min(claimed, now);
  const expiresAt = pickupDeadline(issuedAt, cert.notAfter);
  if (expiresAt <= now) return { ok: false, refusal: 'dead-on-arrival' };
  return { ok: true, issuedAt, expiresAt };
}
