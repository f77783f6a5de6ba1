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
import { readFileSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { startServer, type RunningServer, type ServerSettings } from './server.js';

/** One stack frame: perf's symbol, and for bundled JavaScript the source module it came from. */
export type Frame = { sym: string; source: string | null };

export type Part = { key: string; label: string; matches: (frames: Frame[]) => boolean };

type FrameTest = (f: Frame) => boolean;
const sym = (re: RegExp): FrameTest => (f) => re.test(f.sym);
const source = (re: RegExp): FrameTest => (f) => f.source !== null && re.test(f.source);
/** A stack matches when any of its frames passes any of the tests. */
const anyFrame = (...tests: FrameTest[]) => (frames: Frame[]) => frames.some((f) => tests.some((t) => t(f)));
const WRITEV = sym(/^(__GI___writev|writev|__writev)$/);

/** Checked in this order against the whole stack; the first that matches takes the sample. */
export const PARTS: Part[] = [
  { key: 'gc', label: 'garbage collection', matches: anyFrame(sym(/^v8::internal::(Heap::|Scavenger|MarkCompact|MinorMarkCompact|ConcurrentMarking|IncrementalMarking)/)) },
  {
    key: 'wake',
    label: 'waking the load generator (the kernel, inside the send)',
    // Only inside a writev: a wake-up through a futex (a worker thread) is something else.
    matches: (frames) => anyFrame(WRITEV)(frames) && anyFrame(sym(/^(try_to_wake_up|__wake_up_common|__wake_up_sync_key|sock_def_readable)$/))(frames),
  },
  { key: 'send', label: 'sending the answer (writev: loopback TCP, without the wake-up)', matches: anyFrame(WRITEV) },
  {
    key: 'log',
    label: 'the access log line (pino, written synchronously)',
    matches: anyFrame(source(/node_modules\/(pino|sonic-boom|pino-std-serializers|fast-redact|quick-format-unescaped)\//), sym(/^JS:.writeSync node:fs|^node::fs::WriteString$|^uv_fs_write$/)),
  },
  { key: 'metrics', label: 'metrics (prom-client)', matches: anyFrame(source(/node_modules\/prom-client\/|src\/lib\/metrics\.ts$/)) },
  { key: 'session', label: 'the session check', matches: anyFrame(source(/src\/auth\/session\.ts$/)) },
  { key: 'pickup', label: "finding the pickup (the token's hash, the row, and for a download its file)", matches: anyFrame(sym(/^JS:.(lookupPickup|findPickupByTokenHash|findPickupWithSealedFile) /)) },
  { key: 'download', label: 'the download itself (window, opening the sealed file)', matches: anyFrame(sym(/^JS:.downloadP12 /), source(/node_modules\/jose\/|src\/secrets\/sealer\.ts$/)) },
  { key: 'page', label: 'the page (kept rendered) and the security headers', matches: anyFrame(source(/src\/http\/(pages\.tsx|page-cache\.ts|security-headers\.ts)$|views\//)) },
  // A wrong guess's own work. On the landing, only a page view's timeline read or write (at most
  // once a minute a pickup) meets one of these; a repeat download's is the download's.
  { key: 'throttle', label: "the throttle's transaction (admitting the guess)", matches: anyFrame(source(/src\/db\/throttle\.ts$/)) },
  { key: 'timeline', label: 'the timeline (a row written, or the newest read)', matches: anyFrame(source(/src\/db\/events\.ts$/)) },
  {
    key: 'argon2',
    label: "argon2's JavaScript and the hasher's queue (the check itself runs on the pool threads)",
    matches: anyFrame(source(/node_modules\/(argon2|@phc\/format)\/|src\/auth\/password-hasher\.ts$/)),
  },
  {
    key: 'store',
    label: 'other database work (src/db, drizzle, SQLite)',
    matches: anyFrame(source(/src\/db\/|node_modules\/(drizzle-orm|better-sqlite3)\//), sym(/^sqlite3|^Statement::|^Data::/)),
  },
];

/** For samples no part claims: the leaf-most frame that is JavaScript (or Node's C++) decides. */
export const REST = {
  hono: 'Hono and @hono/node-server',
  app: "the portal's routes and middleware (src/, the rest)",
  node: "Node's HTTP server, streams and event loop (socket reads included)",
  other: 'V8 and the kernel, outside any frame above',
} as const;

export type Breakdown = { samples: number; shares: Record<string, number> };

/** Node flags for a server perf is to profile: V8 then writes /tmp/perf-<pid>.map as it compiles, so perf can name JavaScript frames. */
const PERF_FLAGS = ['--perf-basic-prof-only-functions'];

/** Seconds of load perf records for each profiled side. */
export const PROFILE_S = { full: 5, quick: 2 };

/** perf writes its data out after SIGINT; a recording this short takes well under a second. */
const PERF_STOP_MS = 15_000;

/**
 * True when perf can sample here, kernel included (installed; root, or perf_event_paranoid ≤ 1).
 * Without the kernel's samples the send and the wake-up would vanish into the other parts.
 */
export function perfUsable(): boolean {
  const probe = spawnSync('perf', ['record', '-q', '-e', 'cpu-clock:k', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' });
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
  for (const part of PARTS) if (part.matches(frames)) return part.key;
  return restOf(frames);
}

/**
 * Traces `JS:<tier><name> <file>:<line>:<column>` (V8's perf map: the function's start, 1-based;
 * an ES module's file as a file:// URL, a CommonJS one as a path) back through <file>.map. A file
 * without a map is its own source (the hello-world, better-sqlite3's JavaScript); a position the
 * map does not cover, and a frame that is not JavaScript from a file, have none.
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
    const at = /^JS:.(?:.* )?((?:file:\/\/|\/)\S+?):(\d+):(\d+)$/.exec(text);
    let found: string | null = null;
    if (at) {
      const file = at[1]!.startsWith('file:') ? fileURLToPath(at[1]!) : at[1]!;
      const map = load(file);
      found = map === null ? file : originalPositionFor(map, { line: Number(at[2]), column: Number(at[3]) - 1 }).source;
    }
    cache.set(text, found);
    return found;
  };
}

/** Parses `perf script -F period,ip,sym`: a line with the period, then one frame a line, leaf first. */
export function tallyParts(script: string, resolve: (sym: string) => string | null = sourceResolver()): Breakdown {
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
async function removePerfMap(pid: number): Promise<void> {
  await rm(`/tmp/perf-${pid}.map`, { force: true });
}

/** A server started directly with PERF_FLAGS; its stop also removes the symbol map V8 wrote for it. */
export async function startPerfServer(settings: Omit<ServerSettings, 'nodeArgs'>, timeoutMs: number): Promise<RunningServer> {
  const server = await startServer('direct', { ...settings, nodeArgs: PERF_FLAGS }, timeoutMs);
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await removePerfMap(server.pid);
    },
  };
}

/**
 * Records `pid`'s main thread while `drive` runs, and tallies the samples by part. perf needs a
 * moment to attach, so the load starts once it has. V8's symbol map is copied beside the data
 * (`<dataFile>.map`): put it back as /tmp/perf-<pid>.map to read the data again.
 */
export async function profileWhile<T>(pid: number, dataFile: string, drive: () => Promise<T>): Promise<{ result: T; breakdown: Breakdown }> {
  const perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-g', '-t', String(pid), '-o', dataFile], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => {
    perf.once('exit', () => resolve());
    perf.once('error', () => resolve());
  });
  const stopped = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, ms, false))]);
  try {
    if (await stopped(500)) throw new Error('perf record stopped before the load began');
    const result = await drive();
    perf.kill('SIGINT');
    if (!(await stopped(PERF_STOP_MS))) throw new Error(`perf record did not stop within ${PERF_STOP_MS / 1000} s of SIGINT`);
    await copyFile(`/tmp/perf-${pid}.map`, `${dataFile}.map`).catch(() => undefined);
    const script = spawnSync('perf', ['script', '-i', dataFile, '-F', 'period,ip,sym', '--no-inline'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr.slice(0, 300)}`);
    return { result, breakdown: tallyParts(script.stdout) };
  } finally {
    if (perf.exitCode === null && perf.signalCode === null) perf.kill('SIGKILL');
  }
}
