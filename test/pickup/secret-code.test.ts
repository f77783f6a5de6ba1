import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import { CODE_ALPHABET, EXCLUDED_CHARACTERS, generateCode, normalizeCodeInput } from '../../src/pickup/secret-code.js';

describe('password and PIN', () => {
  it('uses 55 half-width alphanumerics and none of the look-alikes', () => {
    expect(CODE_ALPHABET).toHaveLength(55);
    expect(new Set(CODE_ALPHABET).size).toBe(55);
    for (const ch of EXCLUDED_CHARACTERS) expect(CODE_ALPHABET).not.toContain(ch);
    expect(CODE_ALPHABET).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('draws 8 characters from the alphabet, every symbol reachable', () => {
    const random = seededRandom(7);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = generateCode(random);
      expect(code).toMatch(/^[A-HJ-NP-Za-km-np-z2-9]{8}$/);
      for (const ch of code) seen.add(ch);
    }
    expect(seen.size).toBe(55);
  });

  it('turns full-width into half-width and drops spaces, never changing case', () => {
    expect(normalizeCodeInput('ＡｂＣｄ２３４５')).toBe('AbCd2345');
    expect(normalizeCodeInput(' Ab Cd\n2345\t')).toBe('AbCd2345');
    expect(normalizeCodeInput('abcd2345')).toBe('abcd2345');
    expect(normalizeCodeInput('ABCD2345')).toBe('ABCD2345');
  });
});
