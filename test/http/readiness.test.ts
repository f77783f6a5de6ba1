import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueTestPickup } from '../factories.js';
import { makeTestApp, pathOf, postForm, testConfig } from '../helpers.js';
import { STACK_TRACE } from '../server/support.js';

describe('liveness and readiness on SQLite', () => {
  it('/readyz answers 200 while the database answers, 503 with Retry-After when it does not; /healthz stays 200', async () => {
    const t = makeTestApp();
    const ready = await t.http().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ready: true, store: 'sqlite' });
    expect(ready.headers['retry-after']).toBeUndefined();

    t.db.$client.close();
    const unready = await t.http().get('/readyz');
    expect(unready.status).toBe(503);
    expect(unready.headers['retry-after']).toBe('5');
    expect(unready.body).toEqual({ ready: false, store: 'sqlite' });
    const live = await t.http().get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ ok: true });
    expect(t.logs.join('')).toContain('"route":"/readyz"');
  });
});

describe('a SQLite database held by another writer', () => {
  it('answers 503 with Retry-After and the unavailable page, never a 500; the same press works once the writer is done', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-busy-'));
    const file = path.join(dataDir, 'uketori.db');
    const t = makeTestApp({ config: testConfig({ DATA_DIR: dataDir }), dbFile: file });
    try {
      const p = await issueTestPickup(t.deps, { nameRomaji: 'YAMADA TARO' });
      // Give up at once instead of after the 5 s busy timeout: the outcome is the same.
      t.db.$client.pragma('busy_timeout = 0');
      const other = new Database(file);
      other.exec('begin immediate');
      const refused = await postForm(t, pathOf(p.url), { password: p.password }).set('Accept-Language', 'en');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.text).toContain('Temporarily unavailable');
      expect(refused.text).not.toMatch(STACK_TRACE);
      expect(t.logs.join('')).toContain('"msg":"store unavailable"');
      expect(t.logs.join('')).not.toContain('unhandled error');
      other.exec('rollback');
      other.close();
      const accepted = await postForm(t, pathOf(p.url), { password: p.password });
      expect(accepted.status).toBe(303);
    } finally {
      t.close();
    }
  });
});
