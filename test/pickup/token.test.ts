import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import { generateToken, hashToken, normalizeToken, TOKEN_LENGTH } from '../../src/pickup/token.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK = CROCKFORD + '*~$=U';

describe('token', () => {
  const random = seededRandom(1);
  const tokens = Array.from({ length: 20 }, () => generateToken(random));

  it('is 26 Crockford characters and a check symbol, and validates', () => {
    for (const t of tokens) {
      expect(t).toHaveLength(TOKEN_LENGTH);
      expect(t.slice(0, 26)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(normalizeToken(t)).toEqual({ ok: true, token: t });
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('never ends in punctuation a linkifier would leave out of the link', () => {
    const many = Array.from({ length: 2000 }, () => generateToken(random));
    expect(many.filter((t) => /[*~$=]$/.test(t))).toEqual([]);
    expect(many.every((t) => normalizeToken(t).ok)).toBe(true);
  });

  it('catches every single-character change, in every position', () => {
    for (const t of tokens.slice(0, 5)) {
      for (let i = 0; i < t.length; i++) {
        const alphabet = i === 26 ? CHECK : CROCKFORD;
        for (const ch of alphabet) {
          if (ch === t[i]) continue;
          const changed = t.slice(0, i) + ch + t.slice(i + 1);
          expect(normalizeToken(changed).ok, `${changed} at ${i}`).toBe(false);
        }
      }
    }
  });

  it('catches every truncation', () => {
    const t = tokens[0]!;
    for (let n = 0; n < t.length; n++) expect(normalizeToken(t.slice(0, n)).ok).toBe(false);
  });

  it('accepts the forms people paste: case, I/L/O, full width, breaks and trailing punctuation', () => {
    // Pick a token whose body has a 1 and a 0 so the look-alike mapping is exercised.
    const t = tokens.find((x) => x.slice(0, 26).includes('1') && x.slice(0, 26).includes('0')) ?? tokens[0]!;
    const variants = [
      t.toLowerCase(),
      t.replaceAll('1', 'l').replaceAll('0', 'O'),
      t.replaceAll('1', 'I').replaceAll('0', 'o'),
      t.slice(0, 10) + '\n' + t.slice(10),
      t.slice(0, 10) + '%0A' + t.slice(10),
      t + '%20',
      t + '.',
      t + ')。',
      [...t].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(''),
    ];
    for (const v of variants) expect(normalizeToken(v), JSON.stringify(v)).toEqual({ ok: true, token: t });
  });

  it('refuses a trailing letter or digit, which may be a different token', () => {
    expect(normalizeToken(tokens[0]! + 'A').ok).toBe(false);
  });

  it('stores the SHA-256 of the canonical token, the same for every spelling', () => {
    const t = tokens[0]!;
    expect(hashToken(t)).toBe(createHash('sha256').update(t).digest('hex'));
    const variant = normalizeToken(t.toLowerCase() + '.');
    expect(variant.ok && hashToken(variant.token)).toBe(hashToken(t));
  });

  // The check as the value mod 37 of the whole 130-bit number, the way generateToken computes it.
  const bigCheck = (body: string) => {
    const value = [...body].reduce((v, ch) => (v << 5n) | BigInt(CROCKFORD.indexOf(ch)), 0n);
    return { value, check: CHECK[Number(value % 37n)]! };
  };

  it('checks the symbol digit by digit exactly as the whole value mod 37 would', () => {
    const pick = seededRandom(7);
    for (let n = 0; n < 3000; n++) {
      const bytes = pick(27);
      // First digit 0–7 so the value is a 128-bit one; a random last symbol is right 1 in 37.
      const body = CROCKFORD[bytes[0]! % 8]! + [...bytes.subarray(1, 26)].map((b) => CROCKFORD[b % 32]).join('');
      const right = bigCheck(body).check;
      expect(normalizeToken(body + right)).toEqual({ ok: true, token: body + right });
      const other = CHECK[bytes[26]! % 37]!;
      expect(normalizeToken(body + other).ok).toBe(other === right);
    }
  });

  it('refuses a body beyond 128 bits even when its check symbol is right', () => {
    for (const first of '89ABCDEFGHJKMNPQRSTVWXYZ') {
      const body = first + tokens[0]!.slice(1, 26);
      const { value, check } = bigCheck(body);
      expect(value >> 128n).not.toBe(0n);
      expect(normalizeToken(body + check).ok, body).toBe(false);
    }
  });
});
