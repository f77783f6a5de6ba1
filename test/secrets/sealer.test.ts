import { describe, expect, it } from 'vitest';
import { createSealer, SealError } from '../../src/secrets/sealer.js';

const key = (b: number) => ({ kid: `k${b}`, key: new Uint8Array(32).fill(b) });
const bytes = new TextEncoder().encode('PKCS#12 bytes');

describe('the sealer', () => {
  it('opens what it sealed, for the same purpose and record', async () => {
    const sealer = createSealer([key(1)]);
    const jwe = await sealer.seal(bytes, { purpose: 'p12', id: 'pk_1' });
    expect(Buffer.from(await sealer.open(jwe, { purpose: 'p12', id: 'pk_1' })).toString()).toBe('PKCS#12 bytes');
    expect(jwe).not.toContain(Buffer.from('PKCS#12').toString('base64url'));
  });

  it('refuses a sealed file moved onto another record, or used for another purpose', async () => {
    const sealer = createSealer([key(1)]);
    const jwe = await sealer.seal(bytes, { purpose: 'p12', id: 'pk_1' });
    await expect(sealer.open(jwe, { purpose: 'p12', id: 'pk_2' })).rejects.toThrow(SealError);
    await expect(sealer.open(jwe, { purpose: 'ca-key', id: 'pk_1' })).rejects.toThrow(SealError);
  });

  it('refuses a rewritten header, a flipped byte, an unknown key and a wrong key', async () => {
    const sealer = createSealer([key(1)]);
    const jwe = await sealer.seal(bytes, { purpose: 'p12', id: 'pk_1' });
    const [header, ...rest] = jwe.split('.');
    const forged = JSON.parse(Buffer.from(header!, 'base64url').toString());
    forged.pid = 'pk_2';
    const reheadered = [Buffer.from(JSON.stringify(forged)).toString('base64url'), ...rest].join('.');
    await expect(sealer.open(reheadered, { purpose: 'p12', id: 'pk_2' })).rejects.toThrow(SealError);
    const parts = jwe.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0]! ^= 1;
    parts[3] = ct.toString('base64url');
    await expect(sealer.open(parts.join('.'), { purpose: 'p12', id: 'pk_1' })).rejects.toThrow(SealError);
    await expect(createSealer([key(2)]).open(jwe, { purpose: 'p12', id: 'pk_1' })).rejects.toThrow(/unknown key id/);
    await expect(createSealer([{ kid: 'k1', key: new Uint8Array(32).fill(9) }]).open(jwe, { purpose: 'p12', id: 'pk_1' })).rejects.toThrow(SealError);
    await expect(sealer.open('not a jwe', { purpose: 'p12', id: 'pk_1' })).rejects.toThrow(SealError);
  });

  it('seals with the first key and still opens with the others', async () => {
    const old = createSealer([key(1)]);
    const sealedOld = await old.seal(bytes, { purpose: 'p12', id: 'pk_1' });
    const rotated = createSealer([key(2), key(1)]);
    expect(rotated.currentKid).toBe('k2');
    const sealedNew = await rotated.seal(bytes, { purpose: 'p12', id: 'pk_1' });
    expect(JSON.parse(Buffer.from(sealedNew.split('.')[0]!, 'base64url').toString()).kid).toBe('k2');
    expect(Buffer.from(await rotated.open(sealedOld, { purpose: 'p12', id: 'pk_1' })).toString()).toBe('PKCS#12 bytes');
  });
});
