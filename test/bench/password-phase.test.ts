import type { AutocannonRequest, RequestContext } from 'autocannon';
import { describe, expect, it } from 'vitest';
import { contentLength, guessesNeeded, pickupsFor, wrongPasswordRequests } from '../../bench/phases/flood-requests.js';
import { COUNT_FROM_MS, countFromMs, settlingRounds } from '../../bench/phases/flood-slices.js';
import { LOAD_OVERRUN_S } from '../../bench/http.js';
import { summarize } from '../../bench/summary.js';
import { FREE_FAILURES } from '../../src/pickup/throttle.js';
import { parseSettings } from '../../bench/settings.js';
import type { IssuedPickup } from '../../bench/staff.js';

const dirs = { workDir: '/tmp', rawDir: '/tmp', repoRoot: '/tmp' };
const pickup = (n: number): IssuedPickup => ({ serial: `S${n}`, url: `http://127.0.0.1:1/d/tok${n}`, password: 'Ab3dEf7h', pin: 'x', issuedAt: '', expiresAt: '' });

describe("phase 3's page length for the floor", () => {
  it('reads Content-Length whatever the case of its name', () => {
    expect(contentLength({ 'content-length': '4321' })).toBe(4321);
    expect(contentLength({ 'Content-Length': '4321' })).toBe(4321);
    expect(contentLength({ 'CONTENT-LENGTH': '17' })).toBe(17);
  });

  it('gives 0 for a missing or unusable length, so no floor is started on it', () => {
    expect(contentLength({})).toBe(0);
    expect(contentLength({ 'content-length': 'abc' })).toBe(0);
    expect(contentLength({ 'content-length': '-5' })).toBe(0);
    expect(contentLength({ 'content-length': '1.5' })).toBe(0);
  });

  it("takes the first 401's length from the flood's own answers, and marks a 429's pickup to skip", () => {
    const throttled = new Set<number>();
    const answer = { bytes: 0 };
    const [request] = wrongPasswordRequests([pickup(0), pickup(1)], 'http://127.0.0.1:1', throttled, answer) as [AutocannonRequest & Required<Pick<AutocannonRequest, 'setupRequest' | 'onResponse'>>];
    const first: RequestContext = {};
    const sent = request.setupRequest(request, first) as AutocannonRequest;
    expect(sent.path).toBe('/d/tok0');
    // The wrong password: the right one rotated, never the right one.
    expect(new URLSearchParams(String(sent.body)).get('password')).toBe('b3dEf7hA');
    request.onResponse(200, '', first, { 'Content-Length': '999' });
    expect(answer.bytes).toBe(0);
    request.onResponse(401, '', first, { 'Content-Length': '4321' });
    request.onResponse(401, '', first, { 'content-length': '1' });
    expect(answer.bytes).toBe(4321);
    const second: RequestContext = {};
    request.setupRequest(request, second);
    request.onResponse(429, '', second, {});
    expect([...throttled]).toEqual([1]);
    // From then on every guess goes to the pickup that was not throttled.
    for (let i = 0; i < 3; i++) expect((request.setupRequest(request, {}) as AutocannonRequest).path).toBe('/d/tok0');
  });
});

describe("phase 3's pickup budget", () => {
  it("covers what a measured full run's flood really sent, with the throttle's free guesses to spare", () => {
    const full = parseSettings([], dirs);
    // 12-58 (bench/results/2026-12-03T12-58-36Z.md): raw argon2 at 91.3 checks a second before the
    // floods; its server logged 2,941 401s and 338 abandoned checks (499), every one of them a
    // guess the throttle counted, over the warm-up and the six rounds of slices. autocannon runs
    // past each slice's 2 s, so a budget of slices × 2 s fell short of that.
    const sent = 2941 + 338;
    const pickups = pickupsFor(guessesNeeded(full, 91.3));
    expect(pickups).toBeLessThan(1000);
    // Spread round-robin, no pickup gets more than the mean rounded up; keep two guesses clear of
    // the throttle's free ones (the budget of 12-58's own run left 52 pickups at 11 admitted guesses).
    expect(Math.ceil(sent / pickups)).toBeLessThanOrEqual(FREE_FAILURES - 2);
  });

  it('counts the settling round and the overrun of every load, and none of it in a quick run', () => {
    const full = parseSettings([], dirs);
    const quick = parseSettings(['--quick'], dirs);
    expect([full.rounds, quick.rounds]).toEqual([5, 1]);
    const perSecond = 80;
    // Six slices at each connection count in a full run, one in a quick run; each load runs
    // LOAD_OVERRUN_S past its duration; one queued guess a connection at the end of each.
    const slicesS = (s: typeof full, slices: number) => (s.runS / s.rounds + LOAD_OVERRUN_S) * slices * s.connections.length;
    const queued = (s: typeof full, slices: number) => slices * 60 + s.connections[0]!;
    expect(guessesNeeded(full, perSecond)).toBeCloseTo(perSecond * (slicesS(full, 6) + full.warmupS + LOAD_OVERRUN_S) + queued(full, 6), 6);
    expect(guessesNeeded(quick, perSecond)).toBeCloseTo(perSecond * (slicesS(quick, 1) + quick.warmupS + LOAD_OVERRUN_S) + queued(quick, 1), 6);
  });
});

describe("phase 3's counted windows", () => {
  it('counts every slice of a full run from half a second in, and a quick run\'s one slice whole', () => {
    expect([settlingRounds(5), countFromMs(5)]).toEqual([1, COUNT_FROM_MS]);
    expect([settlingRounds(1), countFromMs(1)]).toEqual([0, 0]);
    expect(COUNT_FROM_MS).toBe(500);
  });

  it("says so in the report's header", () => {
    const run = { stamp: 'x', machine: [], app: 'a', rawDir: 'r', phases: {}, rss: { rows: [], notes: [] }, errors: [] };
    const header = (argv: string[]) => summarize(parseSettings(argv, dirs), run).facts.join('\n');
    expect(header([])).toContain('Phase 3 runs 1 more round first and does not count it; each of its flood slices is counted from 0.5 s in');
    expect(header(['--quick'])).not.toContain('Phase 3 runs');
  });
});
