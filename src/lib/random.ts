import { randomBytes } from 'node:crypto';

/** Source of random bytes. Production uses the OS CSPRNG; tests pass a seeded one. */
export type Random = (size: number) => Uint8Array;

export const cryptoRandom: Random = (size) => new Uint8Array(randomBytes(size));

/**
 * Deterministic generator for tests only (xorshift128+ style). Never used for secrets in
 * production: createApp and the staff commands default to cryptoRandom.
 */
export function seededRandom(seed: number): Random {
  let s0 = BigInt(seed) ^ 0x9e3779b97f4a7c15n;
  let s1 = BigInt(seed * 7 + 1) ^ 0xbf58476d1ce4e5b9n;
  const mask = (1n << 64n) - 1n;
  const next = (): bigint => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= (x << 23n) & mask;
    s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (s1 + y) & mask;
  };
  return (size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i += 8) {
      let v = next();
      for (let j = 0; j < 8 && i + j < size; j++) {
        out[i + j] = Number(v & 0xffn);
        v >>= 8n;
      }
    }
    return out;
  };
}
