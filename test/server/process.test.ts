import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openP12, pemBlocks } from '../openssl.js';
import { parseResponse, rawConnection } from './support.js';

// The real thing: `node --import tsx src/server.ts` and `scripts/staff.ts` as separate processes
// on one DATA_DIR, stdout parsed as the pino JSON log it must be.
const root = path.resolve(import.meta.dirname, '../..');
const PUBLIC = 'http://portal.test';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-process-'));
const dbPath = path.join(dataDir, 'uketori.db');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), DATA_DIR: dataDir, PORT: '0', PUBLIC_URL: PUBLIC, LOG_LEVEL: 'info' };
const children = new Set<ChildProcess>();
/** Everything any server or staff process wrote to stdout or stderr, except staff's deliberate `issue` output. */
let capturedLogs = '';

type LogLine = { msg?: string; level?: number; port?: number; [k: string]: unknown };

type Server = {
  proc: ChildProcess;
  base: string;
  lines: LogLine[];
  waitFor(msg: string): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

// 'close', not 'exit': it fires once the child's stdout is read to the end, so the last log line is in.
function track(proc: ChildProcess) {
  children.add(proc);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  return exited;
}

async function startServer(): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(proc);
  const lines: LogLine[] = [];
  const waiters: Array<{ msg: string; resolve: (l: LogLine) => void }> = [];
  let pending = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    capturedLogs += chunk;
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const w of waiters.filter((w) => line.msg?.startsWith(w.msg))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (capturedLogs += chunk));
  const waitFor = (msg: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find((l) => l.msg?.startsWith(msg));
      if (seen) return resolve(seen);
      waiters.push({ msg, resolve });
      void exited.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before logging "${msg}":\n${capturedLogs.slice(-2000)}`)));
    });
  const listening = await waitFor('uketori listening');
  return { proc, base: `http://127.0.0.1:${listening.port}`, lines, waitFor, exited };
}

async function staff(args: string[]): Promise<Array<Record<string, string>>> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/staff.ts', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const { code } = await exited;
  capturedLogs += stderr;
  expect(code, stderr).toBe(0);
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, string>);
}

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

type Issued = { url: string; password: string; pin: string; serial: string; path: string; token: string };

function post(server: Server, p: string, body: string, headers: Record<string, string> = {}) {
  return fetch(server.base + p, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: PUBLIC, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

function readDb<T>(query: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

type PickupState = { id: string; serial: string; window_started_at: number | null; first_download_at: number | null; key_destroyed_at: number | null; sealed: number };
const pickupStates = (db: Database.Database) =>
  db
    .prepare('select p.id, p.serial, p.window_started_at, p.first_download_at, p.key_destroyed_at, (select count(*) from sealed_files s where s.pickup_id = p.id) as sealed from pickups p order by p.serial')
    .all() as PickupState[];
const throttleOf = (db: Database.Database, serial: string) =>
  db.prepare('select t.client_key, t.failures, t.last_failure_at from throttle_clients t join pickups p on p.id = t.pickup_id where p.serial = ? order by t.client_key').all(serial);

let server: Server;
let p1: Issued; // downloaded before the crash: its window is open
let p2: Issued; // eleven wrong passwords before the crash: its client is throttled
let p3: Issued; // password attempts in flight when the server is killed
let p1Bytes: Buffer;
let p1Cookie: string;
let crashSnapshot: Buffer;

const WRONG = (p: Issued) => (p.password === 'WRNGpw23' ? 'WRNGpw24' : 'WRNGpw23');

describe('the server as a process', () => {
  it('staff issue runs beside a running server on the same DATA_DIR', async () => {
    server = await startServer();
    const issued = await Promise.all(
      ['YAMADA TARO', 'SATO HANAKO', 'SUZUKI ICHIRO'].map(async (name) => (await staff(['issue', '--name-romaji', name, '--json', '--no-letters']))[0]!),
    );
    const [a, b, c] = issued.map((j): Issued => ({ url: j.url!, password: j.password!, pin: j.pin!, serial: j.serial!, path: new URL(j.url!).pathname, token: j.url!.split('/d/')[1]! }));
    [p1, p2, p3] = [a!, b!, c!];
    expect(new Set(issued.map((i) => i.serial)).size).toBe(3);

    const login = await post(server, p1.path, `password=${p1.password}`);
    expect(login.status).toBe(303);
    p1Cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const file = await post(server, `${p1.path}/download`, '', { Cookie: p1Cookie });
    expect(file.status).toBe(200);
    p1Bytes = Buffer.from(await file.arrayBuffer());
    expect(openP12(p1Bytes, p1.pin).ok).toBe(true);

    for (let i = 0; i < 11; i++) expect((await post(server, p2.path, `password=${WRONG(p2)}`)).status).toBe(401);
    expect((await post(server, p2.path, `password=${p2.password}`)).status).toBe(429);

    // The server's own scrape from loopback: its counters, the start-up sweep, the process figures.
    const scrape = await fetch(`${server.base}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    for (const line of ['uketori_downloads_total 1', 'uketori_password_checks_total{outcome="wrong"} 11', 'uketori_password_checks_total{outcome="throttled"} 1', 'uketori_sweep_runs_total 1']) {
      expect(text.split('\n'), line).toContain(line);
    }
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).not.toContain(p1.token);
  });

  it('SIGKILL in the middle of downloads and password attempts loses nothing', async () => {
    const before = readDb((db) => ({ pickups: pickupStates(db), p2Throttle: throttleOf(db, p2.serial) }));
    expect(before.pickups.find((p) => p.serial === p1.serial)!.window_started_at).not.toBeNull();

    const settle = (r: Promise<Response>) => r.then(async (res) => (await res.arrayBuffer(), res.status), () => 'cut' as const);
    const downloads = Array.from({ length: 20 }, () => settle(post(server, `${p1.path}/download`, '', { Cookie: p1Cookie })));
    const guesses = Array.from({ length: 10 }, () => settle(post(server, p3.path, `password=${WRONG(p3)}`)));
    await Promise.race(guesses);
    server.proc.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
    const outcomes = await Promise.all([...downloads, ...guesses]);
    expect(outcomes).toContain('cut');
    for (const o of outcomes) if (o !== 'cut') expect([200, 401]).toContain(o);
    const wal = fs.existsSync(dbPath + '-wal') ? fs.readFileSync(dbPath + '-wal') : Buffer.alloc(0);
    crashSnapshot = Buffer.concat([fs.readFileSync(dbPath), wal]);

    server = await startServer();
    const after = readDb((db) => ({
      integrity: db.pragma('integrity_check', { simple: true }),
      pickups: pickupStates(db),
      p2Throttle: throttleOf(db, p2.serial),
      p3Failures: (throttleOf(db, p3.serial) as Array<{ failures: number }>)[0]?.failures ?? 0,
    }));
    expect(after.integrity).toBe('ok');
    expect(after.pickups).toEqual(before.pickups);
    expect(after.p2Throttle).toEqual(before.p2Throttle);
    expect(after.p3Failures).toBeLessThanOrEqual(10);

    // Throttle state survived: the right password still waits.
    const throttled = await post(server, p2.path, `password=${p2.password}`);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Window state and the session key survived: the open window still downloads, same bytes.
    const ready = await fetch(server.base + p1.path, { headers: { Cookie: p1Cookie } });
    expect(await ready.text()).toContain(p1.serial);
    const again = await post(server, `${p1.path}/download`, '', { Cookie: p1Cookie });
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(p1Bytes)).toBe(true);
    // The pickup whose guesses were cut is intact and opens with its password.
    expect((await post(server, p3.path, `password=${p3.password}`)).status).toBe(303);
  });

  it('SIGTERM during a download lets it complete, refuses new connections, closes the database', async () => {
    const port = new URL(server.base).port;
    const conn = rawConnection(Number(port));
    await conn.connected;
    // One write: a request that completes, and the start of the download request behind it.
    // When the first answer is back, the server has begun reading the second.
    const firstAnswer = new Promise<void>((resolve) => {
      let seen = '';
      conn.socket.on('data', (c: Buffer) => {
        seen += c.toString('latin1');
        if (seen.includes('{"ok":true}')) resolve();
      });
    });
    await conn.write(`GET /healthz HTTP/1.1\r\nHost: portal.test\r\n\r\nPOST ${p1.path}/download HTTP/1.1\r\nHost: portal.test\r\n`);
    await firstAnswer;

    server.proc.kill('SIGTERM');
    await server.waitFor('shutting down');
    await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();

    await conn.write(`Origin: ${PUBLIC}\r\nCookie: ${p1Cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n`);
    const raw = (await conn.response()).raw;
    const download = parseResponse(raw.subarray(raw.indexOf('HTTP/1.1', 10)));
    expect(download.status).toBe(200);
    expect(download.headers['connection']).toBe('close');
    expect(download.body.equals(p1Bytes)).toBe(true);

    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.lines.at(-1)!.msg).toBe('database closed, shutdown complete');
    // A clean close checkpoints the WAL into the database and removes it.
    expect(fs.existsSync(dbPath + '-wal')).toBe(false);
  });

  it('leaves no token, password, PIN or unsealed key in the database, the WAL or the logs', () => {
    const keyPem = pemBlocks(openP12(p1Bytes, p1.pin).pem, 'PRIVATE KEY')[0]!;
    const keyDer = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const atRest = Buffer.concat([crashSnapshot, fs.readFileSync(dbPath)]);
    const logs = Buffer.from(capturedLogs);
    expect(capturedLogs).toContain('"msg":"request"');
    for (const p of [p1, p2, p3]) {
      for (const secret of [p.token, p.token.toLowerCase(), p.password, p.pin]) {
        expect(atRest.includes(Buffer.from(secret)), `${secret} at rest`).toBe(false);
        expect(logs.includes(Buffer.from(secret)), `${secret} in logs`).toBe(false);
      }
    }
    for (const haystack of [atRest, logs]) {
      expect(haystack.includes(keyDer.subarray(keyDer.length - 64))).toBe(false);
      expect(haystack.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    }
    for (const name of fs.readdirSync(path.join(dataDir, 'ca'))) {
      expect(fs.readFileSync(path.join(dataDir, 'ca', name), 'utf8'), name).not.toContain('PRIVATE KEY');
    }
  });
});
