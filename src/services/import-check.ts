import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { importDates } from '../pickup/import-dates.js';
import { orderChain } from '../pki/chain.js';
import { keyMatchesCertificate, parseChain, summarizeCertificate, type CertificateSummary } from '../pki/certificate.js';
import { derToPem } from '../pki/pem.js';

/** Which input a refusal is about: a flag of `import`, a column of `import --batch`. */
export type ImportPart = 'key' | 'cert' | 'chain' | 'issuedAt' | 'p12';

/** A key and certificate from another CA that cannot become a pickup, and why. */
export class ImportRefusal extends Error {
  override name = 'ImportRefusal';
  constructor(readonly part: ImportPart, message: string) {
    super(message);
  }
}

export type ImportSource = {
  keyPem: string;
  /** The certificate, possibly followed by its CA certificates (a full-chain file). */
  certText: string;
  chainText?: string | null;
  /** ISO 8601; the certificate's notBefore when absent. */
  issuedAt?: string | null;
};

export type CheckedImport = {
  keyPem: string;
  certPem: string;
  /** Issuing CA first, root last, duplicates dropped. */
  chainPems: string[];
  reachesRoot: boolean;
  issuedAt: number;
  summary: CertificateSummary;
  /** The subject's CN, which names the pickup. */
  name: string;
};

/**
 * Every check a key and certificate from another CA must pass before they become a pickup:
 * the key is the certificate's, the certificate is a subscriber's and still valid, the chain
 * links to it, and the 30 days from issuance are still running. Shared by `import` and
 * `import --batch`.
 */
export function checkImport(src: ImportSource, now: number): CheckedImport {
  const keyPem = normalizeKey(src.keyPem);
  const [certPem, ...extraCerts] = certificates(src.certText, 'cert');
  if (!certPem) throw new ImportRefusal('cert', 'holds no PEM certificate');
  const candidates = [...extraCerts, ...(src.chainText ? certificates(src.chainText, 'chain') : [])];
  if (!keyMatchesCertificate(keyPem, certPem)) throw new ImportRefusal('key', 'the key does not belong to the certificate');
  if (new X509Certificate(certPem).ca) {
    throw new ImportRefusal('cert', 'is a CA certificate (basicConstraints CA:TRUE): only subscriber certificates are handed out');
  }
  let ordered: ReturnType<typeof orderChain>;
  try {
    ordered = orderChain(certPem, candidates);
  } catch (err) {
    throw new ImportRefusal('chain', (err as Error).message);
  }
  const summary = summarizeCertificate(certPem);
  const issuedAt = issuedAtOf(summary, parseIssuedAt(src.issuedAt ?? null), now);
  const name = /CN=([^,]+)/.exec(summary.subject)?.[1] ?? summary.subject;
  return { keyPem, certPem, chainPems: ordered.chain, reachesRoot: ordered.reachesRoot, issuedAt, summary, name };
}

function normalizeKey(pem: string): string {
  try {
    return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw new ImportRefusal('key', 'not an unencrypted PEM private key (decrypt it first: openssl pkey -in key.pem -out plain.pem)');
  }
}

function certificates(text: string, part: 'cert' | 'chain'): string[] {
  try {
    const pems = parseChain(text);
    for (const pem of pems) new X509Certificate(pem);
    return pems;
  } catch (err) {
    throw new ImportRefusal(part, `not a readable PEM certificate (${(err as Error).message.split('\n')[0]})`);
  }
}

function parseIssuedAt(text: string | null): number | null {
  if (text === null) return null;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) throw new ImportRefusal('issuedAt', 'must be an ISO-8601 date and time, e.g. 2026-11-26T10:00:00+09:00');
  return at;
}

/** The issuance date the 30 days count from, by the rules of src/pickup/import-dates.ts, or a refusal. */
function issuedAtOf(cert: { notBefore: number; notAfter: number }, given: number | null, now: number): number {
  const dates = importDates(cert, given, now);
  if (dates.ok) return dates.issuedAt;
  switch (dates.refusal) {
    case 'certificate-expired':
      throw new ImportRefusal('cert', `the certificate expired on ${new Date(dates.notAfter).toISOString()}`);
    case 'issued-in-future':
      throw new ImportRefusal('issuedAt', `the issuance date ${new Date(dates.issuedAt).toISOString()} is in the future: the pickup's 30 days must start by now`);
    case 'dead-on-arrival':
      throw new ImportRefusal('issuedAt', '30 days from the issuance date have already passed: the pickup would be dead on arrival');
  }
}

/**
 * Opens a PKCS#12 from the CA with its transport password (node-forge: 3DES or AES, SHA-1 or
 * SHA-256 MAC) and returns the one private key and the certificates as PEM, the key's own
 * certificate first when the file marks it. The password never appears in a refusal.
 */
export function unpackP12(bytes: Buffer, password: string): { keyPem: string; certText: string } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString('binary')), true, password);
  } catch (err) {
    const wrong = /password|MAC|decrypt/i.test((err as Error).message);
    throw new ImportRefusal('p12', wrong ? 'the password does not open this PKCS#12 (or the file is damaged)' : `not a readable PKCS#12 (${(err as Error).message})`);
  }
  const keyType = forge.pki.oids.pkcs8ShroudedKeyBag!;
  const keyBags = [...(p12.getBags({ bagType: keyType })[keyType] ?? []), ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? [])];
  if (keyBags.length !== 1) throw new ImportRefusal('p12', `holds ${keyBags.length} private keys; one is expected`);
  const keyBag = keyBags[0]!;
  // forge parses RSA keys and certificates; any other kind is left as ASN.1 for us to encode.
  const keyInfo = keyBag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)) : keyBag.asn1!;
  const keyPem = derToPem(Buffer.from(forge.asn1.toDer(keyInfo).getBytes(), 'binary'), 'PRIVATE KEY');
  const certType = forge.pki.oids.certBag!;
  const keyId = keyBag.attributes?.localKeyId?.[0];
  const certBags = (p12.getBags({ bagType: certType })[certType] ?? []).map((bag) => ({
    own: keyId !== undefined && bag.attributes?.localKeyId?.[0] === keyId,
    pem: derToPem(Buffer.from(forge.asn1.toDer(bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1!).getBytes(), 'binary'), 'CERTIFICATE'),
  }));
  if (certBags.length === 0) throw new ImportRefusal('p12', 'holds no certificate');
  // Without a localKeyId the leaf is the certificate the key belongs to.
  const own = certBags.find((c) => c.own) ?? certBags.find((c) => keyMatchesCertificate(keyPem, c.pem)) ?? certBags[0]!;
  return { keyPem, certText: [own.pem, ...certBags.filter((c) => c !== own).map((c) => c.pem)].join('') };
}
