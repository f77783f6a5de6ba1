import type forge from 'node-forge';
import { asn1, forgeUtil } from './forge-asn1.js';

// Thin constructors over forge's ASN.1 model. forge represents bytes as "binary strings"
// (one char per byte); these helpers keep that detail out of the certificate and P12 code.
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

export type Asn1 = forge.asn1.Asn1;

export const toBinary = (bytes: Uint8Array): string => Buffer.from(bytes).toString('binary');
export const fromBinary = (s: string): Buffer => Buffer.from(s, 'binary');

export const toDer = (node: Asn1): Buffer => fromBinary(asn1.toDer(node).getBytes());
/** Strict parse; BIT STRING contents stay raw bytes (first byte = unused-bit count). */
export const fromDer = (der: Uint8Array): Asn1 =>
  asn1.fromDer(toBinary(der), { strict: true, decodeBitStrings: false } as never);

export const seq = (...items: Asn1[]): Asn1 => asn1.create(U, T.SEQUENCE, true, items);
export const oid = (dotted: string): Asn1 =>
  asn1.create(U, T.OID, false, asn1.oidToDer(dotted).getBytes());
export const nullValue = (): Asn1 => asn1.create(U, T.NULL, false, '');
export const bool = (value: boolean): Asn1 =>
  asn1.create(U, T.BOOLEAN, false, value ? '\xff' : '\x00');
export const octets = (bytes: Uint8Array): Asn1 =>
  asn1.create(U, T.OCTETSTRING, false, toBinary(bytes));
export const utf8 = (text: string): Asn1 =>
  asn1.create(U, T.UTF8, false, forgeUtil.encodeUtf8(text));
export const printable = (text: string): Asn1 => asn1.create(U, T.PRINTABLESTRING, false, text);
export const ia5 = (text: string): Asn1 => asn1.create(U, T.IA5STRING, false, text);
/** forge writes a BMPSTRING value as UTF-16BE code units, so Japanese text survives. */
export const bmp = (text: string): Asn1 => asn1.create(U, T.BMPSTRING, false, text);
export const bitString = (bytes: Uint8Array, unusedBits = 0): Asn1 =>
  asn1.create(U, T.BITSTRING, false, String.fromCharCode(unusedBits) + toBinary(bytes));
export const generalizedTime = (date: Date): Asn1 =>
  asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));

/** Minimal two's-complement DER INTEGER from a non-negative integer. */
export function integer(value: number | bigint): Asn1 {
  let hex = BigInt(value).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  return asn1.create(U, T.INTEGER, false, forgeUtil.hexToBytes(hex));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function x509Time(date: Date): Asn1 {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(date))
    : generalizedTime(date);
}

/** [n] EXPLICIT wrapper (constructed, context-specific). */
export const explicit = (tag: number, inner: Asn1): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [inner]);

/** [n] IMPLICIT primitive: the context tag replaces the universal one. */
export const implicitBytes = (tag: number, bytes: Uint8Array | string): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false,
    typeof bytes === 'string' ? bytes : toBinary(bytes));

/** DER SET OF: members sorted by their encodings (X.690 11.6). */
export function setOf(...items: Asn1[]): Asn1 {
  const sorted = items
    .map((node) => ({ node, der: toDer(node) }))
    .sort((a, b) => compareDer(a.der, b.der))
    .map((entry) => entry.node);
  return asn1.create(U, T.SET, true, sorted);
}

function compareDer(a: Buffer, b: Buffer): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export const algorithm = (dotted: string, params: Asn1 | null = nullValue()): Asn1 =>
  params ? seq(oid(dotted), params) : seq(oid(dotted));
