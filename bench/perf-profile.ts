/**
 * Where a server's event loop spends its CPU, from `perf record -e cpu-clock` on its main thread
 * (Linux perf: samples only while the thread is on a core, with the kernel's share, unlike V8's
 * own profiler, whose wall-clock samples charge a syscall with the time the thread then waits).
 * The server must run with `--perf-basic-prof-only-functions` so that perf can name JavaScript
 * frames. Each sample goes to the first part below that names one of its frames, so a part
 * includes everything it calls; what no part names falls to the leaf-most frame's side.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';

export type Part = { key: string; label: string; frames: RegExp };

/** Checked in this order against the whole stack; the first that matches takes the sample. */
export const PARTS: Part[] = [
  { key: 'gc', label: 'garbage collection', frames: /^v8::internal::(Heap::|Scavenger|MarkCompact|MinorMarkCompact|ConcurrentMarking|IncrementalMarking)/ },
  { key: 'wake', label: 'waking the load generator (the kernel, inside the send)', frames: /^(try_to_wake_up|__wake_up_common|__wake_up_sync_key|sock_def_readable)$/ },
  { key: 'send', label: 'sending the answer (writev: loopback TCP, without the wake-up)', frames: /^(__GI___writev|writev|__writev)$/ },
  { key: 'log', label: 'the access log line (pino, written synchronously)', frames: /^JS:.(LOG|asJson|_asJson) |^JS:.writeSync node:fs|^node::fs::WriteString$|^uv_fs_write$/ },
  { key: 'metrics', label: 'metrics (prom-client)', frames: /^JS:.observeRequest / },
  { key: 'session', label: 'the session check', frames: /^JS:.(hasSession|rememberedSession|verifySession|cookieValues) / },
  { key: 'pickup', label: 'finding the pickup (token hash, SQLite read)', frames: /^JS:.(lookupPickup|findPickupByTokenHash|findPickupWithSealedFile) / },
  { key: 'download', label: 'the download itself (window, unsealing the file)', frames: /^JS:.(downloadP12|flattenedDecrypt|compactDecrypt) / },
  { key: 'page', label: 'the page (kept rendered) and its headers', frames: /^JS:.(landingResponse|readyResponse|noticeResponse|setSecurityHeaders) / },
  { key: 'sqlite', label: 'SQLite, other statements', frames: /^sqlite3|better_sqlite3|^Statement::/ },
];

/** For samples no part claims: the leaf-most frame that is JavaScript (or Node's C++) decides. */
export const REST = {
  app: 'Hono, @hono/node-server and the rest of the app',
  node: "Node's HTTP server, streams and event loop (socket reads included)",
  other: 'V8 and the kernel, outside any frame above',
} as const;

export type Breakdown = { samples: number; shares: Record<string, number> };

/** True when `perf record -e cpu-clock` can run here (installed, and allowed by perf_event_paranoid). */
export function perfUsable(): boolean {
  const probe = spawnSync('perf', ['record', '-q', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

function restOf(frames: string[]): string {
  for (const f of frames) {
    if (/^JS:.\S* file:\/\/.*\/(dist\/|bench\/hello-server|node_modules\/(hono|@hono)\/)/.test(f)) return 'app';
    if (/^JS:.\S* node:|^node::|^llhttp|^uv_|^uv__/.test(f)) return 'node';
  }
  return 'other';
}

/** Which part one sample's frames (leaf first) belong to. */
export function classify(frames: string[]): string {
  for (const part of PARTS) if (frames.some((f) => part.frames.test(f))) return part.key;
  return restOf(frames);
}

/** Parses `perf script -F period,sym`: a header line with the period, then one frame a line. */
export function breakdown(script: string): Breakdown {
  const weights: Record<string, number> = {};
  let total = 0;
  let samples = 0;
  for (const block of script.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const period = Number(lines[0]?.trim());
    if (!Number.isFinite(period) || period <= 0) continue;
    const frames = lines.slice(1).map((l) => l.trim().replace(/^[0-9a-f]+\s+/, ''));
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
