import { createCipheriv, createPrivateKey, X509Certificate } from 'node:crypto';
import { type Random } from '../lib/random.js';
import { integer, octets, oid, seq } from './der.js';
import { type BagEncryptor, type MacSpec, assemblePfx } from './p12-asn1.js';
import { MODERN_MAC, pbes2Aes256 } from './p12-modern.js';
import { KDF_ID, pkcs12Kdf } from './pkcs12-kdf.js';
import { pemToDer } from './pem.js';

export const P12_PROFILES = ['compat', 'modern'] as const;
/** compat: 3DES + SHA-1 MAC, opens everywhere (Windows 7+, macOS, Java 8). modern: AES-256 + SHA-256. */
export type P12Profile = (typeof P12_PROFILES)[number];

export class P12BuildError extends Error {
  override name = 'P12BuildError';
}

export interface BuildP12Input {
  keyPem: string;
  certPem: string;
  /** Issuing CA first, root last. */
  chainPems: string[];
  pin: string;
  profile?: P12Profile;
  friendlyName: string;
  random: Random;
}

export const COMPAT_ITERATIONS = 10000;
const COMPAT_MAC: MacSpec = { hash: 'sha1', iterations: COMPAT_ITERATIONS, saltBytes: 8 };
const PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';

/**
 * pbeWithSHAAnd3-KeyTripleDES-CBC for both safes. forge's toPkcs12Asn1 is not used: it leaves
 * the certificate safe unencrypted (the certificate holds birth date and address), draws its
 * salts from forge's own PRNG and derives keys in slow pure JS.
 */
function pbeSha1TripleDes(pin: string, random: Random): BagEncryptor {
  return (plaintext) => {
    const salt = Buffer.from(random(8));
    const derive = (id: number, size: number) => pkcs12Kdf({
      hash: 'sha1', password: pin, salt, iterations: COMPAT_ITERATIONS, id, size,
    });
    const cipher = createCipheriv('des-ede3-cbc', derive(KDF_ID.key, 24), derive(KDF_ID.iv, 8));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { algorithm: seq(oid(PBE_SHA1_3DES), seq(octets(salt), integer(COMPAT_ITERATIONS))), ciphertext };
  };
}

/** PKCS#12 holding the key, the leaf certificate first, then the chain. */
export function buildP12(input: BuildP12Input): Uint8Array {
  const { pin, random } = input;
  // The PIN feeds both PBKDF2 (UTF-8) and the PKCS#12 KDF (UTF-16); ASCII keeps them in step.
  if (!/^[\x20-\x7e]+$/.test(pin)) throw new P12BuildError('PIN must be printable ASCII and not empty');
  const key = createPrivateKey(input.keyPem);
  if (!new X509Certificate(input.certPem).checkPrivateKey(key)) {
    throw new P12BuildError('private key does not match the certificate');
  }
  const leafDer = pemToDer(input.certPem, 'CERTIFICATE');
  const chainDers = input.chainPems
    .map((pem) => pemToDer(pem, 'CERTIFICATE'))
    .filter((der) => !der.equals(leafDer));
  const modern = (input.profile ?? 'compat') === 'modern';
  return assemblePfx({
    leafDer,
    chainDers,
    pkcs8Der: key.export({ type: 'pkcs8', format: 'der' }),
    friendlyName: input.friendlyName,
    pin,
    encrypt: modern ? pbes2Aes256(pin, random) : pbeSha1TripleDes(pin, random),
    mac: modern ? MODERN_MAC : COMPAT_MAC,
    random,
  });
}
