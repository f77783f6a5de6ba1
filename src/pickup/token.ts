import { hash } from 'node:crypto';
import type { Random } from '../lib/random.js';

/** Crockford base32; the five extra symbols only ever appear as the check symbol. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK_ALPHABET = ALPHABET + '*~$=U';
const BODY_LENGTH = 26;
export const TOKEN_LENGTH = BODY_LENGTH + 1;

export type TokenCheck = { ok: true; token: string } | { ok: false; reason: 'incomplete' };

function encodeBody(value: bigint): string {
  let out = '';
  for (let i = 0; i < BODY_LENGTH; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function checkSymbol(value: bigint): string {
  return CHECK_ALPHABET[Number(value % 37n)]!;
}

// Linkifiers in mail programs leave a trailing * or ~ (and sometimes $ or =) out of the link,
// so tokens whose check symbol would be one of those four are never handed out.
const PUNCTUATION_CHECKS = new Set(['*', '~', '$', '=']);

/**
 * 128 random bits, 26 base32 characters and the mod-37 check symbol. Values whose check symbol
 * is punctuation are redrawn: 33 of 37 residues remain, a loss of 0.16 bits of the 128.
 */
export function generateToken(random: Random): string {
  for (;;) {
    const value = BigInt('0x' + Buffer.from(random(16)).toString('hex'));
    const check = checkSymbol(value);
    if (!PUNCTUATION_CHECKS.has(check)) return encodeBody(value) + check;
  }
}

// Mail programs wrap, quote and punctuate URLs; whatever follows the 27th character and is not
// a letter or digit is treated as such debris rather than as part of the token.
const TRAILING_DEBRIS = /^[^\p{L}\p{N}]*$/u;

// A token exactly as it was handed out: what nearly every request carries.
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]{26}[0-9A-HJKMNP-TV-Z*~$=U]$/;

/**
 * Accepts the token the way people actually paste it: any case, Crockford's I/L→1 and O→0,
 * full-width characters, stray spaces or line breaks, trailing punctuation.
 */
export function normalizeToken(raw: string): TokenCheck {
  const text = CANONICAL.test(raw) ? raw : repaired(raw);
  if (text.length !== TOKEN_LENGTH) return { ok: false, reason: 'incomplete' };
  // The check symbol is the value mod 37, taken digit by digit (Horner's rule), so no BigInt is
  // built per request; generateToken computes it from the whole value, and the tests hold the two
  // to each other.
  let rest = 0;
  for (let i = 0; i < BODY_LENGTH; i++) {
    const digit = ALPHABET.indexOf(text[i]!);
    if (digit < 0) return { ok: false, reason: 'incomplete' };
    // 26 digits carry 130 bits; in a 128-bit value the first digit's top two bits are clear.
    if (i === 0 && digit > 7) return { ok: false, reason: 'incomplete' };
    rest = (rest * 32 + digit) % 37;
  }
  if (CHECK_ALPHABET[rest] !== text[BODY_LENGTH]) return { ok: false, reason: 'incomplete' };
  return { ok: true, token: text };
}

function repaired(raw: string): string {
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // Already decoded, or a stray '%': use it as it is.
  }
  text = text
    .normalize('NFKC')
    .replace(/[\s\u200B-\u200D\uFEFF-]+/gu, '')
    .toUpperCase()
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (text.length > TOKEN_LENGTH && TRAILING_DEBRIS.test(text.slice(TOKEN_LENGTH))) {
    text = text.slice(0, TOKEN_LENGTH);
  }
  return text;
}

/** Only this digest is stored. A 128-bit random token needs no salt or slow hash. */
export function hashToken(token: string): string {
  // crypto.hash: one call, no Hash object per request (a canonical token is ASCII, so UTF-8 is the same bytes).
  return hash('sha256', token, 'hex');
}

/** What logs carry instead of the token: enough to correlate, useless for access. */
export function tokenLogId(tokenHash: string): string {
  return tokenHash.slice(0, 10);
}
