/**
 * The arithmetic behind the report's rows by part and its budget notes: perf's shares of the
 * event loop's samples turned into µs an answer, scaled to what the measured rows read.
 */
import { PARTS, REST, type Breakdown } from './perf-profile.js';
import { formatNumber, row, type Row } from './report.js';

/** One side's profiled window: CPU µs an answer on the event loop and on the other threads, its req/s, and the event loop's samples by part. */
export type ProfiledWindow = { mainUs: number; otherUs: number; rps: number; breakdown: Breakdown };

/** A side's parts in µs an answer; `scale` takes the window to the measured rows (1 when they are unknown). */
export type Costs = { parts: Record<string, number>; otherThreads: number; eventLoop: number; scale: number; window: ProfiledWindow };

/** What phases 1 and 2 measured at 10 connections: the target, the hello-world's req/s, both sides' CPU µs an answer. */
export type Measured = { label: string; minRatio: number; helloRps: number | null; cpuUs: number | null; helloCpuUs: number | null };

export const PART_ORDER = ['node', 'send', 'wake', 'other', 'hono', 'app', ...PARTS.map((p) => p.key).filter((k) => k !== 'send' && k !== 'wake')];
const LABELS: Record<string, string> = { ...Object.fromEntries(PARTS.map((p) => [p.key, p.label])), ...REST };
/** Node's side of an answer: what the hello-world's answers pay too. */
const NODE_SIDE = ['node', 'send', 'wake', 'other'];
const OWN = PART_ORDER.filter((k) => !NODE_SIDE.includes(k) && k !== 'hono');

/**
 * The window ran slower than the measured rows (perf's own cost, and one window against five
 * slices): its figures are scaled by measured ÷ window CPU an answer, taking every part to
 * have slowed alike.
 */
export function scaleWindow(window: ProfiledWindow, measuredUs: number | null): Costs {
  const total = window.mainUs + window.otherUs;
  const scale = measuredUs === null || total <= 0 ? 1 : measuredUs / total;
  const parts: Record<string, number> = {};
  for (const [key, share] of Object.entries(window.breakdown.shares)) parts[key] = share * window.mainUs * scale;
  return { parts, otherThreads: window.otherUs * scale, eventLoop: window.mainUs * scale, scale, window };
}

const sumParts = (costs: Costs, keys: string[]) => keys.reduce((total, k) => total + (costs.parts[k] ?? 0), 0);

/** One row per part that took at least 1% of either side's event loop, and one for the other threads. */
export function buildPartRows(label: string, uketori: Costs, hello: Costs): Row[] {
  const share = (c: Costs, k: string) => c.window.breakdown.shares[k] ?? 0;
  const measure = (what: string) => `${label}, CPU per answer by part (perf, 10 conn, scaled to the measured rows), ${what}`;
  const rows = PART_ORDER.filter((k) => share(uketori, k) >= 0.01 || share(hello, k) >= 0.01).map((k) =>
    row({
      measure: measure(`event loop: ${LABELS[k]}`),
      uketori: uketori.parts[k] ?? 0,
      baseline: share(hello, k) > 0 ? hello.parts[k]! : undefined,
      unit: 'µs',
      uketoriNote: `${(share(uketori, k) * 100).toFixed(1)}% of the event loop`,
      baselineNote: share(hello, k) > 0 ? 'hello-world' : undefined,
    }),
  );
  rows.push(row({ measure: measure("the other threads (V8's compiler and GC helpers)"), uketori: uketori.otherThreads, baseline: hello.otherThreads, unit: 'µs', baselineNote: 'hello-world' }));
  return rows;
}

/**
 * What the target leaves an answer, against what the profile shows the answer took. At the
 * target the server, one event loop, answers minRatio × the hello-world's req/s, so the event
 * loop has 1 / (minRatio × req/s) of CPU an answer.
 */
export function describeBudget(m: Measured, uketori: Costs, hello: Costs): string {
  const us = (v: number) => `${Math.round(v)} µs`;
  const nodeSide = sumParts(uketori, NODE_SIDE);
  const helloNodeSide = sumParts(hello, NODE_SIDE);
  const hono = uketori.parts.hono ?? 0;
  const own = OWN.filter((k) => (uketori.parts[k] ?? 0) >= 1)
    .sort((a, b) => uketori.parts[b]! - uketori.parts[a]!)
    .map((k) => `${LABELS[k]} ${us(uketori.parts[k]!)}`);
  const w = uketori.window;
  const lines = [
    m.cpuUs === null
      ? `In the profiled window (${formatNumber(w.rps, 'req/s')}, a second server under perf) an answer took ${us(w.mainUs)} on the event loop and ${us(w.otherUs)} on other threads.`
      : `The measured rows above took ${us(m.cpuUs)} an answer; the profiled window (${formatNumber(w.rps, 'req/s')}, a second server under perf) ` +
        `took ${us(w.mainUs + w.otherUs)}, so its figures are scaled by ${uketori.scale.toFixed(2)}: ${us(uketori.eventLoop)} on the event loop, ${us(uketori.otherThreads)} on other threads.`,
    `On the event loop, Node's HTTP server and event loop, the send and the kernel around them took ${us(nodeSide)} ` +
      `(${us(uketori.parts.wake ?? 0)} of it waking the load generator; the hello-world's ${us(helloNodeSide)}), Hono ${us(hono)}, ` +
      `and the portal's own parts ${us(sumParts(uketori, OWN))}: ${own.join(', ')}.`,
  ];
  if (m.helloRps !== null) {
    const budget = 1e6 / (m.minRatio * m.helloRps);
    lines.unshift(`${m.label}: at ${m.minRatio}× the hello-world's ${formatNumber(m.helloRps, 'req/s')} the event loop may spend ${us(budget)} of CPU an answer.`);
    if (uketori.eventLoop > budget) {
      const left = budget - nodeSide - hono;
      const asHello = budget - helloNodeSide - hono;
      lines.push(
        `It needs ${us(uketori.eventLoop - budget)} less an answer: ` +
          (left > 0 ? `the portal's own parts would have to fall to ${us(left)}` : `Node's side and Hono alone took ${us(nodeSide + hono)}`) +
          (asHello > 0 ? `, or to ${us(asHello)} were Node's side to cost what it costs the hello-world.` : ", even were Node's side to cost what it costs the hello-world."),
      );
    }
  } else {
    lines.unshift(`${m.label}:`);
  }
  return lines.join(' ');
}

/**
 * Phase 3's profiled window: a wrong-password flood on a second server under perf, with its
 * 401/s, the CPU ms a 401 on the event loop and on the other threads (argon2's pool), and the
 * event loop's samples by part.
 */
export type FloodWindow = {
  connections: number;
  rps: number;
  mainMs: number;
  otherMs: number;
  breakdown: Breakdown;
  /** The server was still busy after 20 s of waiting when the window began. */
  startedBusy: boolean;
};

/** Parts a flood's rows and notes name: those that took at least 1% of the event loop's samples, largest first. */
function floodPartKeys(window: FloodWindow): string[] {
  return PART_ORDER.filter((k) => (window.breakdown.shares[k] ?? 0) >= 0.01).sort((a, b) => window.breakdown.shares[b]! - window.breakdown.shares[a]!);
}

/**
 * The event loop's ms a 401 by part: the window's shares of the event loop applied to the ms
 * a 401 the measured flood's event loop took (the window's own when that is unknown). Only the
 * shares come from the window: a server under perf, and one window against the measured slices.
 */
export function floodParts(window: FloodWindow, measuredMainMs: number | null): Record<string, number> {
  const base = measuredMainMs ?? window.mainMs;
  return Object.fromEntries(Object.entries(window.breakdown.shares).map(([k, share]) => [k, share * base]));
}

/** One row per part of 1% or more of the flood's event loop, in ms a 401. */
export function buildFloodRows(at: string, window: FloodWindow, measuredMainMs: number | null): Row[] {
  const parts = floodParts(window, measuredMainMs);
  const basis = measuredMainMs === null ? 'the profiled window' : "the profiled window's shares of the measured event loop";
  return floodPartKeys(window).map((k) =>
    row({
      measure: `3. Password POST, event loop per 401 by part (perf, ${at}, ${basis}): ${LABELS[k]}`,
      uketori: parts[k]!,
      unit: 'ms',
      uketoriNote: `${(window.breakdown.shares[k]! * 100).toFixed(1)}% of the event loop`,
    }),
  );
}

/** The profiled window itself, for a note: what it ran at, so its shares can be judged. */
export function describeFloodWindow(window: FloodWindow): string {
  return (
    `a second server flooded at ${window.connections} connections under perf ran at ${formatNumber(window.rps, '401/s')}, ` +
    `its event loop ${formatNumber(window.mainMs, 'ms')} a 401 and argon2's threads ${formatNumber(window.otherMs, 'ms')} ` +
    `(${window.breakdown.samples} samples of the event loop); the rows by part apply its shares to the measured flood's event loop.`
  );
}

/** The event loop's time a 401, part by part, for a note: "Node's HTTP server … 0.70 ms, …". */
export function describeFloodLoop(window: FloodWindow, measuredMainMs: number | null): string {
  const parts = floodParts(window, measuredMainMs);
  const ms = (v: number) => formatNumber(v, 'ms');
  return (
    `By perf in this run (the profiled flood, ${window.connections} connections), the event loop's ${ms(measuredMainMs ?? window.mainMs)} ` +
    `a 401 went to: ${floodPartKeys(window).map((k) => `${LABELS[k]} ${ms(parts[k]!)}`).join(', ')}.`
  );
}
