/**
 * Object identifiers used by the certificate profile.
 *
 * PRIVATE_ARC is a PLACEHOLDER: 1.3.6.1.4.1.32473 is the IANA enterprise number reserved for
 * documentation (RFC 5612), so it collides with no real organisation. Replace it with the CA's
 * own registered Private Enterprise Number before issuing production certificates; relying
 * parties match on these OIDs, so they cannot change once certificates are in the field.
 */
export const PRIVATE_ARC = '1.3.6.1.4.1.32473';

/** Subscriber attributes without a standard home: non-critical extensions holding a UTF8String. */
export const SUBSCRIBER_ATTR_ARC = `${PRIVATE_ARC}.1`;

export const PRIVATE_OIDS = {
  certificateType: `${SUBSCRIBER_ATTR_ARC}.1`,
  nameJa: `${SUBSCRIBER_ATTR_ARC}.2`,
  addressRomaji: `${SUBSCRIBER_ATTR_ARC}.3`,
  corporateNumber: `${SUBSCRIBER_ATTR_ARC}.4`,
  orgRepresentative: `${SUBSCRIBER_ATTR_ARC}.5`,
  orgAddress: `${SUBSCRIBER_ATTR_ARC}.6`,
  departmentAddress: `${SUBSCRIBER_ATTR_ARC}.7`,
  powerOfAttorney: `${SUBSCRIBER_ATTR_ARC}.8`,
} as const;

/** Certificate policy OIDs for development certificates, under the same placeholder arc. */
export const DEV_POLICY_OID = `${PRIVATE_ARC}.2.1`;

export const OIDS = {
  commonName: '2.5.4.3',
  countryName: '2.5.4.6',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',

  subjectDirectoryAttributes: '2.5.29.9',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',

  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  cpsQualifier: '1.3.6.1.5.5.7.2.1',

  // RFC 3739 personal data attributes, carried in subjectDirectoryAttributes
  dateOfBirth: '1.3.6.1.5.5.7.9.1',
  gender: '1.3.6.1.5.5.7.9.3',

  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
} as const;
