import type { Random } from '../lib/random.js';

/** Half-width letters and digits without the look-alikes 0 O o 1 l I i: 55 symbols. */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789';
export const EXCLUDED_CHARACTERS = ['0', 'O', 'o', '1', 'l', 'I', 'i'] as const;
export const CODE_LENGTH = 8;

const CODE_SET = new Set(CODE_ALPHABET);

/** Whether a character can appear in a password or PIN at all. */
export function isCodeCharacter(ch: string): boolean {
  return CODE_SET.has(ch);
}

/** Draws a password or PIN without modulo bias (rejection sampling on single bytes). */
export function generateCode(random: Random, length = CODE_LENGTH): string {
  const limit = 256 - (256 % CODE_ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < limit && out.length < length) out += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    }
  }
  return out;
}

/**
 * What the password field does to input before checking it: full-width becomes half-width
 * (NFKC) and spaces and line breaks go. Case is never changed: it is part of the password.
 */
export function normalizeCodeInput(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\u200B-\u200D\uFEFF]+/gu, '');
}
