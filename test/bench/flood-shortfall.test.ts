import { describe, expect, it } from 'vitest';
import type { FloodFigures } from '../../bench/phases/flood-slices.js';
import { floorNote } from '../../bench/phases/floor.js';
import { shortfall } from '../../bench/phases/password.js';

// A flood at 60 401/s on 2 cores 96% busy: 32 ms of the cores a 401, where a raw check takes 27 ms.
const figures = (mainMs: number, otherMs: number): FloodFigures => ({
  flood: { connections: 10, durationS: 10, rps: 60, p50: 160, p99: 250, served: 600, statuses: { 401: 600 }, outsideWindow: 0, errors: 0, timeouts: 0 },
  healthz: { p50: 2, p99: 9, count: 500, failures: 0 },
  threads: { mainMs, otherMs, otherFaults: 0 },
  busy: 0.96,
});

describe("the wrong-password note's arithmetic (bench/phases/password.ts)", () => {
  it('says nothing when the target was met', () => {
    expect(shortfall(0.86, figures(2.4, 27), 27, 2)).toBeNull();
  });

  it('says how much less of the cores a 401 needs, and what the event loop would have to fall to', () => {
    // 32.0 ms were spent; at 0.85× a 401 could take 32.0 × 0.81 ÷ 0.85 = 30.49 ms: 1.51 ms over.
    const note = shortfall(0.81, figures(2.4, 27), 27, 2)!;
    expect(note).toContain('busy for 32.0 ms (96.0% of the time)');
    expect(note).toContain('leaves a 401 30.5 ms of the cores: it needs 1.51 ms less');
    expect(note).toContain('it needs 1.51 ms less, and with the rest as it was the event loop would have to fall from 2.40 ms to 0.89 ms a guess');
    // No profile in this run: the note points at the one in the docs.
    expect(note).toContain('docs/benchmarks.md, fifth round');
  });

  it('reads the busy time over all the cores the busy share was read over', () => {
    // Four cores half busy at 60 401/s: 33.3 ms a 401; at 0.85× it could take 0.81 ÷ 0.85 of that.
    const note = shortfall(0.81, { ...figures(2.4, 27), busy: 0.5 }, 27, 4)!;
    expect(note).toContain('the 4 cores were busy for 33.3 ms (50.0% of the time)');
    expect(note).toContain('leaves a 401 31.8 ms of the cores: it needs 1.57 ms less');
  });

  it('says when even an event loop that cost nothing would not be enough', () => {
    const note = shortfall(0.81, figures(1.2, 27), 27, 2)!;
    expect(note).toContain("it needs 1.51 ms less, and that is more than the event loop's whole 1.20 ms, so argon2's threads");
  });

  it("splits the event loop's time by part when the run profiled the flood", () => {
    const profile = { connections: 10, rps: 58, mainMs: 3, otherMs: 29, breakdown: { samples: 900, shares: { node: 0.5, throttle: 0.25, timeline: 0.25 } }, startedBusy: false };
    const note = shortfall(0.81, figures(2.4, 27), 27, 2, profile)!;
    expect(note).toContain("the event loop's 2.40 ms a 401 went to: Node's HTTP server, streams and event loop (socket reads included) 1.20 ms, the throttle's transaction (admitting the guess) 0.60 ms, the timeline (a row written, or the newest read) 0.60 ms.");
    expect(note).not.toContain('fifth round');
  });
});

describe("the floor's note (bench/phases/floor.ts)", () => {
  it("gives the floor's ratio, the portal's share of its rate, and where its cores' time went", () => {
    // The floor at 66 401/s against raw 75: 0.88×; 96% of 2 cores is 29.1 ms a 401.
    const floor = { ...figures(1.5, 26), flood: { ...figures(0, 0).flood, rps: 66 } };
    const note = floorNote(floor, 62, 75, 2);
    expect(note).toContain('66.0 401/s, 0.880× raw argon2 (at or above the portal');
    expect(note).toContain('the portal ran at 0.939× its rate.');
    expect(note).toContain("busy for 29.1 ms (96.0%): argon2's pool threads 26.0 ms, its event loop 1.50 ms and 1.59 ms outside it.");
    expect(note).not.toContain('Other answers');
  });

  it("reads the floor's busy time from its own busy share, over all the cores", () => {
    // 4 cores half busy at 66 401/s: 30.3 ms a 401 (the portal's figures say 96% and must not be used).
    const floor = { ...figures(1.5, 26), busy: 0.5, flood: { ...figures(0, 0).flood, rps: 66 } };
    expect(floorNote(floor, 62, 75, 4, figures(2.4, 27))).toContain('the 4 cores were busy for 30.3 ms (50.0%)');
  });

  it('says when the floor itself stays under the target, and names answers other than 401 and failures', () => {
    const floor = { ...figures(2, 27), flood: { ...figures(0, 0).flood, rps: 60, statuses: { 401: 600, 503: 3 }, errors: 2 } };
    const note = floorNote(floor, 55, 75, 2);
    expect(note).toContain('0.800× raw argon2 (below the portal');
    expect(note).toContain('Other answers 503: 3; socket errors 2; timeouts 0; /healthz failures 0.');
  });

  it('says so when the floor answered no 401 at all, instead of dividing by nothing', () => {
    const floor = { ...figures(2, 27), flood: { ...figures(0, 0).flood, rps: 0, served: 0, statuses: {}, timeouts: 4 } };
    const note = floorNote(floor, 55, 75, 2);
    expect(note).toBe('no 401s (socket errors 0, timeouts 4); nothing to compare.');
  });

  it("sets the event loop the target left the portal beside the floor's own, where the portal missed", () => {
    // A floor at 2 cores 90% busy, so that its busy share differs from the portal's.
    const floor = { ...figures(1.5, 26), busy: 0.9, flood: { ...figures(0, 0).flood, rps: 66 } };
    // The portal at 60 of 75 (0.80×), 96% of 2 cores: 32.0 ms a 401. At 0.85× it could take
    // 1.88 ms less, so its event loop 2.40 − 1.88 = 0.52 ms.
    const missed = floorNote(floor, 60, 75, 2, figures(2.4, 27));
    expect(missed).toContain("the target left the portal's event loop 0.52 ms a guess; the floor's, which only reads the form and runs the check, took 1.50 ms.");
    // On 4 cores the portal's 401 took 64.0 ms of them, so 3.76 ms over: nothing left.
    expect(floorNote(floor, 60, 75, 4, figures(2.4, 27))).toContain("the target left the portal's event loop nothing a guess");
    expect(floorNote(floor, 60, 75, 2, figures(1.2, 27))).toContain("the target left the portal's event loop nothing a guess");
    // Met (64.5 of 75 is 0.86×): nothing to set beside it.
    expect(floorNote(floor, 64.5, 75, 2, figures(2.4, 27))).not.toContain('left the portal');
  });
});
