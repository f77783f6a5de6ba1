import * as crypto from 'node:crypto';
import { sha1Iterate } from './sha1-iterate.js';

export type Pkcs12Hash = 'sha1' | 'sha256';

/** Purpose byte of RFC 7292 B.3. */
export const KDF_ID = { key: 1, iv: 2, mac: 3 } as const;

const OUTPUT_BYTES: Record<Pkcs12Hash, number> = { sha1: 20, sha256: 32 };
const BLOCK_BYTES = 64; // v for both SHA-1 and SHA-256

// crypto.hash (Node >= 20.12) is about twice as fast as createHash for a 10000-round SHA-256 chain.
const digest: (alg: Pkcs12Hash, data: Buffer) => Buffer = typeof crypto.hash === 'function'
  ? (alg, data) => crypto.hash(alg, data, 'buffer')
  : (alg, data) => crypto.createHash(alg).update(data).digest();

/** PKCS#12 passwords are BMPString (UTF-16BE) with a two-byte NUL terminator (RFC 7292 B.1). */
export function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

function repeatToBlocks(data: Buffer): Buffer {
  if (data.length === 0) return data;
  const length = BLOCK_BYTES * Math.ceil(data.length / BLOCK_BYTES);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = data[i % data.length]!;
  return out;
}

export interface Pkcs12KdfInput {
  hash: Pkcs12Hash;
  password: string;
  salt: Uint8Array;
  iterations: number;
  id: number;
  size: number;
}

/**
 * RFC 7292 appendix B.2 key derivation, SHA-256 through crypto.hash and the SHA-1 chain through
 * sha1Iterate (WebAssembly): forge's pure-JS version is the slow
 * part of building a PKCS#12 at the iteration counts importers expect.
 */
export function pkcs12Kdf({ hash, password, salt, iterations, id, size }: Pkcs12KdfInput): Buffer {
  const u = OUTPUT_BYTES[hash];
  const diversifier = Buffer.alloc(BLOCK_BYTES, id);
  const input = Buffer.concat([repeatToBlocks(Buffer.from(salt)), repeatToBlocks(bmpPassword(password))]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < size; produced += u) {
    let a = digest(hash, Buffer.concat([diversifier, input]));
    if (hash === 'sha1') a = sha1Iterate(a, iterations - 1);
    else for (let r = 1; r < iterations; r++) a = digest(hash, a);
    out.push(a);
    if (produced + u >= size) break;
    // I_j = (I_j + B + 1) mod 2^(8v), with B = A repeated to v bytes
    const b = repeatToBlocks(a);
    for (let j = 0; j < input.length; j += BLOCK_BYTES) {
      let carry = 1;
      for (let k = BLOCK_BYTES - 1; k >= 0; k--) {
        const sum = input[j + k]! + b[k]! + carry;
        input[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, size);
}
