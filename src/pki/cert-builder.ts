import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { type Random } from '../lib/random.js';
import {
  type Asn1, algorithm, bitString, explicit, fromDer, integer, oid, printable, seq, setOf, toDer,
  utf8, x509Time,
} from './der.js';
import { OIDS } from './oids.js';

export class UnsupportedKeyError extends Error {
  override name = 'UnsupportedKeyError';
}

export interface NameAttribute {
  oid: string;
  value: string;
  /** countryName must be PrintableString (RFC 5280); everything else is UTF8String. */
  printable?: boolean;
}

/** RDNSequence with one attribute per RDN, in the order given. */
export const buildName = (attrs: NameAttribute[]): Asn1 =>
  seq(...attrs.map((a) => setOf(seq(oid(a.oid), a.printable ? printable(a.value) : utf8(a.value)))));

/**
 * 16 random bytes with the top bit cleared (positive, at most 127 bits of entropy after
 * encoding), redrawn if zero. serialHex is the magnitude as `openssl x509 -serial` prints it.
 */
export function randomSerial(random: Random): { value: bigint; serialHex: string } {
  for (;;) {
    const bytes = random(16);
    bytes[0]! &= 0x7f;
    const value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
    if (value === 0n) continue;
    let hex = value.toString(16).toUpperCase();
    if (hex.length % 2) hex = `0${hex}`;
    return { value, serialHex: hex };
  }
}

/** notAfter = notBefore + whole calendar years (UTC); 29 February rolls to 1 March. */
export function addYears(date: Date, years: number): Date {
  const out = new Date(date.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

export interface TbsInput {
  serial: bigint;
  issuerName: Asn1;
  subjectName: Asn1;
  notBefore: Date;
  notAfter: Date;
  spkiDer: Uint8Array;
  extensions: Asn1[];
  /** AlgorithmIdentifier of the issuer's signature; sha256WithRSAEncryption when absent. */
  signatureAlgorithm?: Asn1;
}

export const buildTbs = (t: TbsInput): Asn1 =>
  seq(
    explicit(0, integer(2)),
    integer(t.serial),
    t.signatureAlgorithm ?? algorithm(OIDS.sha256WithRSAEncryption),
    t.issuerName,
    seq(x509Time(t.notBefore), x509Time(t.notAfter)),
    t.subjectName,
    fromDer(t.spkiDer),
    explicit(3, seq(...t.extensions)),
  );

/**
 * Signs with Node's native RSA (forge's pure-JS RSA is far slower) and
 * wraps tbs + algorithm + signature into the Certificate SEQUENCE. Returns DER.
 */
export function signCertificate(tbs: Asn1, issuerKey: string | KeyObject): Buffer {
  const key = typeof issuerKey === 'string' ? createPrivateKey(issuerKey) : issuerKey;
  if (key.asymmetricKeyType !== 'rsa') {
    throw new UnsupportedKeyError(`issuer key must be RSA, got ${key.asymmetricKeyType}`);
  }
  const tbsDer = toDer(tbs);
  return assembleCertificate(tbsDer, algorithm(OIDS.sha256WithRSAEncryption), sign('sha256', tbsDer, key));
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }, from the
 * exact TBS bytes that were signed (wherever the signing happened). Returns DER.
 */
export function assembleCertificate(tbsDer: Buffer, signatureAlgorithm: Asn1, signature: Uint8Array): Buffer {
  const tail = toDer(seq(signatureAlgorithm, bitString(signature)));
  // Splice the already-encoded TBS instead of re-encoding it inside a forge SEQUENCE.
  const body = Buffer.concat([tbsDer, tail.subarray(headerLength(tail))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function headerLength(der: Buffer): number {
  const first = der[1]!;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}
