import { formatJst } from '../i18n/format.js';
import type { IssuedPickup } from '../services/create-pickup.js';

/** The JSON line integrations parse: the keys are a contract. */
export function issuedJson(p: IssuedPickup, extra: Record<string, unknown> = {}) {
  return {
    serial: p.serial,
    url: p.url,
    password: p.password,
    pin: p.pin,
    issuedAt: new Date(p.issuedAt).toISOString(),
    expiresAt: new Date(p.expiresAt).toISOString(),
    fingerprint: p.fingerprint,
    p12Profile: p.p12Profile,
    ...extra,
  };
}

export function issuedText(p: IssuedPickup, name: string): string {
  return [
    `Pickup created for ${name}, serial ${p.serial}`,
    `  URL       ${p.url}`,
    `            email this to the subscriber`,
    `  Password  ${p.password}`,
    `            print on the password letter`,
    `  PIN       ${p.pin}`,
    `            print on the PIN letter, mailed separately`,
    `  Download by ${formatJst(p.expiresAt, 'en')}`,
    `The password and PIN are shown only now: the server keeps neither.`,
    '',
  ].join('\n');
}
