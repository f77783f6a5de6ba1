import { type Asn1, generalizedTime, printable } from './der.js';
import { type NameAttribute } from './cert-builder.js';
import { OIDS, PRIVATE_OIDS } from './oids.js';
import { type Subscriber } from './profiles.js';
import { emailAltName, subjectDirectoryAttributes, utf8Extension } from './x509-extensions.js';

export type FieldLocation =
  | 'subject DN'
  | 'subjectDirectoryAttributes (2.5.29.9)'
  | 'subjectAltName (2.5.29.17)'
  | 'private extension'
  | 'validity'
  | 'not encoded';

export interface CertFieldPlacement {
  field: keyof Subscriber;
  location: FieldLocation;
  /** Attribute or extension OID; null where the location has none. */
  oid: string | null;
  name: string;
  encoding: string;
  note?: string;
}

const subject = (field: keyof Subscriber, oid: string, name: string): CertFieldPlacement =>
  ({ field, location: 'subject DN', oid, name, encoding: 'UTF8String' });
const priv = (field: keyof Subscriber & keyof typeof PRIVATE_OIDS | 'type'): CertFieldPlacement => ({
  field,
  location: 'private extension',
  oid: field === 'type' ? PRIVATE_OIDS.certificateType : PRIVATE_OIDS[field],
  name: field === 'type' ? 'certificateType' : field,
  encoding: 'UTF8String, non-critical',
});

/** Where every subscriber field sits in the certificate. FIELDS.md is generated from this. */
export const CERT_FIELD_MAP: readonly CertFieldPlacement[] = [
  priv('type'),
  subject('nameRomaji', OIDS.commonName, 'CN'),
  priv('nameJa'),
  priv('addressRomaji'),
  subject('addressJa', OIDS.streetAddress, 'street'),
  { field: 'birthDate', location: 'subjectDirectoryAttributes (2.5.29.9)', oid: OIDS.dateOfBirth,
    name: 'dateOfBirth', encoding: 'GeneralizedTime', note: 'YYYYMMDD120000Z (noon GMT, RFC 3739)' },
  { field: 'gender', location: 'subjectDirectoryAttributes (2.5.29.9)', oid: OIDS.gender,
    name: 'gender', encoding: 'PrintableString', note: '"M" or "F"' },
  { field: 'email', location: 'subjectAltName (2.5.29.17)', oid: null, name: 'rfc822Name',
    encoding: 'IA5String', note: 'only when includeEmail is true' },
  { field: 'includeEmail', location: 'not encoded', oid: null, name: '-', encoding: '-',
    note: 'decides whether email is included' },
  priv('corporateNumber'),
  subject('orgName', OIDS.organizationName, 'O'),
  priv('orgRepresentative'),
  priv('orgAddress'),
  subject('department', OIDS.organizationalUnitName, 'OU'),
  priv('departmentAddress'),
  subject('title', OIDS.title, 'title'),
  priv('powerOfAttorney'),
  { field: 'validityYears', location: 'validity', oid: null, name: 'notAfter',
    encoding: 'UTCTime (GeneralizedTime from 2050)', note: 'notBefore + N calendar years' },
];

// Most general first, as X.500 names are written; C=JP is fixed for this CA.
const SUBJECT_ORDER = [
  OIDS.streetAddress, OIDS.organizationName, OIDS.organizationalUnitName, OIDS.title, OIDS.commonName,
];

const valueOf = (s: Subscriber, field: keyof Subscriber): string | undefined => {
  const value = s[field];
  return typeof value === 'string' ? value : undefined;
};

export function subjectAttributes(s: Subscriber): NameAttribute[] {
  const attrs: NameAttribute[] = [{ oid: OIDS.countryName, value: 'JP', printable: true }];
  for (const oid of SUBJECT_ORDER) {
    const entry = CERT_FIELD_MAP.find((e) => e.location === 'subject DN' && e.oid === oid)!;
    const value = valueOf(s, entry.field);
    if (value !== undefined) attrs.push({ oid, value });
  }
  return attrs;
}

export function subscriberExtensions(s: Subscriber): Asn1[] {
  const out: Asn1[] = [];
  if (s.includeEmail && s.email) out.push(emailAltName(s.email));
  const personal: Array<[string, Asn1]> = [];
  if (s.birthDate) {
    personal.push([OIDS.dateOfBirth, generalizedTime(new Date(`${s.birthDate}T12:00:00Z`))]);
  }
  if (s.gender) personal.push([OIDS.gender, printable(s.gender === 'male' ? 'M' : 'F')]);
  if (personal.length > 0) out.push(subjectDirectoryAttributes(personal));
  for (const entry of CERT_FIELD_MAP) {
    const value = valueOf(s, entry.field);
    if (entry.location === 'private extension' && value !== undefined) {
      out.push(utf8Extension(entry.oid!, value));
    }
  }
  return out;
}

/** The Markdown table in FIELDS.md; a test keeps the two identical. */
export function renderFieldTable(): string {
  const rows = CERT_FIELD_MAP.map((e) =>
    `| ${e.field} | ${e.location} | ${e.oid ?? '-'} | ${e.name} | ${e.encoding} | ${e.note ?? ''} |`);
  return [
    '| field | location | OID | name | encoding | note |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
