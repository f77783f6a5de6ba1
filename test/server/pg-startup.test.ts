import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDeps } from '../../src/bootstrap.js';
import { keyCheckValue } from '../../src/secrets/key-check.js';
import { createDatabase } from '../pg/cluster.js';
import { freePort } from '../ports.js';
import { pgAvailable } from '../pg/support.js';

const root = path.resolve(import.meta.dirname, '../..');
const key = (byte: number) => Buffer.alloc(32, byte).toString('base64url');
const KEYS = { SEAL_KEYS: `k1:${key(1)}`, PASSWORD_PEPPER: key(2), SESSION_KEY: key(3) };

function start(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-pgstart-'));
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('DATABASE_URL at start-up: one readable line and a non-zero exit', () => {
  it.each([
    ['not a URL', 'not a url', /^uketori: invalid configuration: DATABASE_URL is not a URL/],
    ['another scheme', 'mysql://u:p@127.0.0.1/db', /^uketori: invalid configuration: DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/, not mysql:/],
    ['no database', 'postgres://u:p@127.0.0.1:5432', /^uketori: invalid configuration: DATABASE_URL names no database/],
    ['a pool of zero', null, /^uketori: invalid configuration: DATABASE_POOL_MAX: /],
  ])('%s', (_label, url, message) => {
    const env = url === null ? { DATABASE_URL: 'postgres://u:p@127.0.0.1/db', DATABASE_POOL_MAX: '0', ...KEYS } : { DATABASE_URL: url, ...KEYS };
    const r = start(env);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('an unreachable database, without printing its password', async () => {
    const port = await freePort();
    const r = start({ DATABASE_URL: `postgres://uketori:s3cret-pw@127.0.0.1:${port}/uketori`, ...KEYS });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^uketori: cannot use the database at DATABASE_URL postgres://uketori:\\*\\*\\*@127\\.0\\.0\\.1:${port}/uketori: ECONNREFUSED`));
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('an unreachable database, without printing a password given as a URL parameter', async () => {
    const port = await freePort();
    // node-postgres takes every URL parameter as a connection setting, password and sslpassword included.
    const r = start({ DATABASE_URL: `postgres://uketori@127.0.0.1:${port}/uketori?password=s3cret-q&sslpassword=s3cret-ssl&sslmode=disable`, ...KEYS });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`DATABASE_URL postgres://uketori@127.0.0.1:${port}/uketori?password=***&sslpassword=***&sslmode=disable: ECONNREFUSED`);
    expect(r.stderr).not.toContain('s3cret');
  });

  it('refuses to generate keys: every instance must be given the same ones', () => {
    const r = start({ DATABASE_URL: 'postgres://u:p@127.0.0.1/db', SEAL_KEYS: KEYS.SEAL_KEYS });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'uketori: invalid configuration: with DATABASE_URL every instance needs the same keys; set PASSWORD_PEPPER, SESSION_KEY (or the *_FILE variable naming a file that holds it)',
    );
  });
});

const pgTest = pgAvailable();

describe.skipIf(pgTest.skip)('shared keys are checked against the database', () => {
  it('stores an HMAC check per key (never the key), and an instance with another key refuses to start naming it', async () => {
    const url = await createDatabase(pgTest.url!, 'keys');
    const env = { DATABASE_URL: url, PUBLIC_URL: 'http://portal.test', LOG_LEVEL: 'silent', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-keys-')) };
    const first = await openDeps({ ...env, ...KEYS });
    await first.store.close();

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = (await client.query('select name, check_value from key_checks order by name')).rows as Array<{ name: string; check_value: string }>;
    await client.end();
    expect(rows).toEqual([
      { name: 'pepper', check_value: keyCheckValue(Buffer.alloc(32, 2), 'pepper') },
      { name: 'seal:k1', check_value: keyCheckValue(Buffer.alloc(32, 1), 'seal:k1') },
      { name: 'session', check_value: keyCheckValue(Buffer.alloc(32, 3), 'session') },
    ]);
    for (const r of rows) for (const k of [key(1), key(2), key(3)]) expect(r.check_value).not.toContain(k);

    // The same keys again, from files this time: accepted.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-keyfiles-'));
    const file = (name: string, value: string) => (fs.writeFileSync(path.join(dir, name), value + '\n'), path.join(dir, name));
    const again = await openDeps({ ...env, PASSWORD_PEPPER_FILE: file('pepper', KEYS.PASSWORD_PEPPER), SESSION_KEY_FILE: file('session', KEYS.SESSION_KEY), SEAL_KEYS_FILE: file('seal', KEYS.SEAL_KEYS) });
    await again.store.close();

    // One byte off in each key in turn: refused, naming that key.
    await expect(openDeps({ ...env, ...KEYS, PASSWORD_PEPPER: key(9) })).rejects.toThrow(/^PASSWORD_PEPPER differs from the key the other instances use/);
    await expect(openDeps({ ...env, ...KEYS, SESSION_KEY: key(9) })).rejects.toThrow(/^SESSION_KEY differs/);
    await expect(openDeps({ ...env, ...KEYS, SEAL_KEYS: `k1:${key(9)}` })).rejects.toThrow(/^SEAL_KEYS \(key "k1"\) differs/);

    // And as a process: one line, exit 2.
    const r = start({ ...env, ...KEYS, SESSION_KEY: key(8) });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(/^uketori: SESSION_KEY differs from the key the other instances use with this database/);
  });
});
