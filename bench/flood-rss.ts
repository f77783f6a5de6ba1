/**
 * Phase 3's memory without the rest of the bench: the server as `npm start` runs it, the landing
 * and download loads of phases 1–2 (no baselines), an idle gap, then phase 3 itself
 * (runPassword, full-run settings: 10 s at each of 10 and 50 connections, by turns with raw argon2
 * in five rounds of 2 s slices, over --pickups pickups, 400 unless told). The
 * pickups are issued once into a template DATA_DIR, with 600 more rows as the batch phase leaves
 * in the database before the flood; each run starts on a copy of it. Like the full bench, a run
 * issues more pickups into its copy (untimed, before the flood) when the phase's budget at raw
 * argon2's measured rate asks for more than the template holds (flood-requests.ts), so a fast
 * host does not send the flood into the throttle.
 *
 *   npx tsx --require=./scripts/thread-pool.cjs bench/flood-rss.ts [--app DIR] [--runs N] [--label NAME] [--pickups N] [--template DIR] [--samples FILE]
 *
 * The --require gives raw argon2 (on this process's thread pool) the pool npm start gives the
 * portal; each line names both pools.
 *
 * --template names the template's directory (default: one under the system's temporary folder per
 * pickup count). A template is reused whichever --app built it.
 *
 * Prints one line per run: peak VmRSS per phase, VmHWM, the flood's 401/s against raw argon2 in
 * that run, Hono + argon2 alone's (the floor, by turns with it) and its event loop per 401,
 * /healthz p99, 429s, and the server's CPU ms per 401 on the event loop and on its other threads
 * (argon2's pool), which moves far less with other sessions' load than the ratio does. --samples
 * appends every 50 ms sample (VmRSS, RssAnon, RssFile; and the brk heap's Rss from smaps every
 * fifth sample of phase 3, where glibc keeps argon2's blocks) as CSV.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAllGroups } from './child.js';
import type { ThreadCpu } from './cpu-time.js';
import { freePort, load, type LoadResult } from './http.js';
import type { ProbeResult } from './healthz-probe.js';
import { runPassword } from './phases/password.js';
import { readRss } from './rss.js';
import { download, formHeaders, logIn } from './portal.js';
import { threadPoolSize } from '../src/auth/password-hasher.js';
import { appThreadPool, REPO_ROOT, serverEnv, startServer } from './server.js';
import { parseSettings } from './settings.js';
import { issueBatch, issueOne, type IssuedPickup } from './staff.js';

const { values } = parseArgs({
  options: {
    app: { type: 'string' },
    runs: { type: 'string', default: '1' },
    label: { type: 'string', default: 'run' },
    pickups: { type: 'string', default: '400' },
    template: { type: 'string' },
    samples: { type: 'string' },
  },
});
const appDir = resolve(values.app ?? REPO_ROOT);
/** A whole number of at least 1, written in plain digits. */
function count(name: string, text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`--${name} wants a whole number above 0, not ${JSON.stringify(text)}`);
  return Number(text);
}
const floodPickups = count('pickups', values.pickups);
const runs = count('runs', values.runs);
// One template per pickup count: a run always starts on as many pickups as it asked for.
const templateDir = values.template ?? join(tmpdir(), `uketori-flood-rss-template-${floodPickups}`);
// The floor takes the app's npm start settings from settings.appDir: the same checkout as the server's.
const settings = parseSettings(['--app', appDir], { workDir: tmpdir(), rawDir: tmpdir(), repoRoot: REPO_ROOT });

type Template = { one: IssuedPickup; flood: IssuedPickup[]; origin: string };

async function template(): Promise<Template> {
  const file = join(templateDir, 'pickups.json');
  if (existsSync(file)) {
    const kept = JSON.parse(await readFile(file, 'utf8')) as Template;
    if (kept.flood.length !== floodPickups) throw new Error(`${file} holds ${kept.flood.length} flood pickups, not --pickups ${floodPickups}`);
    return kept;
  }
  await mkdir(templateDir, { recursive: true });
  const dataDir = join(templateDir, 'data');
  const port = await freePort();
  const server = await startServer('direct', { appDir, port, dataDir, logFile: join(templateDir, 'server.log') }, 30_000);
  const env = serverEnv({ port, dataDir });
  settings.log(`template: issuing 1 + ${floodPickups} + 600 pickups (once)`);
  const one = await issueOne(appDir, env);
  const flood = (await issueBatch(appDir, env, floodPickups, templateDir)).pickups;
  await issueBatch(appDir, env, 600, templateDir, 'filler');
  await server.stop();
  const t = { one, flood, origin: server.origin };
  await writeFile(file, JSON.stringify(t));
  return t;
}

function brkHeapMb(pid: number): number {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  return Number(/\[heap\]\n(?:.*\n)*?Rss:\s+(\d+)/.exec(smaps)?.[1] ?? 0) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneRun(t: Template, n: number): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'uketori-flood-rss-'));
  const dataDir = join(work, 'data');
  await cp(join(templateDir, 'data'), dataDir, { recursive: true });
  const port = await freePort();
  const server = await startServer('direct', { appDir, port, dataDir, logFile: join(work, 'server.log') }, 30_000);
  let topUps = 0;
  const topUp = async (count: number) => (await issueBatch(appDir, serverEnv({ port, dataDir }), count, work, `flood-${++topUps}`)).pickups;
  const move = (p: IssuedPickup): IssuedPickup => ({ ...p, url: p.url.replace(t.origin, server.origin) });
  const peaks = new Map<string, number>();
  let phase = 'start';
  let ticks = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    const st = readRss(server.pid);
    if (st === null) return;
    const mb = (kb: number) => (kb / 1024).toFixed(1);
    peaks.set(phase, Math.max(peaks.get(phase) ?? 0, st.rssKb / 1024));
    if (values.samples === undefined) return;
    const heap = phase === 'password' && ++ticks % 5 === 0 ? brkHeapMb(server.pid).toFixed(1) : '';
    const at = ((performance.now() - started) / 1000).toFixed(2);
    appendFileSync(values.samples, `${values.label},${n},${at},${phase},${mb(st.rssKb)},${mb(st.anonKb)},${mb(st.fileKb)},${heap}\n`);
  }, 50);
  try {
    const one = move(t.one);
    phase = 'landing';
    await load({ url: one.url, connections: 10, durationS: settings.warmupS });
    for (const connections of settings.connections) {
      await load({ url: one.url, connections, durationS: settings.runS });
      await sleep(3000);
    }
    phase = 'download';
    const cookie = await logIn(one.url, one.password, server.origin);
    await download(one.url, cookie, server.origin);
    const target = { url: `${one.url}/download`, method: 'POST', headers: { ...formHeaders(server.origin, cookie), 'content-length': '0' }, body: '' };
    await load({ ...target, connections: 10, durationS: settings.warmupS });
    for (const connections of settings.connections) {
      await load({ ...target, connections, durationS: settings.runS });
      await sleep(3000);
    }
    phase = 'idle';
    await sleep(10_000);
    phase = 'password';
    const result = await runPassword({ ...settings, log: () => undefined }, server.origin, t.flood.map(move), topUp, server.pid);
    const hwm = readRss(server.pid)!.hwmKb / 1024;
    const raw = result.raw as Record<string, { flood: LoadResult; healthz: ProbeResult; threads: ThreadCpu | null }> & { argon2Slices: { perSecond: number } };
    const runs = settings.connections.map((c) => raw[`${c}`]!);
    const floors = settings.connections.map((c) => raw[`floor-${c}`]);
    const fixed = (v: number | undefined, d = 1) => (v === undefined ? 'n/a' : v.toFixed(d));
    return (
      `landing ${fixed(peaks.get('landing'))} download ${fixed(peaks.get('download'))} flood ${fixed(peaks.get('password'))} VmHWM ${fixed(hwm)} MB; ` +
      `401/s ${runs.map((r) => fixed(r.flood.rps / raw.argon2Slices.perSecond, 2)).join('/')}× raw (${fixed(raw.argon2Slices.perSecond)}/s); ` +
      `Hono + argon2 alone ${floors.map((f) => (f === undefined ? 'n/a' : fixed(f.flood.rps / raw.argon2Slices.perSecond, 2))).join('/')}× raw, ` +
      `its event loop ${floors.map((f) => fixed(f?.threads?.mainMs, 2)).join('/')} ms per 401; ` +
      `healthz p99 ${runs.map((r) => fixed(r.healthz.p99)).join('/')} ms; 429 ${runs.map((r) => r.flood.statuses['429'] ?? 0).join('/')}; ` +
      `event loop ${runs.map((r) => fixed(r.threads?.mainMs, 2)).join('/')} ms and other threads ${runs.map((r) => fixed(r.threads?.otherMs)).join('/')} ms (${runs.map((r) => fixed(r.threads?.otherFaults, 0)).join('/')} faults) per 401`
    );
  } finally {
    clearInterval(timer);
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const t = await template();
const pools = `thread pools: raw argon2 ${threadPoolSize()}, portal ${await appThreadPool(appDir)}`;
for (let n = 1; n <= runs; n++) {
  const line = await oneRun(t, n);
  console.log(`${values.label} #${n} (load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}; ${pools}): ${line}`);
}
await stopAllGroups();
