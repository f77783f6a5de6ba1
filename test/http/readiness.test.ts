import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../helpers.js';

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
