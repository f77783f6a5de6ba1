/**
 * Where a server's event loop spends its CPU, from `perf record -e cpu-clock` on its main thread
 * (Linux perf: samples only while the thread is on a core, with the kernel's share, unlike V8's
 * own profiler, whose wall-clock samples charge a syscall with the time the thread then waits).
 * The server must run with `--perf-basic-prof-only-functions` so that perf can name JavaScript
 * frames; a frame of the bundle is traced back through its source map to the module it came
 * from (pino, prom-client, Hono, src/db/…). Each sample goes to the first part below that
 * matches one of its frames, so a part includes everything it calls; what no part matches falls
 * to the side of its leaf-most frame. V8 inlines small functions into their callers, and their
 * samples then count where the caller does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

/** One stack frame: perf's symbol, and for bundled JavaScript the source module it came from. */
export type Frame = { sym: string; source: string | null };

export type Part = { key: string; label: string; matches: (f: Frame) => boolean };

const sym = (re: RegExp) => (f: Frame) => re.test(f.sym);
const source = (re: RegExp) => (f: Frame) => f.source !== null && re.test(f.source);
const either = (...tests: Array<(f: Frame) => boolean>) => (f: Frame) => tests.some((t) => t(f));

/** Checked in this order against the whole stack; the first that matches takes the sample. */
export const PARTS: Part[] = [
  { key: 'gc', label: 'garbage collection', matches: sym(/^v8::internal::(Heap::|Scavenger|MarkCompact|MinorMarkCompact|ConcurrentMarking|IncrementalMarking)/) },
  { key: 'wake', label: 'waking the load generator (the kernel, inside the send)', matches: sym(/^(try_to_wake_up|__wake_up_common|__wake_up_sync_key|sock_def_readable)$/) },
  { key: 'send', label: 'sending the answer (writev: loopback TCP, without the wake-up)', matches: sym(/^(__GI___writev|writev|__writev)$/) },
  {
    key: 'log',
    label: 'the access log line (pino, written synchronously)',
    matches: either(source(/node_modules\/(pino|sonic-boom|pino-std-serializers|fast-redact|quick-format-unescaped)\//), sym(/^JS:.writeSync node:fs|^node::fs::WriteString$|^uv_fs_write$/)),
  },
  { key: 'metrics', label: 'metrics (prom-client)', matches: source(/node_modules\/prom-client\/|src\/lib\/metrics\.ts$/) },
  { key: 'session', label: 'the session check', matches: source(/src\/auth\/session\.ts$/) },
  { key: 'pickup', label: 'finding the pickup (token hash, SQLite read)', matches: sym(/^JS:.(lookupPickup|findPickupByTokenHash|findPickupWithSealedFile) /) },
  { key: 'download', label: 'the download itself (window, unsealing the file)', matches: either(sym(/^JS:.downloadP12 /), source(/node_modules\/jose\/|src\/secrets\/sealer\.ts$/)) },
  { key: 'page', label: 'the page (kept rendered) and the security headers', matches: source(/src\/http\/(pages\.tsx|page-cache\.ts|security-headers\.ts)$|views\//) },
  { key: 'store', label: 'other database work (src/db, drizzle, SQLite)', matches: either(source(/src\/db\/|node_modules\/drizzle-orm\//), sym(/^sqlite3|^Statement::|^Data::/)) },
];

/** For samples no part claims: the leaf-most frame that is JavaScript (or Node's C++) decides. */
export const REST = {
  hono: 'Hono and @hono/node-server',
  app: "the portal's routes and middleware (src/, the rest)",
  node: "Node's HTTP server, streams and event loop (socket reads included)",
  other: 'V8 and the kernel, outside any frame above',
} as const;

export type Breakdown = { samples: number; shares: Record<string, number> };

/** True when `perf record -e cpu-clock` can run here (installed, and allowed by perf_event_paranoid). */
export function perfUsable(): boolean {
  const probe = spawnSync('perf', ['record', '-q', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

function restOf(frames: Frame[]): string {
  for (const f of frames) {
    if (f.source !== null && /node_modules\/(hono|@hono)\//.test(f.source)) return 'hono';
    if (f.source !== null) return 'app';
    if (/^JS:.\S* node:|^node::|^llhttp|^uv_|^uv__/.test(f.sym)) return 'node';
  }
  return 'other';
}

/** Which part one sample's frames (leaf first) belong to. */
export function classify(frames: Frame[]): string {
  for (const part of PARTS) if (frames.some(part.matches)) return part.key;
  return restOf(frames);
}

/**
 * Traces `JS:<tier><name> file:///…/x.mjs:<line>:<column>` (V8's perf map: the function's start,
 * 1-based) back through x.mjs.map; null for frames that are not from a file with a source map.
 * The hello-world's own files, not bundled, are their own source.
 */
export function sourceResolver(): (sym: string) => string | null {
  const maps = new Map<string, TraceMap | null>();
  const cache = new Map<string, string | null>();
  const load = (file: string): TraceMap | null => {
    if (!maps.has(file)) {
      try {
        maps.set(file, new TraceMap(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        maps.set(file, null);
      }
    }
    return maps.get(file)!;
  };
  return (text) => {
    if (cache.has(text)) return cache.get(text)!;
    const at = /^JS:.\S* (file:\/\/\S+?):(\d+):(\d+)$/.exec(text);
    let found: string | null = null;
    if (at) {
      const file = fileURLToPath(at[1]!);
      const map = load(file);
      found = map === null ? file : (originalPositionFor(map, { line: Number(at[2]), column: Number(at[3]) - 1 }).source ?? file);
    }
    cache.set(text, found);
    return found;
  };
}

/** Parses `perf script -F period,ip,sym`: a line with the period, then one frame a line, leaf first. */
export function breakdown(script: string, resolve: (sym: string) => string | null = sourceResolver()): Breakdown {
  const weights: Record<string, number> = {};
  let total = 0;
  let samples = 0;
  for (const block of script.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const period = Number(lines[0]?.trim());
    if (!Number.isFinite(period) || period <= 0) continue;
    const frames = lines.slice(1).map((l) => {
      const text = l.trim().replace(/^[0-9a-f]+\s+/, '');
      return { sym: text, source: resolve(text) };
    });
    const key = classify(frames);
    weights[key] = (weights[key] ?? 0) + period;
    total += period;
    samples++;
  }
  const shares: Record<string, number> = {};
  for (const [key, w] of Object.entries(weights)) shares[key] = w / total;
  return { samples, shares };
}

/** The symbol map V8 writes for perf; remove it once the server has stopped. */
export async function removePerfMap(pid: number): Promise<void> {
  await rm(`/tmp/perf-${pid}.map`, { force: true });
}

/**
 * Records `pid`'s main thread while `drive` runs, and breaks the samples down. perf needs a
 * moment to attach, so the load starts once it has.
 */
export async function profileWhile<T>(pid: number, dataFile: string, drive: () => Promise<T>): Promise<{ result: T; breakdown: Breakdown }> {
  const perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-g', '-t', String(pid), '-o', dataFile], { stdio: 'ignore' });
  const exited = once(perf, 'exit');
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await drive();
    perf.kill('SIGINT');
    await exited;
    const script = spawnSync('perf', ['script', '-i', dataFile, '-F', 'period,ip,sym', '--no-inline'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr.slice(0, 300)}`);
    return { result, breakdown: breakdown(script.stdout) };
  } finally {
    if (perf.exitCode === null) perf.kill('SIGKILL');
  }
}
