import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openP12, pemBlocks } from '../openssl.js';
import { createDatabase, findPgBin, startCluster, type Cluster } from '../pg/cluster.js';
import { pgAvailable } from '../pg/support.js';
import { STACK_TRACE } from './support.js';

// Two real server processes (`node --import tsx src/server.ts`) and the staff command, all on one
// PostgreSQL this file starts for itself (it stops and starts that server mid-test), each process
// with its own DATA_DIR: everything they share goes through the database.
const root = path.resolve(import.meta.dirname, '../..');
const PUBLIC = 'http://portal.test';
const key = (byte: number) => Buffer.alloc(32, byte).toString('base64url');
const children = new Set<ChildProcess>();
let logs = '';

type Server = { proc: ChildProcess; base: string; exited: Promise<number | null> };
type Issued = { url: string; password: string; pin: string; serial: string; path: string; token: string };

const avail = pgAvailable();
let cluster: Cluster;
let env: Record<string, string>;
let dbUrl: string;
let a: Server;
let b: Server;

function processEnv(): Record<string, string> {
  return { ...env, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-instance-')) };
}

async function startServer(): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env: processEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => (children.delete(proc), resolve(code))));
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      logs += chunk;
      out += chunk;
      const m = /"port":(\d+).*"msg":"uketori listening"/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
    void exited.then((code) => reject(new Error(`server exited (${code}):\n${logs.slice(-2000)}`)));
  });
  return { proc, base, exited };
}

function staff(args: string[]): Array<Record<string, string>> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/staff.ts', ...args], { cwd: root, env: processEnv(), encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, string>);
}

function issue(name: string): Issued {
  const j = staff(['issue', '--name-romaji', name, '--json', '--no-letters'])[0]!;
  return { url: j.url!, password: j.password!, pin: j.pin!, serial: j.serial!, path: new URL(j.url!).pathname, token: j.url!.split('/d/')[1]! };
}

/**
 * A keep-alive connection the server closed as idle just as fetch reused it fails before any byte
 * of an answer (undici's "other side closed"); that one case is sent again on a new connection.
 */
async function post(server: Server, p: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  const send = () => fetch(server.base + p, { method: 'POST', redirect: 'manual', headers: { Origin: PUBLIC, 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body });
  try {
    return await send();
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
    return send();
  }
}

async function login(server: Server, p: Issued): Promise<string> {
  const res = await post(server, p.path, `password=${p.password}`);
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function waitReady(server: Server, ready: boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const status = await fetch(`${server.base}/readyz`).then((r) => r.status, () => 0);
    if ((status === 200) === ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${server.base} never became ${ready ? 'ready' : 'unready'}`);
}

let p1: Issued;
let p1Bytes: Buffer;
const issuedAll: Issued[] = [];

describe.skipIf(avail.skip)('two instances on one PostgreSQL', () => {
  beforeAll(async () => {
    cluster = await startCluster();
    dbUrl = await createDatabase(cluster.url, 'instances');
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      PORT: '0',
      PUBLIC_URL: PUBLIC,
      LOG_LEVEL: 'info',
      TRUST_PROXY: '127.0.0.1',
      DATABASE_URL: dbUrl,
      DATABASE_POOL_MAX: '5',
      SEAL_KEYS: `k1:${key(1)}`,
      PASSWORD_PEPPER: key(2),
      SESSION_KEY: key(3),
      SWEEP_INTERVAL_SECONDS: '10',
    };
    // Started together: both migrate under the advisory lock, one does the work.
    [a, b] = await Promise.all([startServer(), startServer()]);
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    cluster?.remove();
  });

  it('issued by staff on the shared database, logged in on A, downloaded on B', async () => {
    p1 = issue('YAMADA TARO');
    issuedAll.push(p1);
    const landing = await fetch(b.base + p1.path);
    expect(landing.status).toBe(200);
    const cookie = await login(a, p1);
    const res = await post(b, `${p1.path}/download`, '', { Cookie: cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-pkcs12');
    p1Bytes = Buffer.from(await res.arrayBuffer());
    const opened = openP12(p1Bytes, p1.pin);
    expect(opened.ok, opened.stderr).toBe(true);
    expect(pemBlocks(opened.pem, 'PRIVATE KEY')).toHaveLength(1);
    // Negative: the wrong PIN does not open it.
    expect(openP12(p1Bytes, p1.pin === 'ABCDEFGH' ? 'ABCDEFGJ' : 'ABCDEFGH').ok).toBe(false);
    // The window started once, on B, and A sees it.
    const [row] = await query<{ window_started_at: string }>('select window_started_at from pickups where serial = $1', [p1.serial]);
    expect(Number(row!.window_started_at)).toBeGreaterThan(0);
    const again = await post(a, `${p1.path}/download`, '', { Cookie: cookie });
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(p1Bytes)).toBe(true);
  });

  it('racing Download presses over both instances start one window and all get the same bytes', async () => {
    const p = issue('SATO HANAKO');
    issuedAll.push(p);
    const cookie = await login(b, p);
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => post(i % 2 ? a : b, `${p.path}/download`, '', { Cookie: cookie })));
    const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, bytes: Buffer.from(await r.arrayBuffer()) })));
    expect(bodies.map((x) => x.status)).toEqual(Array(16).fill(200));
    for (const x of bodies) expect(x.bytes.equals(bodies[0]!.bytes)).toBe(true);
    const events = await query<{ kind: string }>("select e.kind from events e join pickups p on p.id = e.pickup_id where p.serial = $1 and e.kind = 'window-started'", [p.serial]);
    expect(events).toHaveLength(1);
  });

  it('parallel wrong passwords through both instances: every checked guess counted once, none lost', async () => {
    const p = issue('SUZUKI ICHIRO');
    issuedAll.push(p);
    const wrong = p.password === 'WRNGpw23' ? 'WRNGpw24' : 'WRNGpw23';
    // Each from its own network, so only the shared budget and the hasher queue can stop them.
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(i % 2 ? a : b, p.path, `password=${wrong}`, { 'X-Forwarded-For': `198.51.${i + 1}.7` })),
    );
    const statuses = await Promise.all(responses.map(async (r) => (await r.arrayBuffer(), r.status)));
    expect(statuses.every((s) => s === 401 || s === 503), statuses.join(',')).toBe(true);
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThan(0);
    const [counts] = await query<{ clients: string; networks: string; failed: string; tokens: string }>(
      `select (select sum(failures) from throttle_clients t where t.pickup_id = p.id) as clients,
              (select sum(failures) from throttle_networks t where t.pickup_id = p.id) as networks,
              (select count(*) from events e where e.pickup_id = p.id and e.kind = 'password-failed') as failed,
              (select tokens_milli from throttle_pickups t where t.pickup_id = p.id) as tokens
       from pickups p where p.serial = $1`,
      [p.serial],
    );
    expect(Number(counts!.clients)).toBe(checked);
    expect(Number(counts!.networks)).toBe(checked);
    expect(Number(counts!.failed)).toBe(checked);
    // The shared bucket lost exactly one token per checked guess (refill over a few seconds adds under one).
    const spent = 100 - Number(counts!.tokens) / 1000;
    expect(spent).toBeGreaterThan(checked - 1);
    expect(spent).toBeLessThanOrEqual(checked);
  });

  it('PostgreSQL stopped mid-load: 503 with Retry-After and the error page, /readyz 503, /healthz 200; then recovery with nothing lost', async () => {
    const p = issue('TANAKA JIRO');
    issuedAll.push(p);
    const cookie = await login(a, p);
    let stop = false;
    const seen: number[] = [];
    const load = (async () => {
      while (!stop) {
        for (const server of [a, b]) {
          const res = await fetch(server.base + p.path, { headers: { 'Accept-Language': 'en' } }).catch(() => null);
          if (!res) continue;
          const text = await res.text();
          seen.push(res.status);
          if (res.status === 503) {
            expect(res.headers.get('retry-after')).toBe('5');
            expect(text).toContain('Temporarily unavailable');
            expect(text).not.toMatch(STACK_TRACE);
          } else {
            expect(res.status).toBe(200);
          }
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    cluster.stop();
    await Promise.all([waitReady(a, false), waitReady(b, false)]);
    const down = await post(b, `${p.path}/download`, '', { Cookie: cookie });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(await down.text()).not.toMatch(STACK_TRACE);
    const ready = await fetch(`${a.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, store: 'postgres' });
    const health = await fetch(`${a.base}/healthz`);
    expect(health.status).toBe(200);

    cluster.start();
    await Promise.all([waitReady(a, true), waitReady(b, true)]);
    stop = true;
    await load;
    expect(seen).toContain(503);
    expect(seen.every((s) => s === 200 || s === 503)).toBe(true);
    for (const server of [a, b]) expect((await fetch(server.base + p.path)).status).toBe(200);
    // The same instances, no restart: the pickup's window never half-started while the database was down.
    const [before] = await query<{ window_started_at: string | null }>('select window_started_at from pickups where serial = $1', [p.serial]);
    expect(before!.window_started_at).toBeNull();
    const res = await post(b, `${p.path}/download`, '', { Cookie: cookie });
    expect(res.status).toBe(200);
    expect(openP12(Buffer.from(await res.arrayBuffer()), p.pin).ok).toBe(true);
    // Nothing lost: every pickup is still there, p1 still downloadable within its hour.
    expect(Number((await query<{ n: string }>('select count(*) as n from pickups'))[0]!.n)).toBe(issuedAll.length);
    const p1Cookie = await login(b, p1);
    const again = await post(a, `${p1.path}/download`, '', { Cookie: p1Cookie });
    expect(Buffer.from(await again.arrayBuffer()).equals(p1Bytes)).toBe(true);
    expect(a.proc.exitCode).toBeNull();
    expect(b.proc.exitCode).toBeNull();
  });

  it('a pg_dump of the shared database holds no token, password, PIN or unsealed key', () => {
    const dump = execFileSync(path.join(findPgBin()!, 'pg_dump'), ['--dbname', dbUrl, '--format', 'plain', '--no-owner'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(dump).toContain('COPY public.pickups');
    expect(dump).toContain('COPY public.sealed_files');
    const keyPem = pemBlocks(openP12(p1Bytes, p1.pin).pem, 'PRIVATE KEY')[0]!;
    const keyDer = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const keyLine = keyPem.split('\n')[3]!;
    expect(keyLine).toHaveLength(64);
    for (const p of issuedAll) {
      for (const secret of [p.token, p.token.toLowerCase(), p.password, p.pin]) expect(dump.includes(secret), `${secret} at rest`).toBe(false);
    }
    expect(dump.includes(keyLine)).toBe(false);
    expect(dump.includes(keyDer.subarray(-32).toString('hex'))).toBe(false);
    expect(dump.includes('PRIVATE KEY')).toBe(false);
    // And the logs of every process.
    for (const p of issuedAll) for (const secret of [p.token, p.password, p.pin]) expect(logs).not.toContain(secret);
    expect(logs).not.toContain(key(2));
  });
});
