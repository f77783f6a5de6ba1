import { describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../src/lib/clock.js';
import { CLOCK_SKEW_MS, importDates } from '../../src/pickup/import-dates.js';

const NOW = Date.UTC(2026, 10, 26, 1, 0, 0);
const YEAR = 365 * DAY;

describe("import's date rules", () => {
  it('counts the 30 days from notBefore when no issuance date is given', () => {
    expect(importDates({ notBefore: NOW - DAY, notAfter: NOW + YEAR }, null, NOW)).toEqual({ ok: true, issuedAt: NOW - DAY, expiresAt: NOW + 29 * DAY });
  });

  it('refuses a certificate expiring now or earlier, and takes one expiring 1 ms later (its pickup dies with it)', () => {
    expect(importDates({ notBefore: NOW - DAY, notAfter: NOW }, null, NOW)).toEqual({ ok: false, refusal: 'certificate-expired', notAfter: NOW });
    expect(importDates({ notBefore: NOW - DAY, notAfter: NOW + 1 }, null, NOW)).toEqual({ ok: true, issuedAt: NOW - DAY, expiresAt: NOW + 1 });
  });

  it('accepts an issuance date up to the clock skew ahead (counted from now), and refuses 1 ms more', () => {
    expect(CLOCK_SKEW_MS).toBe(5 * MINUTE);
    const cert = { notBefore: NOW - DAY, notAfter: NOW + YEAR };
    expect(importDates(cert, NOW + CLOCK_SKEW_MS, NOW)).toEqual({ ok: true, issuedAt: NOW, expiresAt: NOW + 30 * DAY });
    expect(importDates(cert, NOW + CLOCK_SKEW_MS + 1, NOW)).toEqual({ ok: false, refusal: 'issued-in-future', issuedAt: NOW + CLOCK_SKEW_MS + 1 });
  });

  it('applies the same future rule to a notBefore in the future', () => {
    expect(importDates({ notBefore: NOW + CLOCK_SKEW_MS + 1, notAfter: NOW + YEAR }, null, NOW)).toMatchObject({ ok: false, refusal: 'issued-in-future' });
  });

  it('refuses a pickup whose 30 days end now, and takes one with 1 ms left', () => {
    const cert = { notBefore: NOW - YEAR, notAfter: NOW + YEAR };
    expect(importDates(cert, NOW - 30 * DAY, NOW)).toEqual({ ok: false, refusal: 'dead-on-arrival' });
    expect(importDates(cert, NOW - 30 * DAY + 1, NOW)).toEqual({ ok: true, issuedAt: NOW - 30 * DAY + 1, expiresAt: NOW + 1 });
  });
});
