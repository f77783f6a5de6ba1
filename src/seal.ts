import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import type { SealContext, Sealer } from './pki/sealer-type.js';

export type SealKey = { kid: string; key: Uint8Array };

/** Raised when a sealed blob cannot be opened: unknown key, tampering, or bound to another record. */
export class SealError extends Error {
  override name = 'SealError';
}

/**
 * Seals with jose JWE (`dir`, `A256GCM`). The first key seals; every key listed still opens,
 * which is what lets a rotated key keep serving old pickups until they are purged.
 */
export type KeyringSealer = Sealer & { readonly currentKid: string };

export function createSealer(keys: SealKey[]): KeyringSealer {
  const [current] = keys;
  if (!current) throw new SealError('no seal key configured');
  const byKid = new Map(keys.map((k) => [k.kid, k.key]));
  return {
    currentKid: current.kid,
    async seal(plaintext: Uint8Array, context: SealContext): Promise<string> {
      return new CompactEncrypt(plaintext)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid, pur: context.purpose, pid: context.id })
        .encrypt(current.key);
    },
    async open(jwe: string, context: SealContext): Promise<Uint8Array> {
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(jwe);
      } catch {
        throw new SealError('sealed blob is malformed');
      }
      const key = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined;
      if (!key) throw new SealError(`sealed with unknown key id ${String(header.kid)}`);
      if (header.pur !== context.purpose || header.pid !== context.id) {
        throw new SealError('sealed blob belongs to another record');
      }
      try {
        const { plaintext } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        return plaintext;
      } catch {
        throw new SealError('sealed blob failed authentication');
      }
    },
  };
}
