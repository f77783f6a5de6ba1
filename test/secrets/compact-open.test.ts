import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { CompactOpenError, openDirA256Gcm, readProtectedHeader } from '../../src/secrets/compact-open.js';

const raw = new Uint8Array(32).fill(7);
const key = createSecretKey(raw);
const header = { alg: 'dir', enc: 'A256GCM', kid: 'k1', pur: 'p12', pid: 'pk_1' };

const sealWithJose = (plaintext: Uint8Array, h: Record<string, unknown> = header) =>
  new CompactEncrypt(plaintext).setProtectedHeader(h as never).encrypt(raw);
const open = (jwe: string) => openDirA256Gcm(jwe, readProtectedHeader(jwe), key);
const joseOpens = async (jwe: string) => {
  try {
    return Buffer.from((await compactDecrypt(jwe, raw)).plaintext);
  } catch {
    return null;
  }
};
const oursOpens = (jwe: string) => {
  try {
    return Buffer.from(open(jwe));
  } catch (err) {
    expect(err).toBeInstanceOf(CompactOpenError);
    return null;
  }
};

/** A blob authenticated with the right key under any header we choose, built with node:crypto. */
function craft(h: Record<string, unknown>, plaintext: Buffer, encryptedKey = ''): string {
  const protectedB64 = Buffer.from(JSON.stringify(h)).toString('base64url');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [protectedB64, encryptedKey, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

describe('opening a jose dir/A256GCM JWE with node:crypto', () => {
  it('opens what jose sealed, byte for byte, at every size around the block boundary', async () => {
    for (const size of [0, 1, 15, 16, 17, 4095, 5000, 70_000]) {
      const plaintext = randomBytes(size);
      const jwe = await sealWithJose(plaintext);
      expect(Buffer.from(open(jwe)).equals(plaintext)).toBe(true);
    }
  });

  it('never opens a mutated blob that jose refuses, and opens the untouched one', async () => {
    const plaintext = randomBytes(300);
    const jwe = await sealWithJose(plaintext);
    expect(oursOpens(jwe)?.equals(plaintext)).toBe(true);
    let refused = 0;
    for (let i = 0; i < jwe.length; i++) {
      for (const replacement of ['A', '-', '.', '', '==', ' ']) {
        if (jwe[i] === replacement) continue;
        const mutated = jwe.slice(0, i) + replacement + jwe.slice(i + 1);
        const ours = oursOpens(mutated);
        if (ours === null) {
          refused++;
          continue;
        }
        // Whatever ours still opens, jose opens too, to the same bytes (an equivalent encoding).
        expect((await joseOpens(mutated))?.equals(ours)).toBe(true);
      }
    }
    expect(refused).toBeGreaterThan(jwe.length * 5);
  });

  it('refuses a part with a dangling character, which jose refuses and Buffer would drop', async () => {
    // 6 bytes of plaintext: a ciphertext of 8 characters, so one more leaves 9 (9 % 4 === 1).
    const plaintext = Buffer.from('P12abc');
    const parts = (await sealWithJose(plaintext)).split('.');
    for (const index of [0, 2, 3]) {
      const mutated = parts.map((p, i) => (i === index ? `${p}A` : p)).join('.');
      if (mutated.split('.')[index]!.length % 4 !== 1) continue;
      expect(await joseOpens(mutated), `part ${index}`).toBeNull();
      expect(oursOpens(mutated), `part ${index}`).toBeNull();
    }
    const iv = parts.map((p, i) => (i === 2 ? `${p}A` : p)).join('.');
    expect(iv.split('.')[2]!.length % 4).toBe(1);
    expect(() => open(iv)).toThrow(/not base64url/);
  });

  it('accepts only the one form the sealer writes, even when the tag checks out', () => {
    const plaintext = Buffer.from('PKCS#12 bytes');
    expect(Buffer.from(open(craft(header, plaintext))).toString()).toBe('PKCS#12 bytes');
    expect(() => open(craft({ ...header, crit: ['exp'], exp: 1 }, plaintext))).toThrow(/unsupported header/);
    expect(() => open(craft({ ...header, zip: 'DEF' }, plaintext))).toThrow(/unsupported header/);
    expect(() => open(craft({ ...header, alg: 'A256KW' }, plaintext))).toThrow(/unexpected algorithms/);
    expect(() => open(craft({ ...header, enc: 'A128GCM' }, plaintext))).toThrow(/unexpected algorithms/);
    expect(() => open(craft(header, plaintext, 'AAAA'))).toThrow(/no encrypted key/);
  });

  it('refuses a wrong key, a short tag or iv, and text that is no JWE at all', async () => {
    const jwe = await sealWithJose(Buffer.from('x'));
    expect(() => openDirA256Gcm(jwe, header, createSecretKey(new Uint8Array(32).fill(8)))).toThrow(/authentication failed/);
    const parts = jwe.split('.');
    // 12 characters: 9 bytes, spelled as jose would spell them, so the length is what is wrong.
    expect(() => open([...parts.slice(0, 4), parts[4]!.slice(0, 12)].join('.'))).toThrow(/length/);
    // 10 characters leave four bits over; unless they are zero, no encoder writes that spelling.
    const ragged = parts[4]!.slice(0, 9) + 'B';
    expect(() => open([...parts.slice(0, 4), ragged].join('.'))).toThrow(/not base64url/);
    expect(() => open([parts[0], '', parts[2]!.slice(0, 8), parts[3], parts[4]].join('.'))).toThrow(/length/);
    for (const junk of ['', '.', 'a.b.c.d.e', '....', '{}', 'e30.....', 'W10....', 'bnVsbA....']) {
      expect(() => open(junk)).toThrow(CompactOpenError);
    }
  });
});
