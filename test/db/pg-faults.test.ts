import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore, type PgStore } from '../../src/db/pg/pg-store.js';
import { StoreUnavailableError, type NewPickupRow } from '../../src/db/store.js';
import { DAY, HOUR } from '../../src/lib/clock.js';
import { createDatabase } from '../pg/cluster.js';
import { pgAvailable } from '../pg/support.js';

const T0 = Date.UTC(2026, 10, 26, 1, 0, 0);
const avail = pgAvailable();

/**
 * The error a promise settles with (undefined if it resolves), with a handler attached at once:
 * the killed connection's failure can arrive while the test is still awaiting the kill itself,
 * and a rejection with no handler yet is reported by vitest as unhandled.
 */
function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

function row(n: number): NewPickupRow {
  return {
    id: `pk_fault${n}`,
    tokenHash: `fault-hash-${n}`,
    passwordHash: 'stand-in',
    serial: `FA${n}`,
    certType: 'basic',
    subjectName: 'YAMADA TARO',
    subjectNameJa: null,
    fingerprint: `fp${n}`,
    certNotBefore: T0,
    certNotAfter: T0 + 365 * DAY,
    certPem: 'stand-in',
    issuerName: 'CN=Test CA',
    p12Profile: 'compat',
    email: null,
    applicationCode: null,
    mailing: null,
    issuedAt: T0,
    expiresAt: T0 + 30 * DAY,
    createdAt: T0,
  };
}

describe.skipIf(avail.skip)('PostgreSQL faults', () => {
  let url: string;
  let store: PgStore;
  let admin: pg.Client;
  beforeAll(async () => {
    url = await createDatabase(avail.url!, 'faults');
    store = await openPgStore({ url, poolMax: 4, statementTimeoutMs: 5000 });
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await store?.close();
  });

  /** Waits until one of the store's connections is blocked on a lock, and returns its backend pid. */
  async function blockedBackend(): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await admin.query("select pid from pg_stat_activity where application_name = 'uketori' and wait_event_type = 'Lock'");
      if (rows[0]) return rows[0].pid as number;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no store connection ever waited on the lock');
  }

  it('a connection killed between the window UPDATE and its event leaves no half-started window, and the store recovers', async () => {
    const r = row(1);
    await store.insertPickup(r, { kid: 'k1', jwe: 'sealed' }, { serial: r.serial, certType: 'basic', p12Profile: 'compat' });
    // Another session holds the events table: startWindow's UPDATE succeeds, its INSERT of the event waits.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table events in exclusive mode');
    const now = T0 + DAY;
    const attempt = failure(store.startWindow(r.id, now, now + HOUR, 'c1'));
    const pid = await blockedBackend();
    const { query } = ((await admin.query('select query from pg_stat_activity where pid = $1', [pid])).rows as Array<{ query: string }>)[0]!;
    expect(query).toMatch(/insert into "events"/i);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    expect(await attempt).toBeInstanceOf(StoreUnavailableError);
    await blocker.query('rollback');
    await blocker.end();

    const after = await store.findPickupById(r.id);
    expect(after!.windowStartedAt).toBeNull();
    expect(after!.windowEndsAt).toBeNull();
    expect((await store.listEvents(r.id)).map((e) => e.kind)).toEqual(['created']);
    // The pool dropped the dead connection: the next press starts the window, once.
    expect((await store.startWindow(r.id, now + 1, now + 1 + HOUR, 'c2'))?.windowStartedAt).toBe(now + 1);
    expect((await store.listEvents(r.id)).map((e) => e.kind)).toEqual(['created', 'window-started']);
  });

  it('a throttle admission killed mid-transaction spends no guess', async () => {
    const r = row(2);
    await store.insertPickup(r, { kid: 'k1', jwe: 'sealed' }, { serial: r.serial, certType: 'basic', p12Profile: 'compat' });
    const who = { client: 'c', network: 'n' };
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table throttle_networks in exclusive mode');
    const attempt = failure(store.admitAttempt(r.id, who, T0 + DAY));
    const pid = await blockedBackend();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    expect(await attempt).toBeInstanceOf(StoreUnavailableError);
    await blocker.query('rollback');
    await blocker.end();
    const { rows } = await admin.query('select (select count(*) from throttle_pickups where pickup_id = $1) as buckets, (select count(*) from throttle_clients where pickup_id = $1) as clients', [r.id]);
    expect(rows[0]).toEqual({ buckets: '0', clients: '0' });
    expect((await store.admitAttempt(r.id, who, T0 + DAY)).allowed).toBe(true);
  });

  it('a statement stuck behind a lock past the statement timeout is a 503-class failure, not a hang', async () => {
    const quick = await openPgStore({ url, poolMax: 2, statementTimeoutMs: 300 });
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table pickups in access exclusive mode');
      await expect(quick.findPickupById('pk_fault1')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
      await quick.close();
    }
  });

  it('connections the server killed: the pool drops them and reconnects without a restart', async () => {
    const other = await openPgStore({ url, poolMax: 2, statementTimeoutMs: 5000 });
    await Promise.all([other.ping(), other.ping()]);
    await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'uketori' and pid <> pg_backend_pid()");
    // The pool hears each idle connection end and drops it; the next call opens a fresh one.
    for (let i = 0; i < 100 && other.poolStats().total > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(other.poolStats()).toMatchObject({ total: 0, inUse: 0, waiting: 0 });
    await expect(other.ping()).resolves.toBeUndefined();
    await other.close();
    // The store under test lost its connections too, and still answers.
    await store.ping().catch(() => undefined);
    expect((await store.findPickupById('pk_fault1'))?.serial).toBe('FA1');
  });
});
