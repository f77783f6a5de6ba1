import { describe, expect, it } from 'vitest';
import { buildFloodRows, buildPartRows, describeBudget, describeFloodLoop, describeFloodWindow, floodParts, scaleWindow, type FloodWindow, type Measured, type ProfiledWindow } from '../../bench/part-costs.js';

const window = (mainUs: number, otherUs: number, shares: Record<string, number>): ProfiledWindow => ({ mainUs, otherUs, rps: 8000, breakdown: { samples: 1000, shares } });

// A landing whose window took 150 µs (120 on the event loop) where the measured rows read 100 µs.
const landing = window(120, 30, { node: 0.3, send: 0.1, wake: 0.1, hono: 0.1, pickup: 0.25, log: 0.15 });
const hello = window(20, 5, { node: 0.6, send: 0.3, wake: 0.05, hono: 0.05 });
const measured: Measured = { label: '1. Landing GET', minRatio: 0.25, helloRps: 40_000, cpuUs: 100, helloCpuUs: 20 };

describe('the costs by part behind the report (bench/part-costs.ts)', () => {
  it('scales the window to the measured CPU an answer, the event loop by its shares and the other threads whole', () => {
    const costs = scaleWindow(landing, 100);
    expect(costs.scale).toBeCloseTo(100 / 150);
    expect(costs.eventLoop).toBeCloseTo(80);
    expect(costs.otherThreads).toBeCloseTo(20);
    expect(costs.parts.pickup).toBeCloseTo(20);
    expect(costs.parts.node).toBeCloseTo(24);
    // Unknown measured figures leave the window as it was.
    expect(scaleWindow(landing, null).parts.pickup).toBeCloseTo(30);
  });

  it('sets the parts against the budget the target leaves the event loop', () => {
    const note = describeBudget(measured, scaleWindow(landing, 100), scaleWindow(hello, 20));
    // 1e6 / (0.25 × 40,000) = 100 µs; the event loop took 80 µs of the measured 100.
    expect(note).toContain('may spend 100 µs of CPU an answer');
    expect(note).toContain('scaled by 0.67: 80 µs on the event loop, 20 µs on other threads');
    // Node's side: node 24 + send 8 + wake 8 = 40 µs (the hello-world's 16 × 0.95 = 15 µs); Hono 8 µs; own: pickup 20 + log 12.
    expect(note).toContain('took 40 µs (8 µs of it waking the load generator');
    expect(note).toContain("the hello-world's 15 µs), Hono 8 µs, and the portal's own parts 32 µs");
    expect(note).not.toContain('less an answer');
  });

  it('says how far over the budget the event loop is, and never asks a part to fit in less than nothing', () => {
    const tight = { ...measured, helloRps: 80_000 }; // 50 µs
    const note = describeBudget(tight, scaleWindow(landing, 100), scaleWindow(hello, 20));
    expect(note).toContain('It needs 30 µs less an answer');
    expect(note).toContain("the portal's own parts would have to fall to 2 µs, or to 27 µs were Node's side to cost what it costs the hello-world");
    const tighter = { ...measured, helloRps: 200_000 }; // 20 µs
    const over = describeBudget(tighter, scaleWindow(landing, 100), scaleWindow(hello, 20));
    expect(over).toContain("Node's side and Hono alone took 48 µs");
    expect(over).not.toMatch(/-\d+ µs/);
  });

  it('gives a row per part of 1% or more, a dash where the hello-world has no such part, and a row for the other threads', () => {
    const rows = buildPartRows('1. Landing GET', scaleWindow(landing, 100), scaleWindow(hello, 20));
    const pickup = rows.find((r) => r.measure.endsWith('finding the pickup (the token\'s hash, the row, and for a download its file)'))!;
    expect(pickup.uketori).toBe('20.0 µs (25.0% of the event loop)');
    expect(pickup.baseline).toBe('—');
    const other = rows.find((r) => r.measure.includes('other threads'))!;
    expect([other.uketori, other.baseline]).toEqual(['20.0 µs', '4.00 µs (hello-world)']);
    expect(rows.some((r) => r.measure.includes('garbage collection'))).toBe(false);
  });

  it("applies a flood window's shares to the measured event loop's ms a 401, largest part first", () => {
    // The window ran 2.5 ms a 401 on its event loop under perf; the measured flood's took 2.0 ms.
    const flood: FloodWindow = {
      connections: 10,
      rps: 58,
      mainMs: 2.5,
      otherMs: 29,
      breakdown: { samples: 900, shares: { node: 0.4, timeline: 0.15, throttle: 0.1, argon2: 0.045, app: 0.3, gc: 0.005 } },
      startedBusy: false,
    };
    const parts = floodParts(flood, 2);
    expect(parts.node).toBeCloseTo(0.8);
    expect(parts.timeline).toBeCloseTo(0.3);
    // Without a measured figure the window's own ms stand.
    expect(floodParts(flood, null).node).toBeCloseTo(1);
    const rows = buildFloodRows('10 conn', flood, 2);
    expect(rows.map((r) => r.uketori)).toEqual(['0.80 ms (40.0% of the event loop)', '0.60 ms (30.0% of the event loop)', '0.30 ms (15.0% of the event loop)', '0.20 ms (10.0% of the event loop)', '0.09 ms (4.5% of the event loop)']);
    expect(rows[2]!.measure).toBe("3. Password POST, event loop per 401 by part (perf, 10 conn, the profiled window's shares of the measured event loop): the timeline (a row written, or the newest read)");
    // Under 1% of the samples, a part gets no row.
    expect(rows.some((r) => r.measure.endsWith('garbage collection'))).toBe(false);
    const note = describeFloodLoop(flood, 2);
    expect(describeFloodWindow(flood)).toBe(
      "a second server flooded at 10 connections under perf ran at 58.0 401/s, its event loop 2.50 ms a 401 and argon2's threads 29.0 ms (900 samples of the event loop); the rows by part apply its shares to the measured flood's event loop.",
    );
    expect(note).toContain('By perf in this run (the profiled flood, 10 connections)');
    expect(note).toContain("the event loop's 2.00 ms a 401 went to: Node's HTTP server, streams and event loop (socket reads included) 0.80 ms, the portal's routes and middleware (src/, the rest) 0.60 ms, the timeline");
  });
});
