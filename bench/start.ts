/**
 * `npx tsx bench/start.ts [--app DIR]... [--runs N] [--how npm,direct]`: phase 5 alone, time from spawn to the
 * first 200 from /healthz, for `npm start` and for npm start's node command run directly, each on
 * a fresh DATA_DIR and then restarted on the DATA_DIR the first start left. With several --app
 * checkouts the starts go by turns (A, B, A, B, ...), so a busy moment of the machine hits both.
 * A direct start also gives the server's CPU ms to that 200 (steadier on a busy machine).
 * Each app's bundle is brought up to date by one start before any is timed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAllGroups } from './child.js';
import { cpuMs } from './cpu-time.js';
import { freePort } from './http.js';
import { REPO_ROOT, startServer } from './server.js';

const { values } = parseArgs({ options: { app: { type: 'string', multiple: true }, runs: { type: 'string' }, how: { type: 'string' } } });
const apps = (values.app ?? [REPO_ROOT]).map((dir) => resolve(dir));
const runs = Number(values.runs ?? 7);
const hows = (values.how ?? 'npm,direct').split(',') as ('npm' | 'direct')[];
const work = await mkdtemp(join(tmpdir(), 'uketori-start-'));
const figures = new Map<string, number[]>();
let n = 0;

/** Wall-clock ms to the first 200 and, for a direct start (pid is the server), the CPU ms the server used until then. */
async function once(app: string, how: 'npm' | 'direct', dataDir: string): Promise<[number, number | null]> {
  const server = await startServer(how, { appDir: app, port: await freePort(), dataDir, logFile: join(work, 'server.log') }, 30_000);
  const cpu = how === 'direct' ? cpuMs(server.pid) : null;
  await server.stop();
  return [server.startMs, cpu];
}

function record(key: string, [ms, cpu]: [number, number | null]): void {
  figures.set(key, [...(figures.get(key) ?? []), ms]);
  if (cpu !== null) figures.set(`${key} (CPU)`, [...(figures.get(`${key} (CPU)`) ?? []), cpu]);
}

try {
  for (const app of apps) await once(app, 'npm', join(work, `warm-${n++}`));
  for (let run = 0; run < runs; run++) {
    for (const how of hows) {
      for (const app of apps) {
        const dataDir = join(work, `data-${n++}`);
        record(`${app}\t${how}\tfresh`, await once(app, how, dataDir));
        record(`${app}\t${how}\texisting`, await once(app, how, dataDir));
      }
    }
  }
  console.log('app\tstart\tDATA_DIR\tmedian ms\tmin–max ms\tall');
  for (const [key, xs] of figures) {
    const sorted = [...xs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`${key}\t${median.toFixed(0)}\t${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)}\t${xs.map((x) => x.toFixed(0)).join(' ')}`);
  }
} finally {
  await stopAllGroups();
  await rm(work, { recursive: true, force: true });
}
