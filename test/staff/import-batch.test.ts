import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mailLog, pickups, sealedFiles } from '../../src/db/schema.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, type TestApp } from '../helpers.js';
import { openP12, pemBlocks } from '../openssl.js';
import { staff, tmpDir } from './support.js';

let t: TestApp;
afterEach(() => t.close());

/** What another CA hands over: a root, an issuing CA, and per subscriber a key and a certificate. */
let dir: string;
const f = (name: string) => path.join(dir, name);
const read = (name: string) => fs.readFileSync(f(name), 'utf8');
const P12_PASSWORD = 'transport-pass-42';

beforeAll(() => {
  dir = tmpDir('uketori-manifest-');
  fs.mkdirSync(f('certs'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  fs.writeFileSync(f('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '3650', '-subj', '/CN=Other Root');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'mid.key', '-out', 'mid.csr', '-subj', '/CN=Other Issuing CA');
  run('x509', '-req', '-in', 'mid.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-out', 'certs/mid.pem', '-days', '3650', '-extfile', 'ca.ext');
  fs.writeFileSync(f('certs/chain.pem'), read('certs/mid.pem') + read('root.pem'));
  const leaf = (name: string, cn: string, keySpec = 'rsa:2048') => {
    const newkey = keySpec === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', keySpec];
    run('req', ...newkey, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'certs/mid.pem', '-CAkey', 'mid.key', '-out', `certs/${name}.pem`, '-days', '730');
  };
  leaf('sato', 'SATO HANAKO');
  leaf('suzuki', 'SUZUKI ICHIRO');
  leaf('tanaka', 'TANAKA JIRO');
  leaf('ito', 'ITO SHIRO', 'ec');
  leaf('kato', 'KATO GORO');
  leaf('wrongpass', 'WRONG PASS');
  // OpenSSL 3's default PKCS#12 (AES-256, SHA-256 MAC), and the 3DES / SHA-1 one older tools make.
  run('pkcs12', '-export', '-inkey', 'suzuki.key', '-in', 'certs/suzuki.pem', '-certfile', 'certs/chain.pem', '-out', 'suzuki.p12', '-passout', `pass:${P12_PASSWORD}`);
  run('pkcs12', '-export', '-inkey', 'tanaka.key', '-in', 'certs/tanaka.pem', '-certfile', 'certs/mid.pem', '-out', 'tanaka.p12', '-passout', `pass:${P12_PASSWORD}`,
    '-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1');
  run('pkcs12', '-export', '-inkey', 'wrongpass.key', '-in', 'certs/wrongpass.pem', '-out', 'wrongpass.p12', '-passout', `pass:${P12_PASSWORD}`);
});

const HEADER = 'applicationCode,keyFile,certFile,chainFile,p12File,p12Password,email,postalAddress,proxyName,proxyPostalAddress';

function manifest(name: string, lines: string[]): string {
  fs.writeFileSync(f(name), lines.join('\n') + '\n');
  return f(name);
}

const byRow = (lines: Array<Record<string, unknown>>) => [...lines].sort((a, b) => Number(a.row) - Number(b.row));
const stored = () => t.db.select().from(pickups).all();

async function download(url: string, password: string): Promise<Buffer> {
  const login = await t.http().post(pathOf(url)).set('Origin', ORIGIN).type('form').send({ password });
  const file = await t.http().post(`${pathOf(url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(login)).type('form').send({})
    .buffer(true).parse(binaryBody);
  expect(file.status).toBe(200);
  return file.body as Buffer;
}

const subjects = (pem: string) => pemBlocks(pem, 'CERTIFICATE').map((c) => new X509Certificate(c).subject);

describe('import --batch', () => {
  it('imports PEM and PKCS#12 rows, refuses the bad rows by number and column, and a re-run resumes', async () => {
    t = makeTestApp({ now: Date.now() });
    const letters = tmpDir();
    const lines = [
      HEADER,
      'IMP-1,sato.key,certs/sato.pem,certs/chain.pem,,,hanako@example.jp,〒100-0001 東京都千代田区千代田1-1,,',
      `IMP-2,,,,suzuki.p12,${P12_PASSWORD},ichiro@example.jp,〒530-0001 大阪府大阪市北区梅田1-1,鈴木 花子,〒530-0002 大阪府大阪市北区曽根崎2-2`,
      `IMP-3,,,,tanaka.p12,${P12_PASSWORD},,〒100-0001 東京都千代田区,,`,
      'IMP-4,ito.key,certs/ito.pem,certs/chain.pem,,,,〒100-0001 東京都千代田区,,',
      'IMP-5,sato.key,certs/kato.pem,,,,,〒100-0001 東京都千代田区,,',
      'IMP-6,,,,wrongpass.p12,not-the-password,,〒100-0001 東京都千代田区,,',
      'IMP-7,kato.key,certs/kato.pem,certs/missing.pem,,,,〒100-0001 東京都千代田区,,',
      'IMP-8,mid.key,certs/mid.pem,,,,,〒100-0001 東京都千代田区,,',
      `IMP-9,kato.key,certs/kato.pem,,kato.p12,${P12_PASSWORD},,〒100-0001 東京都千代田区,,`,
      'IMP-10,kato.key,certs/kato.pem,certs/chain.pem,,,not-an-email,〒100-0001 東京都千代田区,,',
      'IMP-1,kato.key,certs/kato.pem,,,,,〒100-0001 東京都千代田区,,',
      'IMP-12,sato.key,certs/sato.pem,certs/chain.pem,,,,〒100-0001 東京都千代田区,,',
      ',kato.key,certs/kato.pem,,,,,〒100-0001 東京都千代田区,,',
    ];
    const file = manifest('manifest.csv', lines);
    const run = await staff(t, ['import', '--batch', file, '--letters-dir', letters, '--json']);
    expect(run.code).toBe(1);
    const rows = byRow(run.lines);
    const summary = rows.map((r) => [r.row, r.status, ...((r.errors as Array<{ field: string; message: string }> | undefined) ?? []).map((e) => `${e.field}: ${e.message}`)]);
    expect(summary).toEqual([
      [2, 'issued'],
      [3, 'issued'],
      [4, 'issued'],
      [5, 'issued'],
      [6, 'failed', 'keyFile: the key does not belong to the certificate'],
      [7, 'failed', 'p12File: the password does not open this PKCS#12 (or the file is damaged)'],
      [8, 'failed', 'chainFile: certs/missing.pem: ENOENT'],
      [9, 'failed', 'certFile: is a CA certificate (basicConstraints CA:TRUE): only subscriber certificates are handed out'],
      [10, 'failed', 'keyFile: give either p12File + p12Password or keyFile + certFile, not both'],
      [11, 'failed', expect.stringMatching(/^email: /)],
      [12, 'failed', 'applicationCode: same as row 2'],
      [13, 'failed', 'certFile: the same certificate as row 2'],
      [14, 'failed', 'applicationCode: required in a batch: a re-run recognises imported rows by it'],
    ]);
    expect(run.stderr).toContain('4 issued, 0 skipped (already issued), 9 failed, of 13 rows.');
    // The transport password is never echoed.
    expect(run.stdout + run.stderr).not.toContain(P12_PASSWORD);

    // Only the good rows left anything behind: pickups, sealed P12s, letters, mail.
    expect(stored().map((p) => p.applicationCode).sort()).toEqual(['IMP-1', 'IMP-2', 'IMP-3', 'IMP-4']);
    expect(t.db.select().from(sealedFiles).all()).toHaveLength(4);
    expect(fs.readdirSync(letters)).toHaveLength(8);
    expect(t.db.select().from(mailLog).all().map((m) => m.pickupId).sort()).toEqual(
      stored().filter((p) => p.email).map((p) => p.id).sort());

    const expectedChain = {
      'IMP-1': ['CN=SATO HANAKO', 'CN=Other Issuing CA', 'CN=Other Root'],
      'IMP-2': ['CN=SUZUKI ICHIRO', 'CN=Other Issuing CA', 'CN=Other Root'],
      'IMP-3': ['CN=TANAKA JIRO', 'CN=Other Issuing CA'],
      'IMP-4': ['CN=ITO SHIRO', 'CN=Other Issuing CA', 'CN=Other Root'],
    } as Record<string, string[]>;
    const original = { 'IMP-1': 'certs/sato.pem', 'IMP-2': 'certs/suzuki.pem', 'IMP-3': 'certs/tanaka.pem', 'IMP-4': 'certs/ito.pem' } as Record<string, string>;
    for (const line of rows.filter((r) => r.status === 'issued')) {
      const code = String(line.applicationCode);
      expect(line.type).toBe('imported');
      const opened = openP12(await download(String(line.url), String(line.password)), String(line.pin));
      expect(opened.ok, opened.stderr).toBe(true);
      expect(subjects(opened.pem)).toEqual(expectedChain[code]);
      // The certificate handed out is the other CA's, byte for byte.
      expect(pemBlocks(opened.pem, 'CERTIFICATE')[0]!.replace(/\s/g, '')).toBe(read(original[code]!).replace(/\s/g, ''));
      expect(pemBlocks(opened.pem, 'PRIVATE KEY')).toHaveLength(1);
    }
    expect(JSON.parse(stored().find((p) => p.applicationCode === 'IMP-2')!.mailing!)).toMatchObject({ proxyName: '鈴木 花子' });

    // Fix two rows and run the same manifest again: done rows are skipped, fixed rows imported.
    lines[5] = 'IMP-5,kato.key,certs/kato.pem,certs/chain.pem,,,,〒100-0001 東京都千代田区,,';
    lines[6] = `IMP-6,,,,wrongpass.p12,${P12_PASSWORD},,〒100-0001 東京都千代田区,,`;
    const again = await staff(t, ['import', '--batch', manifest('manifest.csv', lines.slice(0, 8)), '--letters-dir', letters, '--json']);
    expect(byRow(again.lines).map((r) => [r.row, r.status])).toEqual([
      [2, 'skipped'], [3, 'skipped'], [4, 'skipped'], [5, 'skipped'], [6, 'issued'], [7, 'issued'], [8, 'failed'],
    ]);
    expect(byRow(again.lines)[0]!.errors).toEqual([{ field: 'applicationCode', message: `already issued as serial ${stored().find((p) => p.applicationCode === 'IMP-1')!.serial}` }]);
    expect(stored()).toHaveLength(6);
  });

  it('reads JSONL, resolves paths from the manifest folder whatever the working directory, and refuses unknown keys', async () => {
    t = makeTestApp({ now: Date.now() });
    const file = manifest('manifest.jsonl', [
      JSON.stringify({ applicationCode: 'J-1', p12File: 'suzuki.p12', p12Password: P12_PASSWORD, email: 'ichiro@example.jp', nameJa: '鈴木 一郎' }),
      JSON.stringify({ applicationCode: 'J-2', keyFile: path.join(dir, 'kato.key'), certFile: 'certs/kato.pem', shoeSize: '27' }),
      JSON.stringify({ applicationCode: 'J-3', keyFile: 'kato.key', certFile: 'certs/kato.pem', issuedAt: '2099-01-01T00:00:00Z' }),
      '{"applicationCode": "J-4", ',
    ]);
    expect(process.cwd()).not.toBe(dir);
    const run = await staff(t, ['import', '--batch', file, '--no-letters', '--json']);
    expect(run.code).toBe(1);
    expect(byRow(run.lines).map((r) => [r.row, r.status, (r.errors as Array<{ field: string }> | undefined)?.map((e) => e.field)])).toEqual([
      [1, 'issued', undefined],
      [2, 'failed', ['shoeSize']],
      [3, 'failed', ['issuedAt']],
      [4, 'failed', ['(line)']],
    ]);
    expect(stored().map((p) => [p.applicationCode, p.subjectName, p.subjectNameJa])).toEqual([['J-1', 'SUZUKI ICHIRO', '鈴木 一郎']]);
  });

  it('refuses a manifest with an unknown column, or flags beside --batch, before importing anything', async () => {
    t = makeTestApp({ now: Date.now() });
    const file = manifest('bad.csv', ['applicationCode,keyFile,certFile,nameRomaji', 'U-1,kato.key,certs/kato.pem,KATO GORO']);
    const run = await staff(t, ['import', '--batch', file, '--no-letters']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown column(s) nameRomaji; columns are the manifest keys: applicationCode, keyFile, certFile');
    const mixed = await staff(t, ['import', '--batch', file, '--key', f('kato.key')]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('--batch reads the keys and certificates from the manifest: drop --key');
    expect(stored()).toEqual([]);
  });
});
