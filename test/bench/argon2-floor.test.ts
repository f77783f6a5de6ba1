import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PARAMS, defaultConcurrency } from '../../src/auth/password-hasher.js';
import { floorEnv } from '../../bench/phases/floor.js';
import { appThreadPool } from '../../bench/server.js';
import { firstHealthz, freePort } from '../ports.js';

// The bench's floor for a wrong guess must really check the password, or phase 3's comparison
// with it would measure nothing; and its 401 page must be the size it was asked for.
const script = fileURLToPath(new URL('../../bench/argon2-floor-server.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  // Told what the bench tells it (the page's length, argon2's parameters), with a limit of one
  // check at once, so that two running together would show.
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...floorEnv(4321, 2), FLOOR_CONCURRENCY: '1' };
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

  it("runs no more checks at once than it is told, with the hasher's argon2 parameters", async () => {
    // Four guesses at once: a floor that ignored its limit of one would run two or more together.
    const answers = await Promise.all(['Wrong1pw', 'Wrong2pw', 'Wrong3pw', 'Wrong4pw'].map(post));
    expect(answers.map((res) => res.status)).toEqual([401, 401, 401, 401]);
    const health = (await (await fetch(`${origin}/healthz`)).json()) as { limit: number; peak: number; hashParams: string };
    expect(health).toMatchObject({ limit: 1, peak: 1 });
    // The portal's own hash of anything starts with the same algorithm, version and costs.
    const portalHash = await argon2.hash('anything', { ...ARGON2_PARAMS, secret: Buffer.alloc(32, 1) });
    expect(health.hashParams).toBe(portalHash.split('$').slice(0, 4).join('$'));
    expect(health.hashParams).toMatch(/^\$argon2id\$v=19\$m=\d+,/);
  });

  it("is told the checks at once the pool of the portal's npm start gives its hasher, not the bench's pool", async () => {
    const cores = os.availableParallelism();
    expect(floorEnv(1, 1).FLOOR_CONCURRENCY).toBe('2');
    expect(floorEnv(1, 8).FLOOR_CONCURRENCY).toBe(String(defaultConcurrency(cores, 8)));
    // This checkout's npm start sizes its pool with scripts/thread-pool.cjs: one thread per core, 2 to 4.
    expect(await appThreadPool(repoRoot)).toBe(Math.min(Math.max(cores, 2), 4));
    const dir = mkdtempSync(join(os.tmpdir(), 'uketori-floor-app-'));
    try {
      const startWith = (start: string) => writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start } }));
      startWith('UV_THREADPOOL_SIZE=3 node scripts/start.mjs server');
      expect(await appThreadPool(dir)).toBe(3);
      // A checkout from before the preload: libuv's own pool of 4.
      startWith('node --max-old-space-size=64 scripts/start.mjs server');
      expect(await appThreadPool(dir)).toBe(4);
      // A preload of its own that sets another size: asked of node, not assumed.
      mkdirSync(join(dir, 'scripts'));
      writeFileSync(join(dir, 'scripts', 'pool.cjs'), "process.env.UV_THREADPOOL_SIZE = '7';\n");
      startWith('node --require=./scripts/pool.cjs scripts/start.mjs server');
      expect(await appThreadPool(dir)).toBe(7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['FLOOR_ARGON2 missing', { FLOOR_ARGON2: undefined }, 'FLOOR_ARGON2 is not set'],
    ["FLOOR_ARGON2 without argon2's costs", { FLOOR_ARGON2: '{}' }, 'FLOOR_ARGON2 has no type'],
    ['FLOOR_CONCURRENCY 0', { FLOOR_CONCURRENCY: '0' }, 'FLOOR_CONCURRENCY must be a whole number above 0'],
    ['FLOOR_BYTES not a number', { FLOOR_BYTES: 'many' }, 'FLOOR_BYTES must be a whole number above 0'],
  ])('refuses to start with %s', (_, change, message) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '1', ...floorEnv(4321, 2), ...change };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
    const run = spawnSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(message);
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
