/**
 * `npx tsx bench/cpu.ts [--app DIR] [--requests N] [--rounds R]`: server CPU time per request
 * (user + system, read from /proc/<pid>/stat) for the landing GET, the download POST and the
 * hello-world baseline, each server started as `npm start` starts the bundle. CPU time per
 * request barely moves when other work shares the cores, unlike req/s, so this is the figure to
 * compare a change with on a busy machine (`--app` runs another checkout for an A/B pair).
 * `--routes landing` runs only the named ones; `--profile DIR` also writes the portal server's CPU profile (all rounds, both routes) to DIR.
 * `--node-args=--trace-gc` adds node flags to the portal server (space-separated); `--keep-log FILE` keeps its output.
 * `--rate N` paces the measured requests at N a second over one connection (the warm-up, 5000
 * requests, stays unpaced at 10 connections): at a low N every request then wakes an idle event
 * loop, as each step of a wrong guess does under the password flood. What the idle server uses
 * on its own is measured for 10 s first and the least of those rates taken off. A paced round
 * takes a 5000-request warm-up, the idle wait and watch, and its requests ÷ N seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { stopAllGroups } from './child.js';
import { cpuMs, serverIdle } from './cpu-time.js';
import { freePort } from './http.js';
import { download, fetchLanding, formHeaders, logIn } from './portal.js';
import { REPO_ROOT, serverEnv, startServer, type RunningServer } from './server.js';
import { issueOne } from './staff.js';

type Target = { url: string; method?: string; headers?: Record<string, string>; body?: string };

async function drive(target: Target, amount: number, rate?: number): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  const pace = rate === undefined ? { connections: 10 } : { connections: 1, overallRate: rate };
  const instance = autocannon({ ...target, ...pace, amount, timeout: 10 });
  instance.on('response', (_c: unknown, status: number) => (statuses[status] = (statuses[status] ?? 0) + 1));
  await instance;
  return statuses;
}

/** How long a paced round first watches the idle server, to take off what it does unasked. */
const IDLE_S = 10;

/** One round: the server's CPU ms over its requests, the seconds they took, and its idle CPU ms a second (0 unpaced). */
type Round = { usedMs: number; seconds: number; idleMsPerS: number; amount: number };

/** Drives `amount` requests after a warm-up of half that (5000 when paced). */
async function measure(server: RunningServer, target: Target, amount: number, expected: number, rate?: number): Promise<Round> {
  // Paced rounds are short, so their warm-up is a fixed unpaced run, long enough for the JIT.
  await drive(target, rate === undefined ? Math.ceil(amount / 2) : 5000);
  // A paced round leaves the server idle most of the time, and what it does then on its own
  // (timers) is not the requests' cost: it is watched first, once the warm-up's work is done.
  let idleMsPerS = 0;
  if (rate !== undefined) {
    await serverIdle(server.pid);
    const idleFrom = cpuMs(server.pid)!;
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
    idleMsPerS = (cpuMs(server.pid)! - idleFrom) / IDLE_S;
  }
  const before = cpuMs(server.pid)!;
  const started = performance.now();
  const statuses = await drive(target, amount, rate);
  const usedMs = cpuMs(server.pid)! - before;
  if ((statuses[expected] ?? 0) !== amount) throw new Error(`${target.url}: expected ${amount} × ${expected}, got ${JSON.stringify(statuses)}`);
  return { usedMs, seconds: (performance.now() - started) / 1000, idleMsPerS, amount };
}

/**
 * CPU µs per request of each round. Idle CPU is counted in 10 ms ticks and other work only adds
 * to it, so the least idle rate of the server's rounds is the one taken off all of them.
 */
function perRequest(rounds: Round[]): { us: number[]; idleMsPerS: number } {
  const idleMsPerS = Math.min(...rounds.map((r) => r.idleMsPerS));
  return { us: rounds.map((r) => ((r.usedMs - idleMsPerS * r.seconds) * 1000) / r.amount), idleMsPerS };
}

// Other work on the cores only ever adds CPU time (cache misses, migrations), so the least of
// several rounds is the steadiest figure; the median is shown beside it.
const least = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { app: { type: 'string' }, requests: { type: 'string' }, rounds: { type: 'string' }, profile: { type: 'string' }, routes: { type: 'string' }, 'node-args': { type: 'string' }, 'keep-log': { type: 'string' }, rate: { type: 'string' } } });
  const routes = (values.routes ?? 'hello,landing,download').split(',');
  const appDir = resolve(values.app ?? REPO_ROOT);
  const amount = Number(values.requests ?? 5000);
  const rounds = Number(values.rounds ?? 3);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  const work = await mkdtemp(join(tmpdir(), 'uketori-cpu-'));
  try {
    const port = await freePort();
    const dataDir = join(work, 'data');
    // --profile DIR: the portal's server writes a V8 CPU profile there when it stops.
    const nodeArgs = [
      ...(values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`]),
      ...(values['node-args']?.split(' ').filter(Boolean) ?? []),
    ];
    const server = await startServer('direct', { appDir, port, dataDir, logFile: values['keep-log'] ?? join(work, 'server.log'), nodeArgs }, 30_000);
    const pickup = await issueOne(appDir, serverEnv({ port, dataDir }));
    const bytes = await fetchLanding(pickup.url);
    const cookie = await logIn(pickup.url, pickup.password, server.origin);
    await download(pickup.url, cookie, server.origin);
    const helloPort = await freePort();
    const hello = await startServer(
      'direct',
      { appDir, port: helloPort, dataDir: join(work, 'hello'), logFile: join(work, 'hello.log'), script: join(REPO_ROOT, 'bench', 'hello-server.mjs'), env: { HELLO_BYTES: String(bytes) } },
      30_000,
    );
    const targets = {
      hello: { server: hello, target: { url: `${hello.origin}/` }, expected: 200 },
      landing: { server, target: { url: pickup.url }, expected: 200 },
      download: {
        server,
        target: { url: `${pickup.url}/download`, method: 'POST', headers: { ...formHeaders(server.origin, cookie), 'content-length': '0' }, body: '' },
        expected: 200,
      },
    };
    const measured: Record<string, Round[]> = { hello: [], landing: [], download: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [name, t] of Object.entries(targets)) if (routes.includes(name)) measured[name]!.push(await measure(t.server, t.target, amount, t.expected, rate));
    }
    const figures = Object.fromEntries(Object.entries(measured).map(([name, rs]) => [name, rs.length === 0 ? null : perRequest(rs)]));
    const results = Object.fromEntries(Object.entries(figures).map(([name, f]) => [name, f?.us ?? []]));
    const how = rate === undefined ? '10 connections' : `${rate} a second over one connection`;
    console.log(`server CPU per request (user+system, /proc), least (median) of ${rounds} rounds of ${amount} at ${how}, landing page ${bytes} B:`);
    for (const [name, xs] of Object.entries(results)) {
      if (xs.length === 0) continue;
      console.log(`  ${name.padEnd(9)} ${least(xs).toFixed(0).padStart(6)} µs (${median(xs).toFixed(0)})   rounds: ${xs.map((x) => x.toFixed(0)).join(', ')}`);
    }
    if (rate !== undefined) {
      const idle = Object.entries(figures).flatMap(([name, f]) => (f === null ? [] : [`${name} ${f.idleMsPerS.toFixed(1)}`]));
      console.log(`  idle server CPU taken off the paced rounds, ms a second: ${idle.join(', ')}`);
    }
    const h = least(results.hello!);
    if (routes.length === 3) console.log(`  CPU ratio hello/landing ${(h / least(results.landing!)).toFixed(3)}×, hello/download ${(h / least(results.download!)).toFixed(3)}×`);
  } finally {
    await stopAllGroups();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
