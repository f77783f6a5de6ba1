import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import argon2 from 'argon2';
import type { Argon2Calls } from '../src/auth/password-hasher.js';
import { createPortalServer } from '../src/http/node-server.js';
import { loadConfig, type Config } from '../src/config.js';
import { openDb, type Db } from '../src/db/open.js';
import { SqliteStore } from '../src/db/sqlite-store.js';
import { assembleDeps, type Deps } from '../src/deps.js';
import { manualClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/log.js';
import { seededRandom } from '../src/lib/random.js';
import { loadSecrets } from '../src/secrets/keyring.js';

export const T0 = Date.UTC(2026, 10, 26, 1, 0, 0);
export const ORIGIN = 'http://portal.test';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64url');
export const TEST_SECRETS = { seal: key(1), pepper: key(2), session: key(3) };

// The development CA is slow to make (RSA keys); one per test worker, in its own folder.
let sharedDataDir: string | null = null;
export function workerDataDir(): string {
  sharedDataDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-test-'));
  return sharedDataDir;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    PUBLIC_URL: ORIGIN,
    DATA_DIR: workerDataDir(),
    SEAL_KEYS: `test1:${TEST_SECRETS.seal}`,
    PASSWORD_PEPPER: TEST_SECRETS.pepper,
    SESSION_KEY: TEST_SECRETS.session,
    LOG_LEVEL: 'info',
    ...overrides,
  });
}

export type TestApp = {
  deps: Deps;
  /** The SQLite database under deps.store, for tests that look at rows directly. */
  db: Db;
  clock: ReturnType<typeof manualClock>;
  logs: string[];
  http: () => ReturnType<typeof request>;
  close: () => void;
};

/** A fresh app: in-memory database with the real migrations, fixed clock, seeded randomness. */
export function makeTestApp(
  options: { now?: number; seed?: number; config?: Config; dbFile?: string; hasherConcurrency?: number; queueLimit?: number; argon2?: Argon2Calls } = {},
): TestApp {
  const clock = manualClock(options.now ?? T0);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = options.config ?? testConfig();
  const random = seededRandom(options.seed ?? 42);
  // The test configurations carry all three secrets, so nothing is read from or written to disk.
  const store = new SqliteStore(openDb(options.dbFile ?? ':memory:'));
  const deps = assembleDeps({
    store,
    config,
    secrets: loadSecrets(config, clock(), random),
    log: createLogger('info', sink),
    clock,
    random,
    hasher: { concurrency: options.hasherConcurrency, queueLimit: options.queueLimit, argon2: options.argon2 },
  });
  // The production server around the app: its security headers and Host check are part of every answer.
  const server = createPortalServer(deps);
  return {
    deps,
    db: store.db,
    clock,
    logs,
    http: () => request(server),
    close: () => {
      server.close();
      store.db.$client.close();
    },
  };
}

/** Path part of a pickup URL, for supertest. */
export function pathOf(url: string): string {
  return new URL(url).pathname;
}

export function cookieFrom(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : [];
  const session = list.find((c) => c.includes('uketori_session='));
  if (!session) throw new Error('no session cookie was set');
  return session.split(';')[0]!;
}

export function tmpFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-file-'));
  return path.join(dir, name);
}

/** A form POST as a browser on the portal's own origin sends it. */
export function postForm(t: TestApp, path: string, body: Record<string, string>, cookie?: string) {
  const req = t.http().post(path).set('Origin', ORIGIN).type('form').send(body);
  return cookie ? req.set('Cookie', cookie) : req;
}

/** supertest parser that keeps a binary body (the PKCS#12) as a Buffer. */
export function binaryBody(res: request.Response, done: (err: Error | null, body: unknown) => void): void {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A romaji name part of its own for row i (0-based): A…Z, then AA, AB…, for batches of any length. */
export function rowName(i: number): string {
  return i < 26 ? LETTERS[i]! : LETTERS[Math.floor(i / 26) - 1]! + LETTERS[i % 26]!;
}

/**
 * The real argon2 behind a gate: every verify is counted when it starts and then waits until the
 * test opens the gate, so a check can be held in flight while others queue behind it.
 */
export function gatedArgon2(): { calls: Argon2Calls; verifies: () => number; open: () => void } {
  let verifies = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const calls: Argon2Calls = {
    hash: argon2.hash,
    verify: async (...args: Parameters<typeof argon2.verify>) => {
      verifies++;
      await gate;
      return argon2.verify(...args);
    },
  };
  return { calls, verifies: () => verifies, open };
}
