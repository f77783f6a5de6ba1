import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { type Asn1 } from './der.js';
import { CertificateFormatError, readCertificate } from './cert-reader.js';
import { derToPem, pemBlocks, pemToDer } from './pem.js';

export interface CertificateSummary {
  /** RFC 4514 style, most specific first: `CN=TARO YAMADA, O=..., C=JP`. */
  subject: string;
  issuer: string;
  /** Upper-case hex, as `openssl x509 -serial` prints it. */
  serialHex: string;
  /** Milliseconds since the epoch. */
  notBefore: number;
  notAfter: number;
  /** Upper-case hex pairs joined by colons. */
  fingerprintSha256: string;
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'title',
  '0.9.2342.19200300.100.1.25': 'DC', '1.2.840.113549.1.9.1': 'emailAddress',
};

export function fingerprintSha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** Multi-valued RDNs are flattened: this CA never writes them. */
export function formatName(name: Asn1): string {
  const parts: string[] = [];
  for (const rdn of name.value as Asn1[]) {
    for (const pair of rdn.value as Asn1[]) {
      const [type, value] = pair.value as Asn1[];
      const dotted = forge.asn1.derToOid(type!.value as string);
      parts.push(`${SHORT_NAMES[dotted] ?? dotted}=${escapeRdnValue(decodeString(value!))}`);
    }
  }
  return parts.reverse().join(', ');
}

function decodeString(node: Asn1): string {
  const raw = node.value as string;
  // forge already decodes BMPString to UTF-16; Printable/IA5 bytes are ASCII.
  return node.type === forge.asn1.Type.UTF8 ? forge.util.decodeUtf8(raw) : raw;
}

function escapeRdnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, '\\$&')
    .replace(/^[ #]/, '\\$&')
    .replace(/ $/, '\\ ');
}

export function summarizeCertificate(certPem: string): CertificateSummary {
  const der = pemToDer(certPem, 'CERTIFICATE');
  const cert = readCertificate(der);
  return {
    subject: formatName(cert.subjectName),
    issuer: formatName(cert.issuerName),
    serialHex: cert.serialHex,
    notBefore: cert.notBefore.getTime(),
    notAfter: cert.notAfter.getTime(),
    fingerprintSha256: fingerprintSha256(der),
  };
}

/** Splits a PEM bundle into one normalised PEM per certificate, in order; [] if there is none. */
export function parseChain(pem: string): string[] {
  return pemBlocks(pem, 'CERTIFICATE').map((der, i) => {
    try {
      readCertificate(der);
    } catch (err) {
      throw new CertificateFormatError(`certificate ${i + 1} in the bundle: ${(err as Error).message}`);
    }
    return derToPem(der, 'CERTIFICATE');
  });
}

/** True when the private key is the one certified; false for mismatches and unreadable input. */
export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
