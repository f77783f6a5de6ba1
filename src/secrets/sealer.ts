import { createSecretKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, decodeProtectedHeader } from 'jose';
import { openDirA256Gcm, readProtectedHeader, type ProtectedHeader } from './compact-open.js';
import type { SealContext, Sealer } from '../pki/sealer-type.js';

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

export type SealerOptions = {
  /**
   * Reads the keyring again. Called once when a blob names a key this process does not know:
   * a server started before `staff rotate-seal-key` then still opens what staff seal after it.
   */
  reload?: () => SealKey[];
};

/** The key id in a sealed blob's protected header, or null when the blob is malformed. */
export function sealedKid(jwe: string): string | null {
  try {
    const { kid } = decodeProtectedHeader(jwe);
    return typeof kid === 'string' ? kid : null;
  } catch {
    return null;
  }
}

const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();
const opening = new WeakMap<Uint8Array, KeyObject>();

/** The same key as a node:crypto KeyObject, made once, for the synchronous open. */
function openingKey(raw: Uint8Array): KeyObject {
  let found = opening.get(raw);
  if (!found) opening.set(raw, (found = createSecretKey(raw)));
  return found;
}

/** Imported once per key: jose would otherwise import the raw bytes on every seal and open. */
function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  let found = imported.get(raw);
  if (!found) {
    found = crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    imported.set(raw, found);
  }
  return found;
}

export function createSealer(keys: SealKey[], options: SealerOptions = {}): KeyringSealer {
  const [current] = keys;
  if (!current) throw new SealError('no seal key configured');
  const byKid = new Map(keys.map((k) => [k.kid, k.key]));
  // The sealing key stays the one this process started with; a reload only adds keys that open.
  const keyFor = (kid: unknown): Uint8Array | undefined => {
    if (typeof kid !== 'string') return undefined;
    if (!byKid.has(kid) && options.reload) {
      try {
        for (const k of options.reload()) if (!byKid.has(k.kid)) byKid.set(k.kid, k.key);
      } catch {
        // An unreadable keyring on disk is the same as an unknown key: SealError below.
      }
    }
    return byKid.get(kid);
  };
  return {
    currentKid: current.kid,
    async seal(plaintext: Uint8Array, context: SealContext): Promise<string> {
      return new CompactEncrypt(plaintext)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid, pur: context.purpose, pid: context.id })
        .encrypt(await aesKey(current.key));
    },
    async open(jwe: string, context: SealContext): Promise<Uint8Array> {
      let header: ProtectedHeader;
      try {
        header = readProtectedHeader(jwe);
      } catch {
        throw new SealError('sealed blob is malformed');
      }
      const key = keyFor(header.kid);
      if (!key) throw new SealError(`sealed with unknown key id ${String(header.kid)}`);
      if (header.pur !== context.purpose || header.pid !== context.id) {
        throw new SealError('sealed blob belongs to another record');
      }
      try {
        return openDirA256Gcm(jwe, header, openingKey(key));
      } catch {
        throw new SealError('sealed blob failed authentication');
      }
    },
  };
}
