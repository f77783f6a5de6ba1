import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createPortalServer } from '../../src/http/node-server.js';
import { copySqliteToPg } from '../../src/db/copy-store.js';
import { targetConfig } from '../../src/staff/commands/migrate-store.js';
import { openPgStore } from '../../src/db/pg/pg-store.js';
import { SqliteStore } from '../../src/db/sqlite-store.js';
import { assembleDeps } from '../../src/deps.js';
import { createLogger } from '../../src/lib/log.js';
import { loadSharedSecrets } from '../../src/secrets/keyring.js';
import { issueTestPickup } from '../factories.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, postForm, testConfig, type TestApp } from '../helpers.js';
import { openP12 } from '../openssl.js';
import { createDatabase } from '../pg/cluster.js';
import { pgAvailable } from '../pg/support.js';
import { staff } from './support.js';

const avail = pgAvailable();
let t: TestApp | null = null;
afterEach(() => {
  t?.close();
  t = null;
});

function fileApp(): TestApp {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-migrate-'));
  return makeTestApp({ config: testConfig({ DATA_DIR: dataDir }), dbFile: path.join(dataDir, 'uketori.db') });
}

async function rowCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, number> = {};
    for (const table of ['pickups', 'sealed_files', 'events', 'mail_log', 'throttle_clients', 'throttle_networks', 'throttle_pickups', 'key_checks']) {
      out[table] = Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
    }
    return out;
  } finally {
    await client.end();
  }
}

describe.skipIf(avail.skip)('staff migrate-store', () => {
  it('copies a SQLite deployment into an empty PostgreSQL, verified per table; the copy serves the same pickups', async () => {
    t = fileApp();
    const done = await issueTestPickup(t.deps, { nameRomaji: 'YAMADA TARO' });
    const waiting = await issueTestPickup(t.deps, { nameRomaji: 'SATO HANAKO' });
    // Some history: a wrong password (throttle rows), a login and a download (window, events).
    await postForm(t, pathOf(waiting.url), { password: 'WRNGpw23' });
    const login = await postForm(t, pathOf(done.url), { password: done.password });
    const file = await t.http().post(`${pathOf(done.url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(login)).type('form').send({}).buffer(true).parse(binaryBody);
    expect(file.status).toBe(200);
    const url = await createDatabase(avail.url!, 'migrate');

    const dry = await staff(t, ['migrate-store', '--to', url, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = dry.lines[0] as { dryRun: boolean; tables: Array<{ table: string; rows: number; checksum: string }> };
    expect(planned.dryRun).toBe(true);
    expect(planned.tables.find((r) => r.table === 'pickups')?.rows).toBe(2);
    expect(planned.tables.find((r) => r.table === 'throttle_clients')?.rows).toBe(1);
    // The dry run wrote nothing, not even the tables.
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    expect((await probe.query("select to_regclass('public.pickups') as t")).rows[0].t).toBeNull();
    await probe.end();

    const run = await staff(t, ['migrate-store', '--to', url, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = run.lines[0] as { verified: boolean; tables: Array<{ table: string; rows: number; checksum: string }> };
    expect(result.verified).toBe(true);
    for (const r of result.tables.filter((r) => r.table !== 'key_checks')) {
      expect(r.checksum).toBe(planned.tables.find((p) => p.table === r.table)!.checksum);
    }
    const counts = await rowCounts(url);
    // The right password spent a guess too (cleared for its client, not for the shared budget).
    expect(counts).toMatchObject({ pickups: 2, sealed_files: 2, throttle_clients: 1, throttle_pickups: 2, key_checks: 3 });
    expect(counts.events).toBe(result.tables.find((r) => r.table === 'events')!.rows);

    // A second run refuses: the target is no longer empty, and nothing changes.
    const again = await staff(t, ['migrate-store', '--to', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^staff migrate-store: the target postgres:\/\/uketori:\*\*\*@127\.0\.0\.1:\d+\/migrate_\w+ is not empty \(pickups, sealed_files, events/);
    expect(await rowCounts(url)).toEqual(counts);

    // The copy, opened as an instance with the same keys, serves both pickups as they were.
    const config = testConfig({ DATABASE_URL: url, DATA_DIR: t.deps.config.dataDir });
    const store = await openPgStore(config.database!);
    try {
      const deps = assembleDeps({ store, config, secrets: loadSharedSecrets(config), log: createLogger('silent'), clock: t.clock, random: t.deps.random });
      const http = () => request(createPortalServer(deps));
      const again2 = await http().post(pathOf(done.url)).set('Origin', ORIGIN).type('form').send({ password: done.password });
      expect(again2.status).toBe(303);
      const redownload = await http().post(`${pathOf(done.url)}/download`).set('Origin', ORIGIN).set('Cookie', cookieFrom(again2)).type('form').send({}).buffer(true).parse(binaryBody);
      expect(redownload.status).toBe(200);
      expect(Buffer.compare(redownload.body as Buffer, file.body as Buffer)).toBe(0);
      expect(openP12(redownload.body as Buffer, done.pin).ok).toBe(true);
      const login2 = await http().post(pathOf(waiting.url)).set('Origin', ORIGIN).type('form').send({ password: waiting.password });
      expect(login2.status).toBe(303);
      // A new event gets a fresh id past the copied ones (the sequence moved).
      const events = await store.listEvents(waiting.id);
      expect(events.map((e) => e.kind)).toEqual(['created', 'password-failed', 'password-ok']);
      expect(events[2]!.id).toBeGreaterThan(events[1]!.id);
    } finally {
      await store.close();
    }
  });

  it('a row PostgreSQL refuses stops the copy with nothing written, and the message names no stored value', async () => {
    t = fileApp();
    const p = await issueTestPickup(t.deps, { nameRomaji: 'YAMADA TARO' });
    const sqlite = (t.deps.store as SqliteStore).db.$client;
    // SQLite keeps a NUL in text; PostgreSQL refuses it, so the insert of this chunk fails.
    sqlite.prepare("update pickups set subject_name = 'YAMADA' || char(0) || 'TARO' where id = ?").run(p.id);
    const stored = sqlite.prepare('select password_hash as h, email as e from pickups where id = ?').get(p.id) as { h: string; e: string };
    const jwe = (sqlite.prepare('select jwe from sealed_files where pickup_id = ?').get(p.id) as { jwe: string }).jwe;
    const url = await createDatabase(avail.url!, 'migrate');
    const run = await staff(t, ['migrate-store', '--to', url]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^staff migrate-store: failed: .*invalid byte sequence/);
    for (const value of [stored.h, stored.h.split('$').pop()!, stored.e, jwe.slice(0, 40), p.id]) expect(run.stderr).not.toContain(value);
    // One transaction: nothing was copied, so the run can be repeated once the row is mended.
    expect(Object.values(await rowCounts(url)).every((n) => n === 0)).toBe(true);
    sqlite.prepare("update pickups set subject_name = 'YAMADA TARO' where id = ?").run(p.id);
    const again = await staff(t, ['migrate-store', '--to', url, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((await rowCounts(url)).pickups).toBe(1);
  });

  it('copies one moment of the source: writes landing during the copy neither break the check nor half-arrive', async () => {
    t = fileApp();
    const p = await issueTestPickup(t.deps, { nameRomaji: 'YAMADA TARO' });
    const url = await createDatabase(avail.url!, 'migrate');
    const target = await openPgStore(testConfig({ DATABASE_URL: url }).database!);
    const store = t.deps.store as SqliteStore;
    const before = (await store.listEvents(p.id)).length;
    // Another writer adds timeline rows on every turn of the event loop while the copy runs.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await new Promise((resolve) => setImmediate(resolve));
        await store.addEvent(p.id, t!.clock() + written++, 'password-failed', { client: 'x' });
      }
    })();
    try {
      const { source, target: copied } = await copySqliteToPg(store.db, target);
      writing = false;
      await writer;
      expect(written).toBeGreaterThan(0);
      expect(copied).toEqual(source);
      const events = source.find((r) => r.table === 'events')!.rows;
      expect(events).toBeGreaterThanOrEqual(before);
      expect((await target.listEvents(p.id)).length).toBe(events);
    } finally {
      writing = false;
      await writer;
      await target.close();
    }
  });

  it('refuses without a target, with an unreachable one, and from a PostgreSQL deployment', async () => {
    t = fileApp();
    expect((await staff(t, ['migrate-store'])).stderr).toBe('staff migrate-store: name the target: migrate-store --to postgres://user:password@host/database\n');
    const bad = await staff(t, ['migrate-store', '--to', 'mysql://x/y']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/DATABASE_URL must start with postgres:\/\//);
    const gone = await staff(t, ['migrate-store', '--to', 'postgres://u:secret@127.0.0.1:1/db', '--dry-run']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^staff migrate-store: cannot use the database at DATABASE_URL postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: ECONNREFUSED/);
    expect(gone.stderr).not.toContain('secret');
  });

  it('takes the statement timeout and pool size for the target from the environment', () => {
    expect(targetConfig('postgres://u:p@db.example.jp/uketori', { DATABASE_STATEMENT_TIMEOUT_MS: '120000', DATABASE_POOL_MAX: '3' })).toEqual({
      url: 'postgres://u:p@db.example.jp/uketori',
      poolMax: 3,
      statementTimeoutMs: 120_000,
    });
    expect(targetConfig('postgres://u:p@db.example.jp/uketori', {}).statementTimeoutMs).toBe(5000);
  });
});
