import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { type Asn1, algorithm, integer, seq, toDer } from './der.js';
import { OIDS } from './oids.js';

export type CaKeyType = 'rsa' | 'ec';

/**
 * Whatever holds the CA's private key: a key file (the development CA) or a token behind
 * PKCS#11. The certificate is built here and only its TBS bytes travel to the signer.
 */
export interface CaSigner {
  readonly keyType: CaKeyType;
  /**
   * Signs the DER TBSCertificate with SHA-256 and returns the signatureValue contents: the
   * PKCS#1 v1.5 signature for RSA, a DER ECDSA-Sig-Value for EC (as X.509 carries it).
   */
  sign(tbsDer: Buffer): Promise<Buffer>;
}

/** sha256WithRSAEncryption takes a NULL parameter; ecdsa-with-SHA256 takes none (RFC 5758). */
export function signatureAlgorithm(keyType: CaKeyType): Asn1 {
  return keyType === 'rsa' ? algorithm(OIDS.sha256WithRSAEncryption) : algorithm(OIDS.ecdsaWithSHA256, null);
}

/**
 * PKCS#11 returns ECDSA signatures as the two halves r || s of equal length; X.509 wants
 * SEQUENCE { INTEGER r, INTEGER s } with minimal, positive integers.
 */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new Error(`an ECDSA signature of ${raw.length} bytes is not r || s`);
  const half = raw.length / 2;
  const toInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  return toDer(seq(integer(toInt(raw.subarray(0, half))), integer(toInt(raw.subarray(half)))));
}

/** A signer over a private key held in memory (the development CA's, unsealed). */
export function keyObjectSigner(key: string | KeyObject): CaSigner {
  const keyObject = typeof key === 'string' ? createPrivateKey(key) : key;
  const type = keyObject.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') throw new Error(`a CA key of type ${type} cannot sign certificates here`);
  // Node writes ECDSA signatures in DER by default, which is what X.509 carries.
  return { keyType: type, sign: async (tbsDer) => sign('sha256', tbsDer, keyObject) };
}
