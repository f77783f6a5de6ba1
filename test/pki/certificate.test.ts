import { createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import {
  type IssuedCertificate, CertificateIssueError, issueCertificate, keyMatchesCertificate, parseChain,
  summarizeCertificate,
} from '../../src/pki/certificate.js';
import { CERT_FIELD_MAP } from '../../src/pki/cert-fields.js';
import { type DevCa, createDevCa } from '../../src/pki/dev-ca.js';
import { type RsaKeyPairPem, generateRsaKeyPair } from '../../src/pki/keys.js';
import { DEV_POLICY_OID, PRIVATE_OIDS } from '../../src/pki/oids.js';
import { type Subscriber, SUBSCRIBER_TYPES, formatFieldErrors, validateSubscriber } from '../../src/pki/profiles.js';
import { FULL_INPUT, NOW, openssl, run, tempDir } from './support.js';

const EXTENSIONS = {
  policyOids: [DEV_POLICY_OID],
  cpsUrl: 'https://ca.example.jp/cps',
  crlUrls: ['http://crl.example.jp/issuing.crl', 'http://crl2.example.jp/issuing.crl'],
};

let ca: DevCa;
let keys: RsaKeyPairPem;
let otherKeys: RsaKeyPairPem;
const tmp = tempDir();

beforeAll(async () => {
  [ca, keys, otherKeys] = await Promise.all([
    createDevCa({ now: NOW, random: seededRandom(1) }), generateRsaKeyPair(), generateRsaKeyPair(),
  ]);
  tmp.file('root.pem', ca.rootCertPem);
  tmp.file('issuing.pem', ca.issuingCertPem);
});
afterAll(() => tmp.cleanup());

function subscriberOf(input: unknown): Subscriber {
  const result = validateSubscriber(input, { now: NOW });
  if (!result.ok) throw new Error(formatFieldErrors(result.errors));
  return result.subscriber;
}

function issue(subscriber: Subscriber, seed = 2): IssuedCertificate {
  return issueCertificate({
    subscriber, publicKeyPem: keys.publicKeyPem, now: NOW, random: seededRandom(seed),
    issuer: { certPem: ca.issuingCertPem, keyPem: ca.issuingKeyPem }, extensions: EXTENSIONS,
  });
}

/** `openssl x509 -text` with extensions parsed as ASN.1, so UTF8String values print as text. */
function opensslText(certPem: string): string {
  return openssl('x509', '-in', tmp.file('cert.pem', certPem), '-noout', '-text', '-nameopt', 'utf8',
    '-certopt', 'ext_parse');
}

/** The value printed under an extension whose ASN.1 is a single UTF8String. */
function opensslUtf8Extension(text: string, oid: string): string | undefined {
  const match = text.match(new RegExp(`${oid.replace(/\./g, '\\.')}: *\\n.*UTF8STRING\\s*:(.*)`));
  return match?.[1];
}

const forgeUtf8 = (cert: forge.pki.Certificate, oid: string): string | undefined => {
  const ext = cert.getExtension({ id: oid } as never) as { value: string } | null;
  return ext === null ? undefined : forge.util.decodeUtf8(forge.asn1.fromDer(ext.value).value as string);
};

const forgeSubject = (cert: forge.pki.Certificate, type: string): string | undefined => {
  const field = cert.subject.getField({ type } as never) as { value: string } | null;
  return field ? forge.util.decodeUtf8(field.value) : undefined;
};

describe('issueCertificate', () => {
  for (const type of SUBSCRIBER_TYPES) {
    describe(`type ${type}`, () => {
      const subscriber = () => subscriberOf(FULL_INPUT[type]);
      let issued: IssuedCertificate;
      let text: string;
      let cert: forge.pki.Certificate;
      beforeAll(() => {
        issued = issue(subscriber());
        text = opensslText(issued.certPem);
        cert = forge.pki.certificateFromPem(issued.certPem);
      });

      it('chains to the development root (openssl verify, strict)', () => {
        const result = run('openssl', ['verify', '-x509_strict', '-purpose', 'smimesign',
          '-CAfile', tmp.file('root.pem'), '-untrusted', tmp.file('issuing.pem'), tmp.file('leaf.pem', issued.certPem)]);
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe(`${tmp.file('leaf.pem')}: OK`);
        expect(forge.pki.certificateFromPem(ca.issuingCertPem).verify(cert)).toBe(true);
      });

      it('puts each subject field in its documented attribute, Japanese intact', () => {
        const s = subscriber();
        const subjectLine = text.match(/Subject: (.*)/)![1];
        const expected = ['C=JP'];
        if (s.addressJa) expected.push(`street=${s.addressJa}`);
        if (s.orgName) expected.push(`O=${s.orgName}`);
        if (s.department) expected.push(`OU=${s.department}`);
        if (s.title) expected.push(`title=${s.title}`);
        expected.push(`CN=${s.nameRomaji}`);
        expect(subjectLine).toBe(expected.join(', '));
        for (const entry of CERT_FIELD_MAP.filter((e) => e.location === 'subject DN')) {
          expect(forgeSubject(cert, entry.oid!), entry.field).toBe(s[entry.field]);
        }
        expect(forgeSubject(cert, '2.5.4.6')).toBe('JP');
      });

      it('puts each private field in its extension as UTF8String, Japanese intact', () => {
        const s = subscriber();
        for (const entry of CERT_FIELD_MAP.filter((e) => e.location === 'private extension')) {
          const want = entry.field === 'type' ? type : (s[entry.field] as string | undefined);
          expect(opensslUtf8Extension(text, entry.oid!), entry.field).toBe(want);
          expect(forgeUtf8(cert, entry.oid!), entry.field).toBe(want);
        }
        expect(opensslUtf8Extension(text, PRIVATE_OIDS.certificateType)).toBe(type);
      });

      it('puts birth date and gender in subjectDirectoryAttributes, email in subjectAltName', () => {
        const s = subscriber();
        if (s.birthDate) {
          expect(text).toContain(`GENERALIZEDTIME   :${s.birthDate.replace(/-/g, '')}120000Z`);
          expect(text).toMatch(/OBJECT +:id-pda-dateOfBirth/);
        } else {
          expect(text).not.toContain('Subject Directory Attributes');
        }
        if (s.gender) expect(text).toContain(`PRINTABLESTRING   :${s.gender === 'male' ? 'M' : 'F'}`);
        else expect(text).not.toContain('id-pda-gender');
        const san = cert.getExtension('subjectAltName') as { altNames: Array<{ type: number; value: string }> } | null;
        if (s.email) {
          expect(text).toMatch(new RegExp(`X509v3 Subject Alternative Name: *\\n *email:${s.email}\\n`));
          expect(san?.altNames).toEqual([{ type: 1, value: s.email }]);
        } else {
          expect(san).toBeNull();
        }
      });
    });
  }

  it('writes the fixed extensions', () => {
    const { certPem } = issue(subscriberOf(FULL_INPUT.basic));
    const text = opensslText(certPem);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n *CA:FALSE\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n *Digital Signature, Non Repudiation\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: *\n *TLS Web Client Authentication, E-mail Protection\n/);
    expect(text).toMatch(new RegExp(`Policy: ${DEV_POLICY_OID.replace(/\./g, '\\.')}\\n *CPS: https://ca.example.jp/cps\\n`));
    expect(text).toMatch(/Full Name:\n *URI:http:\/\/crl.example.jp\/issuing.crl\n *URI:http:\/\/crl2.example.jp\/issuing.crl\n/);
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    const ski = text.match(/Subject Key Identifier: *\n *([0-9A-F:]+)/)![1];
    const issuingSki = opensslText(ca.issuingCertPem).match(/Subject Key Identifier: *\n *([0-9A-F:]+)/)![1];
    expect(text).toMatch(new RegExp(`Authority Key Identifier: *\\n *(keyid:)?${issuingSki}\\n`));
    expect(ski).not.toBe(issuingSki);
  });

  it('leaves out certificatePolicies and CRL distribution points when none are configured', () => {
    const { certPem } = issueCertificate({
      subscriber: subscriberOf(FULL_INPUT.basic), publicKeyPem: keys.publicKeyPem, now: NOW,
      random: seededRandom(3), issuer: { certPem: ca.issuingCertPem, keyPem: ca.issuingKeyPem },
      extensions: { policyOids: [], crlUrls: [] },
    });
    const text = opensslText(certPem);
    expect(text).not.toContain('Certificate Policies');
    expect(text).not.toContain('CRL Distribution Points');
  });

  it('leaves the email out when includeEmail is false', () => {
    const { certPem } = issue(subscriberOf({ ...FULL_INPUT.basic, includeEmail: false }));
    expect(opensslText(certPem)).not.toContain('Subject Alternative Name');
    expect(opensslText(certPem)).not.toContain('taro@example.jp');
  });

  it('sets serial, validity and fingerprint as openssl reads them', () => {
    const issued = issue(subscriberOf({ ...FULL_INPUT.basic, validityYears: 3 }));
    const file = tmp.file('serial.pem', issued.certPem);
    const out = openssl('x509', '-in', file, '-noout', '-serial', '-startdate', '-enddate', '-fingerprint', '-sha256');
    expect(out).toContain(`serial=${issued.serialHex}\n`);
    expect(out).toContain('notBefore=Apr  1 03:04:05 2026 GMT');
    expect(out).toContain('notAfter=Apr  1 03:04:05 2029 GMT');
    expect(out).toContain(`sha256 Fingerprint=${issued.fingerprintSha256}`);
    expect(issued.notBefore).toBe(Date.parse('2026-04-01T03:04:05Z'));
    expect(issued.notAfter).toBe(Date.parse('2029-04-01T03:04:05Z'));
    expect(issued.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('draws the serial from the injected random: 16 bytes, top bit cleared, deterministic', () => {
    const s = subscriberOf(FULL_INPUT.basic);
    const a = issue(s, 7);
    expect(issue(s, 7).serialHex).toBe(a.serialHex);
    expect(issue(s, 8).serialHex).not.toBe(a.serialHex);
    const allOnes = issueCertificate({
      subscriber: s, publicKeyPem: keys.publicKeyPem, now: NOW, random: (n) => new Uint8Array(n).fill(0xff),
      issuer: { certPem: ca.issuingCertPem, keyPem: ca.issuingKeyPem }, extensions: EXTENSIONS,
    });
    expect(allOnes.serialHex).toBe(`7F${'FF'.repeat(15)}`);
    let calls = 0;
    const zeroThenOne = (n: number) => (calls++ === 0 ? new Uint8Array(n) : new Uint8Array(n).fill(1));
    const redrawn = issueCertificate({
      subscriber: s, publicKeyPem: keys.publicKeyPem, now: NOW, random: zeroThenOne,
      issuer: { certPem: ca.issuingCertPem, keyPem: ca.issuingKeyPem }, extensions: EXTENSIONS,
    });
    expect(redrawn.serialHex).toBe('01'.repeat(16));
  });

  it('refuses to outlive the issuing CA, a mismatched issuer key and bad configuration', () => {
    const s = subscriberOf(FULL_INPUT.basic);
    const base = {
      subscriber: s, publicKeyPem: keys.publicKeyPem, random: seededRandom(1),
      issuer: { certPem: ca.issuingCertPem, keyPem: ca.issuingKeyPem }, extensions: EXTENSIONS,
    };
    expect(() => issueCertificate({ ...base, now: Date.parse('2035-01-01T00:00:00Z') })).toThrow(CertificateIssueError);
    expect(() => issueCertificate({ ...base, now: Date.parse('2020-01-01T00:00:00Z') })).toThrow(CertificateIssueError);
    expect(() => issueCertificate({ ...base, now: NOW, issuer: { certPem: ca.issuingCertPem, keyPem: ca.rootKeyPem } }))
      .toThrow('issuer key does not match the issuer certificate');
    expect(() => issueCertificate({ ...base, now: NOW, extensions: { policyOids: ['not.an.oid'], crlUrls: [] } }))
      .toThrow(CertificateIssueError);
    expect(() => issueCertificate({ ...base, now: NOW, extensions: { policyOids: [], crlUrls: ['http://例え.jp/x.crl'] } }))
      .toThrow(CertificateIssueError);
  });
});

describe('development CA', () => {
  it('has a self-signed root and a pathLen 0 issuing CA, both keyCertSign + cRLSign', () => {
    const root = opensslText(ca.rootCertPem);
    const issuing = opensslText(ca.issuingCertPem);
    expect(root).toContain('Subject: C=JP, O=Uketori Development, CN=Uketori Development Root CA');
    expect(root).toContain('Issuer: C=JP, O=Uketori Development, CN=Uketori Development Root CA');
    expect(root).toContain('Public-Key: (3072 bit)');
    expect(root).toMatch(/Basic Constraints: critical\n *CA:TRUE\n/);
    expect(issuing).toContain('Subject: C=JP, O=Uketori Development, CN=Uketori Development Issuing CA');
    expect(issuing).toContain('Issuer: C=JP, O=Uketori Development, CN=Uketori Development Root CA');
    expect(issuing).toMatch(/Basic Constraints: critical\n *CA:TRUE, pathlen:0\n/);
    for (const text of [root, issuing]) expect(text).toMatch(/Key Usage: critical\n *Certificate Sign, CRL Sign\n/);
    const rootSki = root.match(/Subject Key Identifier: *\n *([0-9A-F:]+)/)![1];
    expect(issuing).toMatch(new RegExp(`Authority Key Identifier: *\\n *(keyid:)?${rootSki}\\n`));
    const r = summarizeCertificate(ca.rootCertPem);
    const i = summarizeCertificate(ca.issuingCertPem);
    expect(r.notAfter).toBe(Date.parse('2046-04-01T03:04:05Z'));
    expect(i.notAfter).toBe(Date.parse('2036-04-01T03:04:05Z'));
    // Backdated a day: a command that read its clock a moment before the CA was made still issues.
    expect(r.notBefore).toBe(Date.parse('2026-03-31T03:04:05Z'));
    expect(i.notBefore).toBe(Date.parse('2026-03-31T03:04:05Z'));
    const verify = run('openssl', ['verify', '-x509_strict', '-CAfile', tmp.file('root.pem'), tmp.file('issuing.pem')]);
    expect(verify.status).toBe(0);
  });
});

describe('summarizeCertificate, parseChain, keyMatchesCertificate', () => {
  it('summarises subject and issuer with Japanese intact', () => {
    const issued = issue(subscriberOf(FULL_INPUT['org-employee']));
    const summary = summarizeCertificate(issued.certPem);
    expect(summary).toEqual({
      subject: 'CN=YAMADA TARO, title=課長, OU=総務部 第一課, O=株式会社受取テスト, street=東京都千代田区丸の内一丁目1番1号, C=JP',
      issuer: 'CN=Uketori Development Issuing CA, O=Uketori Development, C=JP',
      serialHex: issued.serialHex,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      fingerprintSha256: issued.fingerprintSha256,
    });
  });

  it('escapes RFC 4514 special characters in names', () => {
    const issued = issue(subscriberOf({ ...FULL_INPUT['sole-proprietor'], orgName: 'Yamada, Sato & Co.' }));
    expect(summarizeCertificate(issued.certPem).subject).toContain('O=Yamada\\, Sato & Co.');
  });

  it('splits a bundle in order and ignores other blocks', () => {
    const bundle = `junk\n${ca.issuingCertPem}\r\n${keys.publicKeyPem}${ca.rootCertPem.replace(/\n/g, '\r\n')}`;
    const chain = parseChain(bundle);
    expect(chain).toEqual([ca.issuingCertPem, ca.rootCertPem]);
    expect(parseChain('nothing here')).toEqual([]);
    expect(() => parseChain('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/certificate 1/);
  });

  it('matches a key to its certificate and only to it', () => {
    const issued = issue(subscriberOf(FULL_INPUT.basic));
    expect(keyMatchesCertificate(keys.privateKeyPem, issued.certPem)).toBe(true);
    expect(keyMatchesCertificate(otherKeys.privateKeyPem, issued.certPem)).toBe(false);
    expect(keyMatchesCertificate(ca.issuingKeyPem, ca.issuingCertPem)).toBe(true);
    expect(keyMatchesCertificate(keys.privateKeyPem, ca.issuingCertPem)).toBe(false);
    expect(keyMatchesCertificate('garbage', issued.certPem)).toBe(false);
  });

  it('certifies exactly the public key it was given', () => {
    const issued = issue(subscriberOf(FULL_INPUT.basic));
    const certified = createPublicKey(issued.certPem).export({ type: 'spki', format: 'pem' });
    expect(certified).toBe(keys.publicKeyPem);
  });
});
