import type { AutocannonRequest, RequestContext } from 'autocannon';
import { describe, expect, it } from 'vitest';
import { contentLength, guessesNeeded, wrongPasswordRequests } from '../../bench/phases/flood-requests.js';
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
  it("counts the settling round's slices beside the five counted rounds", () => {
    const full = parseSettings([], dirs);
    expect(full.rounds).toBe(5);
    const perSecond = 80;
    const connections = full.connections.reduce((sum, c) => sum + c, 0);
    // Six slices of runS / 5 at each connection count, the warm-up, and one queued guess a
    // connection left at the end of each slice.
    const expected = perSecond * ((full.runS / 5) * 6 * full.connections.length + full.warmupS) + 6 * connections;
    expect(guessesNeeded(full, perSecond)).toBeCloseTo(expected, 6);
  });

  it('has no settling round to pay for in a quick run', () => {
    const quick = parseSettings(['--quick'], dirs);
    expect(quick.rounds).toBe(1);
    const connections = quick.connections.reduce((sum, c) => sum + c, 0);
    expect(guessesNeeded(quick, 50)).toBeCloseTo(50 * (quick.runS * quick.connections.length + quick.warmupS) + connections, 6);
  });
});
