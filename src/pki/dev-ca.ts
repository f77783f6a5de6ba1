import { DAY } from '../lib/clock.js';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { type Random } from '../lib/random.js';
import { type Asn1 } from './der.js';
import {
  type NameAttribute, addYears, buildName, buildTbs, randomSerial, signCertificate,
} from './cert-builder.js';
import { generateRsaKeyPair } from './keys.js';
import { OIDS } from './oids.js';
import { derToPem } from './pem.js';
import {
  KEY_USAGE, authorityKeyIdentifier, basicConstraints, certificatePolicies, keyIdFromSpki, keyUsage,
  subjectKeyIdentifier,
} from './x509-extensions.js';

export interface DevCa {
  rootCertPem: string;
  rootKeyPem: string;
  issuingCertPem: string;
  issuingKeyPem: string;
}

const ANY_POLICY = '2.5.29.32.0';

const caName = (cn: string): NameAttribute[] => [
  { oid: OIDS.countryName, value: 'JP', printable: true },
  { oid: OIDS.organizationName, value: 'Uketori Development' },
  { oid: OIDS.commonName, value: cn },
];
export const DEV_ROOT_NAME = caName('Uketori Development Root CA');
export const DEV_ISSUING_NAME = caName('Uketori Development Issuing CA');

interface CaCertInput {
  subject: Asn1;
  issuer: Asn1;
  publicKeyPem: string;
  /** SKI of the signer: the certificate's own for a self-signed root. */
  authorityKeyId: Buffer | null;
  signer: KeyObject;
  now: number;
  years: number;
  pathLen?: number;
  /** anyPolicy on the issuing CA, so explicit-policy validation reaches the leaf's policies. */
  policies?: string[];
  random: Random;
}

function caCertificate(c: CaCertInput): { pem: string; keyId: Buffer } {
  const spkiDer = createPublicKey(c.publicKeyPem).export({ type: 'spki', format: 'der' });
  const keyId = keyIdFromSpki(spkiDer);
  const madeAt = new Date(Math.floor(c.now / 1000) * 1000);
  const der = signCertificate(buildTbs({
    serial: randomSerial(c.random).value,
    issuerName: c.issuer,
    subjectName: c.subject,
    // Valid from a day before it is made, as CAs backdate: a command that read its clock just
    // before the CA was created (or a host a little behind) still issues inside its validity.
    notBefore: new Date(madeAt.getTime() - DAY),
    notAfter: addYears(madeAt, c.years),
    spkiDer,
    extensions: [
      basicConstraints(true, c.pathLen),
      keyUsage([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
      subjectKeyIdentifier(keyId),
      authorityKeyIdentifier(c.authorityKeyId ?? keyId),
      ...(c.policies ? [certificatePolicies(c.policies)] : []),
    ],
  }), c.signer);
  return { pem: derToPem(der, 'CERTIFICATE'), keyId };
}

/**
 * A two-level development CA: RSA-3072 root (20 years) and RSA-2048 issuing CA (10 years,
 * pathLen 0). Keys come from the native generator, so only serial numbers use `random`.
 */
export async function createDevCa({ now, random }: { now: number; random: Random }): Promise<DevCa> {
  const [rootKeys, issuingKeys] = await Promise.all([generateRsaKeyPair(3072), generateRsaKeyPair(2048)]);
  const rootName = buildName(DEV_ROOT_NAME);
  const rootSigner = createPrivateKey(rootKeys.privateKeyPem);
  const root = caCertificate({
    subject: rootName, issuer: rootName, publicKeyPem: rootKeys.publicKeyPem,
    authorityKeyId: null, signer: rootSigner, now, years: 20, random,
  });
  const issuing = caCertificate({
    subject: buildName(DEV_ISSUING_NAME), issuer: rootName, publicKeyPem: issuingKeys.publicKeyPem,
    authorityKeyId: root.keyId, signer: rootSigner, now, years: 10, pathLen: 0,
    policies: [ANY_POLICY], random,
  });
  return {
    rootCertPem: root.pem,
    rootKeyPem: rootKeys.privateKeyPem,
    issuingCertPem: issuing.pem,
    issuingKeyPem: issuingKeys.privateKeyPem,
  };
}
