import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/lib/project-root.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The committed migrations that come before the one whose tag ends with `suffix`, as a folder drizzle's migrator reads. */
function migrationsBefore(suffix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-migrations-'));
  const journal = JSON.parse(fs.readFileSync(fromRoot('drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
  const index = journal.entries.findIndex((e) => e.tag.endsWith(suffix));
  expect(index).toBeGreaterThan(0);
  const keep = journal.entries.slice(0, index);
  fs.mkdirSync(path.join(dir, 'meta'));
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: keep }));
  for (const e of keep) fs.copyFileSync(fromRoot('drizzle', `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

function insertPickup(sqlite: Database.Database, id: string, expiresAt: number, windowStartedAt: number | null): void {
  sqlite
    .prepare(
      `insert into pickups (id, token_hash, password_hash, serial, cert_type, subject_name, fingerprint, cert_not_before, cert_not_after,
        cert_pem, issuer_name, p12_profile, issued_at, expires_at, window_started_at, created_at)
       values (?, ?, 'h', ?, 'basic', 'YAMADA TARO', 'f', ?, ?, 'pem', 'CN=CA', 'compat', ?, ?, ?, ?)`,
    )
    .run(id, `hash-${id}`, `serial-${id}`, T0, T0 + 365 * DAY, T0, expiresAt, windowStartedAt, T0);
}

describe('the window_ends_at migration: the window end becomes a stored column', () => {
  it('fills window_ends_at for windows started before it, capped at the deadline, and leaves pending pickups empty', () => {
    const sqlite = new Database(':memory:');
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsBefore('_window_ends_at') });
    insertPickup(sqlite, 'pending', T0 + 30 * DAY, null);
    insertPickup(sqlite, 'early', T0 + 30 * DAY, T0 + DAY);
    insertPickup(sqlite, 'late', T0 + 30 * DAY, T0 + 30 * DAY - 10 * 60_000);

    migrate(db, { migrationsFolder: fromRoot('drizzle') });
    const ends = Object.fromEntries(
      (sqlite.prepare('select id, window_ends_at as ends from pickups').all() as Array<{ id: string; ends: number | null }>).map((r) => [r.id, r.ends]),
    );
    expect(ends).toEqual({ pending: null, early: T0 + DAY + HOUR, late: T0 + 30 * DAY });
    sqlite.close();
  });
});
