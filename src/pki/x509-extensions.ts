import { createHash } from 'node:crypto';
import forge from 'node-forge';
import {
  type Asn1, bitString, bool, explicit, fromBinary, fromDer, ia5, implicitBytes, integer, octets, oid,
  seq, setOf, toDer, utf8,
} from './der.js';
import { OIDS } from './oids.js';

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING } */
export function extension(id: string, value: Asn1, critical = false): Asn1 {
  const parts = [oid(id)];
  if (critical) parts.push(bool(true));
  parts.push(octets(toDer(value)));
  return seq(...parts);
}

export function basicConstraints(ca: boolean, pathLen?: number): Asn1 {
  const parts: Asn1[] = [];
  if (ca) parts.push(bool(true));
  if (ca && pathLen !== undefined) parts.push(integer(pathLen));
  return extension(OIDS.basicConstraints, seq(...parts), true);
}

export const KEY_USAGE = {
  digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3,
  keyAgreement: 4, keyCertSign: 5, cRLSign: 6,
} as const;

/** DER named BIT STRING: trailing zero bits are dropped and counted as unused. */
export function keyUsage(bits: number[]): Asn1 {
  const last = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(last / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return extension(OIDS.keyUsage, bitString(bytes, 7 - (last & 7)), true);
}

export const extKeyUsage = (purposes: string[]): Asn1 =>
  extension(OIDS.extKeyUsage, seq(...purposes.map(oid)));

export const subjectKeyIdentifier = (keyId: Uint8Array): Asn1 =>
  extension(OIDS.subjectKeyIdentifier, octets(keyId));

export const authorityKeyIdentifier = (keyId: Uint8Array): Asn1 =>
  extension(OIDS.authorityKeyIdentifier, seq(implicitBytes(0, keyId)));

/** rfc822Name is [1] IMPLICIT IA5String. */
export const emailAltName = (email: string): Asn1 =>
  extension(OIDS.subjectAltName, seq(implicitBytes(1, email)));

/** The CPS qualifier is attached to every policy: all of them are governed by the same CPS. */
export function certificatePolicies(policyOids: string[], cpsUrl?: string): Asn1 {
  const qualifiers = cpsUrl ? [seq(seq(oid(OIDS.cpsQualifier), ia5(cpsUrl)))] : [];
  return extension(
    OIDS.certificatePolicies,
    seq(...policyOids.map((policy) => seq(oid(policy), ...qualifiers))),
  );
}

/** One DistributionPoint whose fullName lists every URL: they are mirrors of the same CRL. */
export function crlDistributionPoints(urls: string[]): Asn1 {
  const fullName = forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 0, true,
    urls.map((url) => implicitBytes(6, url)));
  return extension(OIDS.crlDistributionPoints, seq(seq(explicit(0, fullName))));
}

/** RFC 3739 subjectDirectoryAttributes: SEQUENCE OF Attribute { type, SET OF value }. */
export const subjectDirectoryAttributes = (attrs: Array<[string, Asn1]>): Asn1 =>
  extension(OIDS.subjectDirectoryAttributes,
    seq(...attrs.map(([type, value]) => seq(oid(type), setOf(value)))));

export const utf8Extension = (id: string, text: string): Asn1 => extension(id, utf8(text));

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdFromSpki(spkiDer: Uint8Array): Buffer {
  const spki = fromDer(spkiDer);
  const bits = (spki.value as Asn1[])[1]!.value as string;
  return createHash('sha1').update(fromBinary(bits).subarray(1)).digest();
}
