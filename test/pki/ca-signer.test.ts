import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ecdsaRawToDer } from '../../src/pki/ca-signer.js';

describe('ecdsaRawToDer', () => {
  it('writes r and s as minimal positive DER integers', () => {
    // r has its top bit set (needs a 00 pad), s has leading zero bytes (must be dropped).
    const r = Buffer.alloc(32, 0xff);
    const s = Buffer.concat([Buffer.alloc(30), Buffer.from([0x01, 0x7f])]);
    expect(ecdsaRawToDer(Buffer.concat([r, s])).toString('hex')).toBe(`3027022100${'ff'.repeat(32)}0202017f`);
  });

  it('turns the r || s a token returns into the signature X.509 carries', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`tbs ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(raw).toHaveLength(64);
      const der = ecdsaRawToDer(raw);
      expect(verify('sha256', data, publicKey, der)).toBe(true);
      expect(verify('sha256', Buffer.from('other'), publicKey, der)).toBe(false);
    }
  });

  it('refuses what cannot be r || s', () => {
    expect(() => ecdsaRawToDer(Buffer.alloc(63))).toThrow('not r || s');
    expect(() => ecdsaRawToDer(Buffer.alloc(0))).toThrow('not r || s');
  });
});
