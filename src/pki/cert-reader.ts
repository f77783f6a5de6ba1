import forge from 'node-forge';
import { type Asn1, fromBinary, fromDer, toDer } from './der.js';
import { keyIdFromSpki } from './x509-extensions.js';
import { OIDS } from './oids.js';

const { asn1 } = forge;

export class CertificateFormatError extends Error {
  override name = 'CertificateFormatError';
}

export interface CertificateParts {
  subjectName: Asn1;
  issuerName: Asn1;
  notBefore: Date;
  notAfter: Date;
  serialHex: string;
  spkiDer: Buffer;
  /** From the SKI extension, or computed from the key when the extension is absent. */
  subjectKeyId: Buffer;
}

/** Reads the parts the issuer and summaries need, for any key type (forge's parser is RSA-only). */
export function readCertificate(der: Uint8Array): CertificateParts {
  try {
    const tbs = children(children(fromDer(der))[0]!);
    const at = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
    const [serial, , issuerName, validity, subjectName, spki] = tbs.slice(at);
    const [notBefore, notAfter] = children(validity!).map(readTime);
    const spkiDer = toDer(spki!);
    const serialHex = fromBinary(serial!.value as string).toString('hex').toUpperCase()
      .replace(/^(00)+(?=.)/, '');
    return {
      subjectName: subjectName!, issuerName: issuerName!, notBefore: notBefore!,
      notAfter: notAfter!, serialHex, spkiDer,
      subjectKeyId: findSubjectKeyId(tbs) ?? keyIdFromSpki(spkiDer),
    };
  } catch (err) {
    if (err instanceof CertificateFormatError) throw err;
    throw new CertificateFormatError(`not an X.509 certificate: ${(err as Error).message}`);
  }
}

function children(node: Asn1): Asn1[] {
  if (!Array.isArray(node.value)) throw new CertificateFormatError('unexpected ASN.1 structure');
  return node.value;
}

function readTime(node: Asn1): Date {
  const text = node.value as string;
  if (node.type === asn1.Type.UTCTIME) return asn1.utcTimeToDate(text);
  if (node.type === asn1.Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(text);
  throw new CertificateFormatError('validity is not a time');
}

function findSubjectKeyId(tbs: Asn1[]): Buffer | null {
  const wrapper = tbs.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  if (!wrapper) return null;
  for (const ext of children(children(wrapper)[0]!)) {
    const parts = children(ext);
    if (asn1.derToOid(parts[0]!.value as string) !== OIDS.subjectKeyIdentifier) continue;
    const inner = fromDer(fromBinary(parts[parts.length - 1]!.value as string));
    return fromBinary(inner.value as string);
  }
  return null;
}
