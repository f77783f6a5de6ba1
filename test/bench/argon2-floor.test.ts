import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConcurrency } from '../../src/auth/password-hasher.js';
import { firstHealthz, freePort } from '../ports.js';

// The bench's floor for a wrong guess must really check the password, or phase 3's comparison
// with it would measure nothing; and its 401 page must be the size it was asked for.
const script = fileURLToPath(new URL('../../bench/argon2-floor-server.mjs', import.meta.url));
let child: ChildProcess;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  // A pool of two threads leaves room for one check at a time, as the portal's hasher would.
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', FLOOR_BYTES: '4321', UV_THREADPOOL_SIZE: '2' };
  child = spawn(process.execPath, [script], { env, stdio: 'ignore' });
  origin = `http://127.0.0.1:${port}`;
  expect(await firstHealthz(port, child)).toBe(200);
});

afterAll(() => {
  child.kill();
});

const post = (password: string) =>
  fetch(`${origin}/d/any-token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ password }) });

describe('bench/argon2-floor-server.mjs', () => {
  it('answers a wrong password 401 with a page of FLOOR_BYTES bytes', async () => {
    const res = await post('Wrong2pw');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await res.arrayBuffer()).byteLength).toBe(4321);
  });

  it('answers 200 to its own password, so every answer came from a real check', async () => {
    const res = await post('Bench2pw');
    expect(res.status).toBe(200);
  });

  it("checks no more passwords at once than the portal's hasher would", async () => {
    const health = (await (await fetch(`${origin}/healthz`)).json()) as { limit: number };
    expect(health.limit).toBe(defaultConcurrency(os.availableParallelism(), 2));
  });

  it('reads the password as the portal does: the last of repeated fields', async () => {
    const body = 'password=Wrong2pw&password=Bench2pw';
    const res = await fetch(`${origin}/d/any-token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(res.status).toBe(200);
  });

  it('tells passwords apart by case', async () => {
    expect((await post('bench2pw')).status).toBe(401);
  });
});
