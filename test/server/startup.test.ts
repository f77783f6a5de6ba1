import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstHealthz, freePort } from '../ports.js';

const root = path.resolve(import.meta.dirname, '../..');

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('start-up refuses a bad configuration in one readable line', () => {
  const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-start-'));

  it.each([
    [{ PORT: 'eighty' }, /^uketori: invalid configuration: PORT: /],
    [{ PUBLIC_URL: 'ftp://x' }, /^uketori: invalid configuration: PUBLIC_URL: /],
    [{ PUBLIC_URL: 'https://pickup.example.jp/portal' }, /^uketori: invalid configuration: PUBLIC_URL must be an origin/],
    [{ SESSION_KEY: 'short' }, /^uketori: invalid configuration: SESSION_KEY: /],
    [{ SEAL_KEYS: 'k1' }, /^uketori: invalid configuration: SEAL_KEYS: /],
    [{ CA_NAME_EN: '認証局' }, /^uketori: invalid configuration: CA_NAME_EN: must be written in ASCII/],
    [{ SUPPORT_PHONE: 'call us' }, /^uketori: invalid configuration: SUPPORT_PHONE: must be a phone number/],
    [{ SUPPORT_EMAIL: 'desk' }, /^uketori: invalid configuration: SUPPORT_EMAIL: must be an e-mail address/],
    [{ SUPPORT_CONTACT: 'desk' }, /^uketori: invalid configuration: SUPPORT_CONTACT is replaced by CA_NAME, /],
    [{ METRICS_ALLOW: '10.0.0.0/33' }, /^uketori: invalid configuration: METRICS_ALLOW: "10\.0\.0\.0\/33" is not an address or CIDR range/],
    [{ CA_LOGO: '/nonexistent/logo.png' }, /^uketori: invalid configuration: CA_LOGO: cannot read \/nonexistent\/logo\.png \(ENOENT\)$/],
  ])('%o', (env, message) => {
    const r = start({ DATA_DIR: dataDir(), ...env });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('says in one line that the port is taken', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const r = start({ DATA_DIR: dataDir(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`uketori: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      blocker.close();
    }
  });

  it('refuses to invent a seal key for a DATA_DIR that already holds pickups', () => {
    const dir = dataDir();
    fs.writeFileSync(path.join(dir, 'uketori.db'), '');
    const r = start({ DATA_DIR: dir, PORT: '0' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/missing but .* already holds data/);
  });
});

describe('the production bundle that npm start and npm run staff run', () => {
  // The server through the launcher npm start runs, the staff bundle as node's own entry point:
  // both ways of running a bundle are covered.
  it('builds, serves, issues from the staff bundle, and stops on SIGTERM', async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-bundle-'));
    const port = await freePort();
    const env = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' };
    const server = spawn(process.execPath, ['scripts/start.mjs', 'server'], { cwd: root, env, stdio: 'ignore' });
    try {
      expect(await firstHealthz(port, server)).toBe(200);
      const issued = spawnSync(process.execPath, ['dist/staff.mjs', 'issue', '--name-romaji', 'BUNDLE TEST', '--json', '--no-letters'], { cwd: root, env, encoding: 'utf8' });
      expect(issued.status, issued.stderr).toBe(0);
      const j = JSON.parse(issued.stdout);
      for (const key of ['serial', 'url', 'password', 'pin', 'issuedAt', 'expiresAt']) expect(j).toHaveProperty(key);
      const page = await fetch(j.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('name="password"');
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('also serves when node runs dist/server.mjs itself, as a crash is reproduced (docs/operations.md)', async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const port = await freePort();
    const env = { PATH: process.env.PATH ?? '', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-bundle-')), PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' };
    const server = spawn(process.execPath, ['--enable-source-maps', 'dist/server.mjs'], { cwd: root, env, stdio: 'ignore' });
    try {
      expect(await firstHealthz(port, server)).toBe(200);
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
