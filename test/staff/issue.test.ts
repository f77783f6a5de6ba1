import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/staff/cli.js';
import { DAY } from '../../src/lib/clock.js';
import { issuingCaOf } from '../factories.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, testConfig, tmpFile, type TestApp } from '../helpers.js';
import { openP12, pemBlocks } from '../openssl.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp();
});
afterEach(() => t.close());

async function staff(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { env: {}, stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false, preparedDeps: t.deps, preparedIssuingCa: issuingCaOf(t.deps) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('staff issue', () => {
  it('prints one JSON line with the contract keys, and the pickup works', async () => {
    const r = await staff(['issue', '--name-romaji', 'YAMADA TARO', '--email', 'taro@example.jp', '--validity-years', '3', '--json', '--no-letters']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    for (const k of ['serial', 'url', 'password', 'pin', 'issuedAt', 'expiresAt']) expect(j).toHaveProperty(k);
    expect(j.url).toMatch(new RegExp(`^${ORIGIN}/d/[0-9A-Z*~$=]{27}$`));
    expect(j.password).toMatch(/^[A-HJ-NP-Za-km-np-z2-9]{8}$/);
    expect(Date.parse(j.expiresAt) - Date.parse(j.issuedAt)).toBe(30 * DAY);
    const res = await t.http().post(pathOf(j.url)).set('Origin', ORIGIN).type('form').send({ password: j.password });
    expect(res.status).toBe(303);
    cookieFrom(res);
  });

  it('refuses a bad name with a message naming the field, and creates nothing', async () => {
    const r = await staff(['issue', '--name-romaji', 'yamada taro', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nameRomaji');
    expect(t.db.$client.prepare('select count(*) n from pickups').get()).toEqual({ n: 0 });
  });

  it('offers the lifetimes the CA configures, and only those', async () => {
    const refused = await staff(['issue', '--name-romaji', 'A B', '--validity-years', '5', '--no-letters']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('validityYears');
    t.close();
    t = makeTestApp({ config: testConfig({ VALIDITY_YEARS: '1,5' }) });
    const r = await staff(['issue', '--name-romaji', 'A B', '--validity-years', '5', '--no-letters', '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.serial).toMatch(/^[0-9A-F]+$/);
    const row = t.db.$client.prepare('select cert_not_before b, cert_not_after a from pickups').get() as { a: number; b: number };
    expect(new Date(row.a).getUTCFullYear() - new Date(row.b).getUTCFullYear()).toBe(5);
  });

  it('refuses unknown flags and an unknown profile in one readable line', async () => {
    expect((await staff(['issue', '--frobnicate'])).code).toBe(1);
    const r = await staff(['issue', '--name-romaji', 'A B', '--p12-profile', 'rc2']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('staff import, status, cancel', () => {
  it('makes a pickup for a certificate from another CA, counting 30 days from notBefore', async () => {
    const dir = path.dirname(tmpFile('x'));
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Other Root']);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=SUZUKI ICHIRO']);
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-out', 'leaf.pem', '-days', '30']);
    const notBefore = Date.parse(execFileSync('openssl', ['x509', '-in', path.join(dir, 'leaf.pem'), '-noout', '-startdate']).toString().split('=')[1]!);
    t.clock.set(notBefore + 1000);
    const r = await staff(['import', '--key', path.join(dir, 'leaf.key'), '--cert', path.join(dir, 'leaf.pem'), '--chain', path.join(dir, 'ca.pem'), '--letters-dir', path.join(dir, 'letters'), '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Date.parse(j.issuedAt)).toBe(notBefore);
    expect(fs.readFileSync(j.letters.pin, 'utf8')).toContain(j.pin);
    const login = await t.http().post(pathOf(j.url)).set('Origin', ORIGIN).type('form').send({ password: j.password });
    const file = await t.http().post(`${pathOf(j.url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(login)).type('form').send({})
      .buffer(true).parse(binaryBody);
    const opened = openP12(file.body as Buffer, j.pin);
    expect(opened.ok, opened.stderr).toBe(true);
    const certs = pemBlocks(opened.pem, 'CERTIFICATE');
    expect(certs).toHaveLength(2);
    expect(certs[0]!.replace(/\s/g, '')).toBe(fs.readFileSync(path.join(dir, 'leaf.pem'), 'utf8').replace(/\s/g, ''));

    const mismatched = await staff(['import', '--key', path.join(dir, 'ca.key'), '--cert', path.join(dir, 'leaf.pem'), '--no-letters']);
    expect(mismatched.code).toBe(1);
    expect(mismatched.stderr).toContain('does not belong');
  });

  it('orders the chain, and refuses what would break the 30 days or the PKCS#12', async () => {
    const dir = path.dirname(tmpFile('x'));
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ext = path.join(dir, 'ca.ext');
    fs.writeFileSync(ext, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '30', '-subj', '/CN=Root']);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'mid.key', '-out', 'mid.csr', '-subj', '/CN=Intermediate']);
    run(['x509', '-req', '-in', 'mid.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-out', 'mid.pem', '-days', '30', '-extfile', ext]);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=TANAKA JIRO']);
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'mid.pem', '-CAkey', 'mid.key', '-out', 'leaf.pem', '-days', '30']);
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stray.key', '-out', 'stray.pem', '-days', '30', '-subj', '/CN=Stray']);
    const f = (n: string) => path.join(dir, n);
    fs.writeFileSync(f('reversed.pem'), fs.readFileSync(f('root.pem'), 'utf8') + fs.readFileSync(f('mid.pem'), 'utf8'));
    fs.writeFileSync(f('stray-chain.pem'), fs.readFileSync(f('mid.pem'), 'utf8') + fs.readFileSync(f('stray.pem'), 'utf8'));
    const notBefore = Date.parse(execFileSync('openssl', ['x509', '-in', f('leaf.pem'), '-noout', '-startdate']).toString().split('=')[1]!);
    t.clock.set(notBefore + 1000);
    const base = ['import', '--key', f('leaf.key'), '--cert', f('leaf.pem'), '--no-letters'];

    const future = await staff([...base, '--issued-at', new Date(notBefore + 3 * DAY).toISOString()]);
    expect(future.code).toBe(1);
    expect(future.stderr).toContain('in the future');
    const stray = await staff([...base, '--chain', f('stray-chain.pem')]);
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain('do not link');
    const ca = await staff(['import', '--key', f('mid.key'), '--cert', f('mid.pem'), '--no-letters']);
    expect(ca.code).toBe(1);
    expect(ca.stderr).toContain('CA certificate');
    const badMail = await staff([...base, '--email', 'a@b.jp, c@d.jp']);
    expect(badMail.code).toBe(1);
    expect(badMail.stderr).toContain('--email');

    // A full-chain file plus a chain file repeat the intermediate: it is packed once.
    fs.writeFileSync(f('fullchain.pem'), fs.readFileSync(f('leaf.pem'), 'utf8') + fs.readFileSync(f('mid.pem'), 'utf8'));
    const ok = await staff(['import', '--key', f('leaf.key'), '--cert', f('fullchain.pem'), '--no-letters', '--chain', f('reversed.pem'), '--json']);
    expect(ok.stderr).toBe('');
    const j = JSON.parse(ok.stdout);
    const login = await t.http().post(pathOf(j.url)).set('Origin', ORIGIN).type('form').send({ password: j.password });
    const file = await t.http().post(`${pathOf(j.url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(login)).type('form').send({})
      .buffer(true).parse(binaryBody);
    const certs = pemBlocks(openP12(file.body as Buffer, j.pin).pem, 'CERTIFICATE').map((pem) => pem.replace(/\s/g, ''));
    const expected = ['leaf.pem', 'mid.pem', 'root.pem'].map((n) => fs.readFileSync(f(n), 'utf8').replace(/\s/g, ''));
    expect(certs).toEqual(expected);

    t.clock.set(notBefore + 31 * DAY);
    const expired = await staff([...base]);
    expect(expired.code).toBe(1);

    // A certificate that expires within the 30 days takes its pickup down with it.
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'short.key', '-out', 'short.csr', '-subj', '/CN=SHORT LIVED']);
    run(['x509', '-req', '-in', 'short.csr', '-CA', 'mid.pem', '-CAkey', 'mid.key', '-out', 'short.pem', '-days', '2']);
    const shortStart = Date.parse(execFileSync('openssl', ['x509', '-in', f('short.pem'), '-noout', '-startdate']).toString().split('=')[1]!);
    const shortEnd = Date.parse(execFileSync('openssl', ['x509', '-in', f('short.pem'), '-noout', '-enddate']).toString().split('=')[1]!);
    t.clock.set(shortStart + 1000);
    const short = JSON.parse((await staff(['import', '--key', f('short.key'), '--cert', f('short.pem'), '--chain', f('reversed.pem'), '--no-letters', '--json'])).stdout);
    expect(Date.parse(short.expiresAt)).toBe(shortEnd);
    fs.writeFileSync(f('broken.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    const badPem = await staff([...base, '--chain', f('broken.pem')]);
    expect(badPem.code).toBe(1);
    expect(badPem.stderr).toContain('--chain: not a readable PEM certificate');
  });

  it('status shows the state and the timeline; cancel blocks at once', async () => {
    const issued = JSON.parse((await staff(['issue', '--name-romaji', 'SATO HANAKO', '--json', '--no-letters'])).stdout);
    const s1 = JSON.parse((await staff(['status', issued.serial, '--json'])).stdout);
    expect(s1.state).toBe('pending');
    expect(s1.events.map((e: { kind: string }) => e.kind)).toContain('created');
    const c = await staff(['cancel', issued.serial, '--reason', 'subscriber request', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ cancelled: true, keyDestroyed: true });
    const s2 = JSON.parse((await staff(['status', issued.serial.toLowerCase(), '--json'])).stdout);
    expect(s2.state).toBe('cancelled');
    expect(s2.keyDestroyed).toBe(true);
    expect(s2.events.map((e: { kind: string }) => e.kind).slice(-2)).toEqual(['cancelled', 'key-destroyed']);
    expect((await t.http().get(pathOf(issued.url))).status).toBe(410);
    expect((await staff(['status', 'NOPE'])).code).toBe(1);
    const again = await staff(['cancel', issued.serial, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ cancelled: false, alreadyCancelled: true });
    const kinds = JSON.parse((await staff(['status', issued.serial, '--json'])).stdout).events.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === 'cancelled')).toHaveLength(1);
    // The bare form other tools rely on: `cancel <serial>`.
    const other = JSON.parse((await staff(['issue', '--name-romaji', 'SATO JIRO', '--json', '--no-letters'])).stdout);
    expect((await staff(['cancel', other.serial])).code).toBe(0);
    expect((await t.http().get(pathOf(other.url))).status).toBe(410);
  });
});
