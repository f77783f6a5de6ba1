import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/open.js';
import { SqliteStore } from '../src/db/sqlite-store.js';
import { assembleDeps } from '../src/deps.js';
import { manualClock } from '../src/lib/clock.js';
import { seededRandom } from '../src/lib/random.js';
import { createLogger } from '../src/lib/log.js';
import { CODE_ALPHABET } from '../src/pickup/secret-code.js';
import { validateSubscriber } from '../src/pki/profiles.js';
import { loadSecrets } from '../src/secrets/keyring.js';
import { createPortalServer } from '../src/http/node-server.js';
import type { IssuedPickup } from '../src/services/create-pickup.js';
import { issueNewPickup } from '../src/services/issue-new.js';
import { openIssuingCa } from '../src/services/ca-issuer.js';
import { downloadP12 } from '../src/services/portal.js';
import { issueSession, sessionCookieName } from '../src/auth/session.js';
import { isEntryPoint } from '../src/lib/entry-point.js';

/** A stack frame, an error class name, a source path: none may reach a client. */
export const STACK_TRACE = /\bat [\w.<>]+ \(|\bat (file|node):|\.[cm]?[jt]sx?:\d+:\d+|\b\w*Error:|node_modules/;

const ORIGIN = 'http://portal.test';
const NOW = Date.UTC(2026, 10, 26, 1, 0, 0);

export type FuzzRequest = { method: string; path: string; headers: Record<string, string>; body: Buffer | null };
type Outcome =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders; body: Buffer }
  | { kind: 'no-response'; error: string };

/** What a client can put on the wire: a string's UTF-8 bytes, read back one byte per character. */
const wire = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const headerSafe = (s: string) => wire(s).replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');
const percent = (c: string) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0');
/** Percent-encoded where a browser would; Node's parser refuses the rest with a 400 of its own. */
const pathSafe = (s: string) => wire(s).replace(/[\x00-\x20\x7f-\xff#]/g, percent);
const pathRaw = (s: string) => wire(s).replace(/[\x00-\x20\x7f#]/g, percent);

type World = { tokens: string[]; passwords: string[]; cookies: string[] };

function requestArbitrary(w: World): fc.Arbitrary<FuzzRequest> {
  const junk = fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 500, maxLength: 12_000 }) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%zz', '%00', '%0d%0a', '..', '../..', '\u0000', '\uFEFF', '𠮷', 'ｄ', 'null', '[]', '{}') },
  );
  const tokenLike = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...w.tokens) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...w.tokens), fc.nat(26), fc.constantFrom('0', 'Z', 'I', 'O', ' ', '-', '％', 'ａ', '')).map(([t, i, ch]) => t.slice(0, i) + ch + t.slice(i + 1)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...w.tokens), junk).map(([t, tail]) => t.toLowerCase() + tail) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...w.tokens), fc.nat(27)).map(([t, n]) => t.slice(0, n)) },
    { weight: 2, arbitrary: junk },
  );
  const pathArb = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(tokenLike, fc.constantFrom('', '', '/download', '/download/', '/x', '/')).map(([t, s]) => `/d/${encodeURIComponent(t)}${s}`) },
    { weight: 2, arbitrary: fc.tuple(tokenLike, fc.constantFrom('', '/download')).map(([t, s]) => `/d/${pathSafe(t)}${s}`) },
    { weight: 2, arbitrary: fc.constantFrom('/', '/healthz', '/static/app.css', '/static/app.js', '/static/%2e%2e%2fapp.js', '/static/', '/favicon.ico', '/d/', '/d', '//d/x', '/D/x', '/d/x/y/z', '/%2e%2e/%2e%2e/etc/passwd', '/d\\x', '/robots.txt') },
    { weight: 1, arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : '/' + p)) },
    { weight: 1, arbitrary: junk.map((s) => '/' + pathSafe(s)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('/d/', '/', '/static/'), junk).map(([p, s]) => p + pathRaw(s)) },
  );
  const query = fc.option(
    fc.oneof(fc.constantFrom('?lang=en', '?lang=ja', '?lang=', '?lang=xx&lang=en', '?password=x'), junk.map((s) => '?lang=' + pathSafe(s)), junk.map((s) => '?' + pathSafe(s))),
    { nil: '' },
  );
  const password = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...w.passwords) },
    { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...CODE_ALPHABET), minLength: 8, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...w.passwords), fc.constantFrom(' ', '\u3000', '\n', '')).map(([p, pad]) => pad + p.toUpperCase() + pad) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 1, arbitrary: junk },
  );
  const body = fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 5, arbitrary: password.map((p) => Buffer.from(`password=${encodeURIComponent(p)}`)) },
    { weight: 1, arbitrary: fc.tuple(password, junk).map(([p, extra]) => Buffer.from(`password=${encodeURIComponent(p)}&password=${encodeURIComponent(extra)}&${encodeURIComponent(extra)}=1`)) },
    { weight: 1, arbitrary: password.map((p) => Buffer.from(`--xyz\r\nContent-Disposition: form-data; name="password"\r\n\r\n${p}\r\n--xyz--\r\n`)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 8_000, maxLength: 12_000 }).map((b) => Buffer.from(b)) },
  );
  /** Present `percent` of the time. */
  const sometimes = <T>(percent: number, arb: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary: arb });
  const headers = fc.record({
    origin: sometimes(80, fc.oneof({ weight: 6, arbitrary: fc.constant(ORIGIN) }, { weight: 1, arbitrary: fc.constantFrom('null', 'https://evil.example', 'http://portal.test:80', 'HTTP://PORTAL.TEST') }, { weight: 1, arbitrary: junk })),
    cookie: sometimes(
      40,
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...w.cookies) },
        { weight: 2, arbitrary: junk.map((s) => `${sessionCookieName(false)}=${s}`) },
        { weight: 1, arbitrary: junk.map((s) => `uketori_lang=${s}`) },
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...w.cookies), junk).map(([c, s]) => `${c}; ${s}`) },
        { weight: 1, arbitrary: fc.string({ minLength: 16_000, maxLength: 20_000 }) },
      ),
    ),
    'content-type': sometimes(
      80,
      fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/x-www-form-urlencoded') },
        { weight: 2, arbitrary: fc.constantFrom('multipart/form-data; boundary=xyz', 'multipart/form-data', 'application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=shift_jis') },
        { weight: 1, arbitrary: junk },
      ),
    ),
    'accept-language': sometimes(20, fc.oneof(fc.constantFrom('en', 'ja', 'en-US,en;q=0.9', '*', 'ja;q=x'), junk)),
    'x-forwarded-for': sometimes(10, fc.oneof(fc.constantFrom('203.0.113.9', '::1', '1.2.3.4, 5.6.7.8'), junk)),
    'user-agent': sometimes(20, junk),
    host: sometimes(8, fc.oneof(fc.constantFrom('portal.test', 'evil.example', 'localhost:3000', '[::1]', 'a b', ''), junk)),
    referer: sometimes(5, junk),
  });
  const method = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,10}$/).filter((m) => m !== 'CONNECT') },
  );
  // A well-formed password post, so that wrong guesses pile up into throttling as they would in an attack.
  const guess = fc.record({
    method: fc.constant('POST'),
    path: fc.constantFrom(...w.tokens.slice(0, 2)).map((t) => `/d/${t}`),
    headers: fc.constant({ origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }),
    body: password.map((p) => Buffer.from(`password=${encodeURIComponent(p)}`)),
  });
  const anything = fc.record({ method, path: fc.tuple(pathArb, query).map(([p, q]) => p + q), headers, body });
  return fc.oneof({ weight: 19, arbitrary: anything }, { weight: 1, arbitrary: guess }).map((r) => {
    const headers = Object.fromEntries(Object.entries(r.headers as Record<string, string | undefined>).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => [k, headerSafe(v)]));
    // Node's client sends a GET, HEAD, DELETE or OPTIONS body unframed unless told its length.
    if (r.body) headers['content-length'] = String(r.body.length);
    return { method: r.method, path: r.path, headers, body: r.body };
  });
}

function send(port: number, req: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'no-response', error: err.code ?? err.message }));
    });
    r.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'no-response', error: err.code ?? err.message }));
    r.setTimeout(15_000, () => r.destroy(new Error('client timeout')));
    r.end(req.body ?? undefined);
  });
}

/** A request the server may answer by closing: it cannot read on after a head or body it refused. */
function oversized(req: FuzzRequest): boolean {
  const head = Object.entries(req.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, req.path.length);
  return head > 15_000 || (req.body?.length ?? 0) > 8 * 1024;
}

/** Why a response breaks the rules, or null when it keeps them. */
export function violation(req: FuzzRequest, out: Outcome): string | null {
  if (out.kind === 'no-response') return oversized(req) ? null : `no response (${out.error})`;
  if (out.status >= 500) return `status ${out.status}`;
  if (!String(out.headers['content-security-policy'] ?? '').includes("default-src 'none'")) return 'no Content-Security-Policy';
  if (out.headers['x-content-type-options'] !== 'nosniff') return 'no X-Content-Type-Options';
  if (out.headers['x-frame-options'] !== 'DENY') return 'no X-Frame-Options';
  const type = String(out.headers['content-type'] ?? '');
  // The path the app sees: dot segments resolved, as the adapter's URL parser does.
  const seen = URL.canParse('http://x' + req.path) ? new URL('http://x' + req.path).pathname : req.path;
  if (type.startsWith('text/html') && seen.startsWith('/d/') && out.headers['x-robots-tag'] !== 'noindex, nofollow') return 'no X-Robots-Tag on /d/';
  if (!/javascript|css/.test(type) && STACK_TRACE.test(out.body.toString('utf8'))) return 'a stack trace in the body';
  return null;
}

export type FuzzOptions = { numRuns: number; seed: number; dataDir: string; onBatch?: (done: number) => void };
export type FuzzReport = { runs: number; statuses: Record<number, number>; noResponse: number; errorLogs: string[]; secretsInLogs: number };

/** The portal on a real socket, an in-memory database, three pickups (pending, open window, cancelled). */
async function setUp(dataDir: string, seed: number) {
  const key = (byte: number) => Buffer.alloc(32, byte).toString('base64url');
  const config = loadConfig({ PUBLIC_URL: ORIGIN, DATA_DIR: dataDir, SEAL_KEYS: `fuzz:${key(11)}`, PASSWORD_PEPPER: key(12), SESSION_KEY: key(13), LOG_LEVEL: 'info' });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const clock = manualClock(NOW);
  const random = seededRandom(seed);
  const deps = assembleDeps({ store: new SqliteStore(openDb(':memory:')), config, secrets: loadSecrets(config, NOW, random), log: createLogger('info', sink), clock, random });
  const ca = openIssuingCa(deps);
  const issue = async (nameRomaji: string): Promise<IssuedPickup> => {
    const checked = validateSubscriber({ nameRomaji }, { now: deps.clock() });
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    return issueNewPickup(deps, ca, checked.subscriber, { p12Profile: 'compat', applicationCode: null, mailing: null });
  };
  const [pending, open, cancelled] = [await issue('YAMADA TARO'), await issue('SATO HANAKO'), await issue('SUZUKI ICHIRO')];
  await downloadP12(deps, { pickup: (await deps.store.findPickupById(open.id))! }, () => 'fuzz', NOW);
  await deps.store.cancelPickup(cancelled.id, NOW, 'fuzz');
  const cookies = await Promise.all([pending, open].map(async (p) => `${sessionCookieName(false)}=${await issueSession(deps.sessionKey, p.id, NOW)}`));
  const server = createPortalServer(deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const pickups = [pending, open, cancelled];
  return {
    deps,
    server,
    lines,
    port: (server.address() as AddressInfo).port,
    world: { tokens: pickups.map((p) => p.url.split('/d/')[1]!), passwords: pickups.map((p) => p.password), cookies },
    secrets: pickups.flatMap((p) => [p.url.split('/d/')[1]!, p.password, p.pin]),
  };
}

/**
 * Throws fast-check's counterexample (with its seed) on the first request the portal answers
 * with a 5xx, without the security headers, with a stack trace, or not at all.
 */
export async function fuzzPortal(options: FuzzOptions): Promise<FuzzReport> {
  const s = await setUp(options.dataDir, options.seed);
  const report: FuzzReport = { runs: 0, statuses: {}, noResponse: 0, errorLogs: [], secretsInLogs: 0 };
  const arbitrary = requestArbitrary(s.world);
  let checkedLines = 0;
  try {
    const batch = 10_000;
    for (let done = 0, round = 0; done < options.numRuns; round++) {
      const numRuns = Math.min(batch, options.numRuns - done);
      await fc.assert(
        fc.asyncProperty(arbitrary, async (req) => {
          const out = await send(s.port, req);
          const broken = violation(req, out);
          if (broken) throw new Error(`${broken}: ${req.method} ${req.path.slice(0, 200)}`);
          report.runs++;
          if (out.kind === 'response') report.statuses[out.status] = (report.statuses[out.status] ?? 0) + 1;
          else report.noResponse++;
        }),
        { numRuns, seed: options.seed + round },
      );
      done += numRuns;
      for (; checkedLines < s.lines.length; checkedLines++) {
        const line = s.lines[checkedLines]!;
        if ((JSON.parse(line) as { level: number }).level >= 50) report.errorLogs.push(line);
        if (s.secrets.some((secret) => line.includes(secret))) report.secretsInLogs++;
      }
      s.lines.length = checkedLines = 0;
      options.onBatch?.(done);
    }
  } finally {
    s.server.closeAllConnections();
    await new Promise((resolve) => s.server.close(resolve));
    await s.deps.store.close();
  }
  return report;
}

/** `npm run fuzz -- [--runs 100000] [--seed N]`: the same property as the test, a hundred thousand times. */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' }, seed: { type: 'string' } } });
  const numRuns = Number(values.runs ?? 100_000);
  const seed = Number(values.seed ?? Date.now() % 1_000_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-fuzz-'));
  process.stdout.write(`fuzz: ${numRuns} requests, seed ${seed}\n`);
  try {
    const report = await fuzzPortal({ numRuns, seed, dataDir, onBatch: (done) => process.stdout.write(`fuzz: ${done}/${numRuns} ok\n`) });
    process.stdout.write(`fuzz: statuses ${JSON.stringify(report.statuses)}, closed without answer (oversized) ${report.noResponse}\n`);
    if (report.errorLogs.length > 0 || report.secretsInLogs > 0) {
      process.stderr.write(`fuzz: ${report.errorLogs.length} error log line(s), ${report.secretsInLogs} with a secret\n${report.errorLogs.slice(0, 5).join('')}`);
      return 1;
    }
    return 0;
  } catch (err) {
    const cause = (err as Error).cause;
    process.stderr.write(`fuzz: ${(err as Error).message}\n${cause instanceof Error ? `cause: ${cause.message}\n` : ''}`);
    return 1;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
