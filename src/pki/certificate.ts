import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { type Random } from '../lib/random.js';
import { addYears, assembleCertificate, buildName, buildTbs, randomSerial, signCertificate } from './cert-builder.js';
import { type CaSigner, signatureAlgorithm } from './ca-signer.js';
import { type Asn1, algorithm, toDer } from './der.js';
import { subjectAttributes, subscriberExtensions } from './cert-fields.js';
import { readCertificate } from './cert-reader.js';
import { fingerprintSha256 } from './certificate-info.js';
import { OIDS } from './oids.js';
import { derToPem, pemToDer } from './pem.js';
import { type Subscriber } from './profiles.js';
import {
  KEY_USAGE, authorityKeyIdentifier, basicConstraints, certificatePolicies, crlDistributionPoints,
  extKeyUsage, keyIdFromSpki, keyUsage, subjectKeyIdentifier,
} from './x509-extensions.js';

export {
  type CertificateSummary, keyMatchesCertificate, parseChain, summarizeCertificate,
} from './certificate-info.js';

export class CertificateIssueError extends Error {
  override name = 'CertificateIssueError';
}

export interface CertificateExtensionsConfig {
  policyOids: string[];
  cpsUrl?: string;
  crlUrls: string[];
}

export interface IssueCertificateInput {
  subscriber: Subscriber;
  publicKeyPem: string;
  issuer: { certPem: string; keyPem: string };
  now: number;
  random: Random;
  extensions: CertificateExtensionsConfig;
}

export interface IssuedCertificate {
  certPem: string;
  serialHex: string;
  fingerprintSha256: string;
  notBefore: number;
  notAfter: number;
}

const DOTTED_OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;
const ASCII_URL = /^[a-z][a-z0-9+.-]*:[\x21-\x7e]+$/i;

function checkConfig(ext: CertificateExtensionsConfig): void {
  for (const policy of ext.policyOids) {
    if (!DOTTED_OID.test(policy)) throw new CertificateIssueError(`policy OID "${policy}" is not a dotted OID`);
  }
  for (const url of [...ext.crlUrls, ...(ext.cpsUrl ? [ext.cpsUrl] : [])]) {
    if (!ASCII_URL.test(url)) throw new CertificateIssueError(`"${url}" is not an ASCII URL`);
  }
}

/** Issues an end-entity certificate for a validated subscriber; see FIELDS.md for the layout. */
export function issueCertificate(input: IssueCertificateInput): IssuedCertificate {
  const { issuer } = input;
  checkConfig(input.extensions);
  const issuerKey = createPrivateKey(issuer.keyPem);
  if (!new X509Certificate(issuer.certPem).checkPrivateKey(issuerKey)) {
    throw new CertificateIssueError('issuer key does not match the issuer certificate');
  }
  const prepared = subscriberTbs(input, issuer.certPem, algorithm(OIDS.sha256WithRSAEncryption));
  return finish(prepared, signCertificate(prepared.tbs, issuerKey));
}

export type SignedIssueInput = Omit<IssueCertificateInput, 'issuer'> & { issuer: { certPem: string; signer: CaSigner } };

/**
 * The same certificate as issueCertificate, signed by a CaSigner (a PKCS#11 token, say): the
 * TBSCertificate is encoded here and only its bytes reach the signer. The signer is trusted to
 * hold the key of issuer.certPem; it checks that when it is opened.
 */
export async function issueCertificateWith(input: SignedIssueInput): Promise<IssuedCertificate> {
  checkConfig(input.extensions);
  const sigAlg = signatureAlgorithm(input.issuer.signer.keyType);
  const prepared = subscriberTbs(input, input.issuer.certPem, sigAlg);
  const tbsDer = toDer(prepared.tbs);
  return finish(prepared, assembleCertificate(tbsDer, sigAlg, await input.issuer.signer.sign(tbsDer)));
}

type PreparedTbs = { tbs: Asn1; serialHex: string; notBefore: Date; notAfter: Date };

function subscriberTbs(input: Omit<IssueCertificateInput, 'issuer'>, issuerCertPem: string, sigAlg: Asn1): PreparedTbs {
  const { subscriber, extensions } = input;
  const ca = readCertificate(pemToDer(issuerCertPem, 'CERTIFICATE'));
  const notBefore = new Date(Math.floor(input.now / 1000) * 1000);
  const notAfter = addYears(notBefore, subscriber.validityYears);
  if (notBefore < ca.notBefore || notAfter > ca.notAfter) {
    throw new CertificateIssueError(
      `certificate validity ${notBefore.toISOString()}..${notAfter.toISOString()} falls outside the issuer's`);
  }
  const spkiDer = createPublicKey(input.publicKeyPem).export({ type: 'spki', format: 'der' });
  const { value: serial, serialHex } = randomSerial(input.random);
  const tbs = buildTbs({
    serial,
    issuerName: ca.subjectName,
    subjectName: buildName(subjectAttributes(subscriber)),
    notBefore,
    notAfter,
    spkiDer,
    signatureAlgorithm: sigAlg,
    extensions: [
      basicConstraints(false),
      keyUsage([KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation]),
      extKeyUsage([OIDS.clientAuth, OIDS.emailProtection]),
      subjectKeyIdentifier(keyIdFromSpki(spkiDer)),
      authorityKeyIdentifier(ca.subjectKeyId),
      ...(extensions.policyOids.length > 0
        ? [certificatePolicies(extensions.policyOids, extensions.cpsUrl)] : []),
      ...(extensions.crlUrls.length > 0 ? [crlDistributionPoints(extensions.crlUrls)] : []),
      ...subscriberExtensions(subscriber),
    ],
  });
  return { tbs, serialHex, notBefore, notAfter };
}

function finish(prepared: PreparedTbs, der: Buffer): IssuedCertificate {
  return {
    certPem: derToPem(der, 'CERTIFICATE'),
    serialHex: prepared.serialHex,
    fingerprintSha256: fingerprintSha256(der),
    notBefore: prepared.notBefore.getTime(),
    notAfter: prepared.notAfter.getTime(),
  };
}
