import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, verify, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailLog, pickups } from '../../src/db/schema.js';
import { P11, type Pkcs11 } from '../../src/pki/pkcs11-module.js';
import { openPkcs11Signer, type Pkcs11Signer } from '../../src/pki/pkcs11-signer.js';
import { BATCH_CONCURRENCY } from '../../src/staff/batch.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, rowName, testConfig, type TestApp } from '../helpers.js';
import { openP12, pemBlocks } from '../openssl.js';
import { SOFTHSM_MODULE, USER_PIN, haveSoftHsm, hsmEnv, startSoftHsm, type SoftHsm } from './softhsm.js';
import { issuingCaOf } from '../factories.js';
import { staff, tmpDir } from '../staff/support.js';

if (!haveSoftHsm && !process.env.CI) {
  console.warn(`HSM tests skipped: ${SOFTHSM_MODULE}, softhsm2-util or pkcs11-tool is missing (apt-get install -y softhsm2 opensc). Under CI they fail instead.`);
}

const RSA_TOKEN = 'uketori-rsa';
const EC_TOKEN = 'uketori-ec';
let hsm: SoftHsm;
let t: TestApp | null = null;

/** A portal whose CA key is the given key in the test token; the clock is today's, as openssl's certificates are. */
function hsmApp(token: string, key: string, overrides: Record<string, string> = {}): TestApp {
  t = makeTestApp({ now: Date.now(), config: testConfig(hsmEnv(hsm, token, key, overrides)) });
  return t;
}

function writeCsv(rows: string[]): string {
  const file = path.join(tmpDir(), 'applicants.csv');
  fs.writeFileSync(file, ['applicationCode,nameRomaji,email', ...rows].join('\n') + '\n');
  return file;
}

const rowsOf = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1},HSM SUBSCRIBER ${rowName(i)},h${i}@example.jp`);

/** `openssl verify` of a leaf against the root, with the token's CA certificate as the intermediate. */
function opensslVerify(leafPem: string, caFile: string): { ok: boolean; out: string } {
  const leaf = path.join(tmpDir(), 'leaf.pem');
  fs.writeFileSync(leaf, leafPem);
  const r = spawnSync('openssl', ['verify', '-CAfile', hsm.rootFile, '-untrusted', caFile, leaf], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

function signatureAlgorithmOf(certPem: string): string {
  const file = path.join(tmpDir(), 'c.pem');
  fs.writeFileSync(file, certPem);
  const text = spawnSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' }).stdout;
  return /Signature Algorithm: (\S+)/.exec(text)![1]!;
}

async function downloadP12(app: TestApp, url: string, password: string): Promise<Buffer> {
  const login = await app.http().post(pathOf(url)).set('Origin', ORIGIN).type('form').send({ password });
  const file = await app.http().post(`${pathOf(url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(login)).type('form').send({})
    .buffer(true).parse(binaryBody);
  expect(file.status).toBe(200);
  return file.body as Buffer;
}

const stored = (app: TestApp) => app.db.select().from(pickups).all();

describe.skipIf(!haveSoftHsm && !process.env.CI)('CA key in SoftHSM2 (PKCS#11)', () => {
  beforeAll(() => {
    if (!haveSoftHsm) throw new Error(`SoftHSM2 is missing (${SOFTHSM_MODULE}, softhsm2-util, pkcs11-tool): apt-get install -y softhsm2 opensc`);
    hsm = startSoftHsm([
      { label: RSA_TOKEN, keys: [{ label: 'ca-rsa', id: 1, kind: 'rsa-2048' }, { label: 'other-rsa', id: 2, kind: 'rsa-2048', certified: false }, { label: 'small-rsa', id: 3, kind: 'rsa-1024', certified: false }] },
      { label: EC_TOKEN, keys: [{ label: 'ca-ec', id: 1, kind: 'p256' }, { label: 'ca-p384', id: 2, kind: 'p384', certified: false }] },
    ]);
  });
  afterEach(async () => {
    if (t) {
      await issuingCaOf(t.deps).close();
      t.close();
      t = null;
    }
  });
  afterAll(() => {
    if (hsm) fs.rmSync(hsm.dir, { recursive: true, force: true });
  });

  it('issues a batch signed by the RSA-2048 key in the token: openssl verifies each certificate and opens each P12', async () => {
    const app = hsmApp(RSA_TOKEN, 'ca-rsa');
    const letters = tmpDir();
    const run = await staff(app, ['issue', '--batch', writeCsv(rowsOf(3, 'R')), '--letters-dir', letters, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.map((l) => l.status)).toEqual(['issued', 'issued', 'issued']);
    const caPem = fs.readFileSync(hsm.certFile('ca-rsa'), 'utf8');
    for (const line of run.lines) {
      const row = stored(app).find((p) => p.serial === line.serial)!;
      expect(opensslVerify(row.certPem, hsm.certFile('ca-rsa'))).toMatchObject({ ok: true });
      expect(signatureAlgorithmOf(row.certPem)).toBe('sha256WithRSAEncryption');
      expect(new X509Certificate(row.certPem).checkIssued(new X509Certificate(caPem))).toBe(true);
      const opened = openP12(await downloadP12(app, String(line.url), String(line.password)), String(line.pin));
      expect(opened.ok, opened.stderr).toBe(true);
      // Leaf, the token's CA certificate, then the root from CA_CHAIN_FILE.
      expect(pemBlocks(opened.pem, 'CERTIFICATE').map((p) => new X509Certificate(p).subject.split('\n').pop())).toEqual([
        'CN=HSM SUBSCRIBER ' + String(line.applicationCode).slice(2).replace(/\d+/, (n) => 'ABC'[Number(n) - 1]!), 'CN=Issuing CA ca-rsa', 'CN=Test Root CA',
      ]);
    }
    expect(fs.readdirSync(letters)).toHaveLength(6);
    // One login for the whole batch, one C_Sign per certificate.
    const signer = (await issuingCaOf(app.deps).open()).signer as Pkcs11Signer;
    expect(signer.stats).toEqual({ logins: 1, signatures: 3 });
    expect(run.stdout + run.stderr + app.logs.join('')).not.toContain(USER_PIN);
  });

  it('signs with ECDSA P-256 and SHA-256 when the CA key is EC, for a batch and for a single issue', async () => {
    const app = hsmApp(EC_TOKEN, 'ca-ec');
    const batch = await staff(app, ['issue', '--batch', writeCsv(rowsOf(2, 'E')), '--no-letters', '--json']);
    expect(batch.code, batch.stderr).toBe(0);
    const single = await staff(app, ['issue', '--name-romaji', 'SUZUKI EC', '--no-letters', '--json']);
    expect(single.code, single.stderr).toBe(0);
    const lines = [...batch.lines, ...single.lines];
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const row = stored(app).find((p) => p.serial === line.serial)!;
      expect(opensslVerify(row.certPem, hsm.certFile('ca-ec'))).toMatchObject({ ok: true });
      expect(signatureAlgorithmOf(row.certPem)).toBe('ecdsa-with-SHA256');
      expect(openP12(await downloadP12(app, String(line.url), String(line.password)), String(line.pin)).ok).toBe(true);
    }
    // A certificate from another key of the same token does not verify: the check can fail.
    expect(opensslVerify(stored(app)[0]!.certPem, hsm.certFile('ca-rsa')).ok).toBe(false);
  });

  it('the real staff process reads the PIN from its file only: never in its command line or environment', async () => {
    const dataDir = tmpDir('uketori-hsm-data-');
    const env = { ...process.env, CI: '1', DATA_DIR: dataDir, ...hsmEnv(hsm, EC_TOKEN, 'ca-ec') };
    const root = path.resolve(import.meta.dirname, '../..');
    const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/staff.ts', 'issue', '--batch', writeCsv(rowsOf(2, 'P')), '--no-letters', '--json'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    // What `ps` and anyone allowed to read /proc see of the process, sampled while it runs.
    const seen: string[] = [];
    const sampler = setInterval(() => {
      for (const part of ['cmdline', 'environ']) {
        try {
          seen.push(fs.readFileSync(`/proc/${proc.pid}/${part}`, 'latin1'));
        } catch {
          // The process has just ended.
        }
      }
    }, 20);
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    clearInterval(sampler);
    expect(code, out).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((text) => text.includes('CA_PKCS11_PIN_FILE='))).toBe(true);
    expect(seen.filter((text) => text.includes(USER_PIN))).toEqual([]);
    expect(out).not.toContain(USER_PIN);
    const db = new Database(path.join(dataDir, 'uketori.db'), { readonly: true });
    const certs = db.prepare('select cert_pem from pickups').all() as Array<{ cert_pem: string }>;
    db.close();
    expect(certs).toHaveLength(2);
    for (const c of certs) expect(opensslVerify(c.cert_pem, hsm.certFile('ca-ec')).ok).toBe(true);
  });

  it('keeps concurrent signatures apart on the one session: each verifies with the CA certificate', async () => {
    for (const [token, key] of [[RSA_TOKEN, 'ca-rsa'], [EC_TOKEN, 'ca-ec']] as const) {
      const caCertPem = fs.readFileSync(hsm.certFile(key), 'utf8');
      const signer = await openPkcs11Signer({ module: SOFTHSM_MODULE, tokenLabel: token, keyLabel: key, pin: USER_PIN, caCertPem });
      try {
        const messages = Array.from({ length: 24 }, () => randomBytes(200));
        const signatures = await Promise.all(messages.map((m) => signer.sign(m)));
        const publicKey = new X509Certificate(caCertPem).publicKey;
        expect(signatures.map((sig, i) => verify('sha256', messages[i]!, publicKey, sig))).toEqual(messages.map(() => true));
        expect(verify('sha256', randomBytes(200), publicKey, signatures[0]!)).toBe(false);
        expect(signer.stats).toEqual({ logins: 1, signatures: 24 });
      } finally {
        signer.close();
      }
    }
  });

  it('keeps the CA keys inside: sensitive, never extractable, and every export attempt fails', () => {
    const module: Pkcs11 = hsm.module;
    for (const [token, key] of [[RSA_TOKEN, 'ca-rsa'], [EC_TOKEN, 'ca-ec']] as const) {
      hsm.withSession(token, (session) => {
        module.C_FindObjectsInit(session, [{ type: P11.CKA_CLASS, value: P11.CKO_PRIVATE_KEY }, { type: P11.CKA_LABEL, value: key }]);
        const [handle] = module.C_FindObjects(session, 2);
        module.C_FindObjectsFinal(session);
        const flags = module.C_GetAttributeValue(session, handle!, [
          { type: P11.CKA_SENSITIVE }, { type: P11.CKA_EXTRACTABLE }, { type: P11.CKA_ALWAYS_SENSITIVE }, { type: P11.CKA_NEVER_EXTRACTABLE },
        ]).map((a) => a.value[0]);
        expect(flags).toEqual([1, 0, 1, 1]);
        // Reading the secret part.
        const secret = token === RSA_TOKEN ? P11.CKA_PRIVATE_EXPONENT : P11.CKA_VALUE;
        expect(() => module.C_GetAttributeValue(session, handle!, [{ type: secret }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
        // Wrapping it under a key we hold.
        const wrapping = module.C_GenerateKey(session, { mechanism: P11.CKM_AES_KEY_GEN }, [
          { type: P11.CKA_TOKEN, value: false }, { type: P11.CKA_VALUE_LEN, value: 32 }, { type: P11.CKA_WRAP, value: true },
        ]);
        expect(() => module.C_WrapKey(session, { mechanism: P11.CKM_AES_KEY_WRAP_PAD }, wrapping, handle!, Buffer.alloc(4096)))
          .toThrow(/CKR_KEY_UNEXTRACTABLE/);
        // Turning extraction back on.
        expect(() => module.C_SetAttributeValue(session, handle!, [{ type: P11.CKA_EXTRACTABLE, value: true }])).toThrow(/CKR_/);
      });
    }
  });

  it('a session lost mid-batch fails the rows in flight with a clear message, stops, and a re-run resumes', async () => {
    const app = hsmApp(RSA_TOKEN, 'ca-rsa');
    // When the sessions go, up to BATCH_CONCURRENCY rows are in flight, and each of those that had
    // already signed still finishes and lets its worker start one more row (which then fails and
    // halts the batch). So at most twice BATCH_CONCURRENCY rows start, however the cores are
    // shared, and the last four are certain never to.
    const total = 2 * BATCH_CONCURRENCY + 4;
    const file = writeCsv(rowsOf(total, 'L'));
    let pulled = false;
    const first = await staff(app, ['issue', '--batch', file, '--no-letters', '--json'], {
      onStdout: () => {
        if (pulled) return;
        pulled = true;
        // As if the token went away: every session of this process on it ends.
        hsm.module.C_CloseAllSessions(hsm.slot(RSA_TOKEN));
      },
    });
    expect(first.code).toBe(1);
    const issued = first.lines.filter((l) => l.status === 'issued');
    const failed = first.lines.filter((l) => l.status === 'failed');
    expect(issued.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const f of failed) {
      expect(f.errors).toEqual([{ field: '(issue)', message: expect.stringMatching(/^the HSM session was lost \(CKR_[A-Z_]+\): not signed; run the same command again/) }]);
    }
    const notStarted = total - issued.length - failed.length;
    expect(notStarted).toBeGreaterThanOrEqual(1);
    expect(first.stderr).toContain(`Stopped because the CA's signing key became unavailable: ${notStarted} row(s) not started.`);
    // The failed rows left nothing behind.
    expect(stored(app).map((p) => p.applicationCode).sort()).toEqual(issued.map((l) => l.applicationCode).sort());
    expect(app.db.select().from(mailLog).all()).toHaveLength(issued.length);

    const again = await staff(app, ['issue', '--batch', file, '--no-letters', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.lines.filter((l) => l.status === 'skipped')).toHaveLength(issued.length);
    expect(again.lines.filter((l) => l.status === 'issued')).toHaveLength(total - issued.length);
    expect(stored(app)).toHaveLength(total);
    for (const p of stored(app)) expect(opensslVerify(p.certPem, hsm.certFile('ca-rsa')).ok).toBe(true);
    const signer = (await issuingCaOf(app.deps).open()).signer as Pkcs11Signer;
    expect(signer.stats).toEqual({ logins: 1, signatures: total - issued.length });
  });

  describe('refuses at start-up, in one line, before any row, writing nothing', () => {
    const refusals: Array<[string, string, string, Record<string, string>, RegExp]> = [
      ['a missing module', RSA_TOKEN, 'ca-rsa', { CA_PKCS11_MODULE: '/nonexistent/libvendor-pkcs11.so' }, /^staff issue: HSM: CA_PKCS11_MODULE \/nonexistent\/libvendor-pkcs11\.so: no such file/],
      ['a module that is not a PKCS#11 library', RSA_TOKEN, 'ca-rsa', { CA_PKCS11_MODULE: '/etc/hostname' }, /^staff issue: HSM: CA_PKCS11_MODULE \/etc\/hostname: not a loadable PKCS#11 library/],
      ['an unknown token label', 'no-such-token', 'ca-rsa', {}, /^staff issue: HSM: CA_PKCS11_TOKEN_LABEL "no-such-token": no such token in .*tokens present: .*"uketori-rsa"/],
      ['an unknown key label', RSA_TOKEN, 'no-such-key', { CA_CERT_FILE: '' }, /^staff issue: HSM: CA_PKCS11_KEY_LABEL "no-such-key": no private key with this label on token "uketori-rsa"$/],
      ['a wrong PIN', RSA_TOKEN, 'ca-rsa', { CA_PKCS11_PIN_FILE: 'wrong' }, /^staff issue: HSM: token "uketori-rsa" refused the PIN in CA_PKCS11_PIN_FILE \(CKR_PIN_INCORRECT\)/],
      ['a key that does not match the CA certificate', RSA_TOKEN, 'other-rsa', { CA_CERT_FILE: '' }, /^staff issue: HSM: key "other-rsa" on token "uketori-rsa" does not match CA_CERT_FILE \(the public keys differ\)$/],
      ['an EC key on a curve other than P-256', EC_TOKEN, 'ca-p384', { CA_CERT_FILE: '' }, /^staff issue: HSM: key "ca-p384" is on curve P-384: the portal signs with RSA \(2048 bits or more\) or EC P-256 keys$/],
      ['an RSA key under 2048 bits', RSA_TOKEN, 'small-rsa', { CA_CERT_FILE: '' }, /^staff issue: HSM: key "small-rsa" is RSA-1024: the portal signs with RSA/],
      ['a chain file with a certificate that does not link', RSA_TOKEN, 'ca-rsa', { CA_CHAIN_FILE: 'ec-cert' }, /^staff issue: HSM: CA_CHAIN_FILE: 1 certificate\(s\) in the chain do not link to the leaf: .*CN=Issuing CA ca-ec$/],
      ['an EC key against an RSA CA certificate', EC_TOKEN, 'ca-ec', { CA_CERT_FILE: '' }, /^staff issue: HSM: key "ca-ec" on token "uketori-ec" does not match CA_CERT_FILE \(the key is EC, the certificate's is RSA\)$/],
    ];
    it.each(refusals)('%s', async (_what, token, key, overrides, message) => {
      const settings = { ...overrides };
      // '' means: the certificate of the RSA CA key, whatever key is configured.
      if (settings.CA_CERT_FILE === '') settings.CA_CERT_FILE = hsm.certFile('ca-rsa');
      if (settings.CA_CHAIN_FILE === 'ec-cert') settings.CA_CHAIN_FILE = hsm.certFile('ca-ec');
      if (settings.CA_PKCS11_PIN_FILE === 'wrong') settings.CA_PKCS11_PIN_FILE = hsm.file('wrong.pin', 'not-the-PIN-1234\n');
      const app = hsmApp(token, key, settings);
      const letters = path.join(tmpDir(), 'letters');
      const batch = await staff(app, ['issue', '--batch', writeCsv(rowsOf(2, 'X')), '--letters-dir', letters, '--json']);
      expect(batch.code).toBe(1);
      expect(batch.stdout).toBe('');
      expect(batch.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(batch.stderr.trimEnd()).toMatch(message);
      expect(batch.stderr).not.toContain(USER_PIN);
      expect(batch.stderr).not.toContain('not-the-PIN-1234');
      const single = await staff(app, ['issue', '--name-romaji', 'SINGLE REFUSED', '--postal-address', '〒100-0001 東京都千代田区千代田1-1', '--letters-dir', letters]);
      expect(single.code).toBe(1);
      expect(single.stderr.trimEnd()).toMatch(message);
      expect(stored(app)).toEqual([]);
      expect(app.db.select().from(mailLog).all()).toEqual([]);
      expect(fs.existsSync(letters)).toBe(false);
    });

    it('an incomplete set of settings is refused when the configuration is read', () => {
      expect(() => testConfig({ CA_PKCS11_MODULE: SOFTHSM_MODULE, CA_PKCS11_TOKEN_LABEL: RSA_TOKEN })).toThrow(
        'invalid configuration: signing through an HSM needs CA_PKCS11_MODULE, CA_PKCS11_TOKEN_LABEL, CA_PKCS11_KEY_LABEL, CA_PKCS11_PIN_FILE, CA_CERT_FILE together; missing CA_PKCS11_KEY_LABEL, CA_PKCS11_PIN_FILE, CA_CERT_FILE');
    });

    it('the right PIN after a wrong one still logs in (the refusal leaves no session behind)', async () => {
      const wrong = await openPkcs11Signer({ module: SOFTHSM_MODULE, tokenLabel: RSA_TOKEN, keyLabel: 'ca-rsa', pin: 'nope-nope', caCertPem: fs.readFileSync(hsm.certFile('ca-rsa'), 'utf8') })
        .then(() => 'opened', (err: Error) => err.message);
      expect(wrong).toContain('CKR_PIN_INCORRECT');
      const right = await openPkcs11Signer({ module: SOFTHSM_MODULE, tokenLabel: RSA_TOKEN, keyLabel: 'ca-rsa', pin: USER_PIN, caCertPem: fs.readFileSync(hsm.certFile('ca-rsa'), 'utf8') });
      expect(right.keyType).toBe('rsa');
      right.close();
    });
  });
});
