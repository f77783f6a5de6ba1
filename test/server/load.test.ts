import http from 'node:http';
import type { Socket } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { events, pickups } from '../../src/db/schema.js';
import { defaultConcurrency, threadPoolSize } from '../../src/auth/password-hasher.js';
import { createPortalServer, type PortalServer } from '../../src/http/node-server.js';
import { issueTestPickup } from '../factories.js';
import { gatedArgon2, makeTestApp, ORIGIN, pathOf, testConfig, type TestApp } from '../helpers.js';
import { listen, rawConnection, until } from './support.js';

let t: TestApp;
let server: PortalServer;
let base: string;
let started = false;

async function start(options: Parameters<typeof makeTestApp>[0] = {}) {
  t = makeTestApp(options);
  server = createPortalServer(t.deps);
  base = `http://127.0.0.1:${await listen(server)}`;
  started = true;
}
afterEach(async () => {
  if (!started) return;
  started = false;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  t.close();
});

const formPost = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(base + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

describe('Download race', () => {
  it('50 concurrent presses on a fresh pickup start one window and all get identical bytes', async () => {
    await start();
    const p = await issueTestPickup(t.deps);
    const login = await formPost(pathOf(p.url), `password=${p.password}`);
    expect(login.status).toBe(303);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;

    const responses = await Promise.all(Array.from({ length: 50 }, () => formPost(`${pathOf(p.url)}/download`, '', { Cookie: cookie })));
    const bodies = await Promise.all(responses.map(async (r) => Buffer.from(await r.arrayBuffer())));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(bodies[0]!.length).toBeGreaterThan(1000);
    for (const body of bodies) expect(body.equals(bodies[0]!)).toBe(true);

    const kinds = t.db.select().from(events).where(eq(events.pickupId, p.id)).all().map((e) => e.kind);
    expect(kinds.filter((k) => k === 'window-started')).toHaveLength(1);
    // 50 presses in the same minute leave one `downloaded` row: the timeline is bounded like page views.
    expect(kinds.filter((k) => k === 'downloaded')).toHaveLength(1);
    expect(t.db.select().from(pickups).where(eq(pickups.id, p.id)).get()!.windowStartedAt).toBe(t.clock());
  });
});

describe('password flood', () => {
  it('fills a pool no bigger than the cores with argon2 and queues one check behind it; a bigger pool keeps one check per core and a thread free', () => {
    // npm start's pool on 2 cores: both threads run checks and a third waits in the pool's queue.
    expect(defaultConcurrency(2, 2)).toBe(3);
    expect(defaultConcurrency(1, 1)).toBe(2);
    expect(defaultConcurrency(16, 4)).toBe(5);
    expect(defaultConcurrency(4, 1)).toBe(2);
    // libuv's default pool of 4 on fewer cores, or a pool set larger than the cores.
    expect(defaultConcurrency(2, 4)).toBe(2);
    expect(defaultConcurrency(1, 4)).toBe(1);
    expect(defaultConcurrency(3, 4)).toBe(3);
    expect(defaultConcurrency(16, 64)).toBe(16);
  });

  it('reads the pool size as libuv does', () => {
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '2' })).toBe(2);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '3 threads' })).toBe(3);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'many' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
  });

  it('more password posts than the queue holds: some 503 at once, no other 5xx, /healthz answers meanwhile', async () => {
    // One argon2 at a time and a queue of four, of which one URL may hold a quarter (one place);
    // every post from its own /24 (behind a named proxy) so neither the client nor the network
    // throttle absorbs the flood before the queue does.
    await start({ config: testConfig({ TRUST_PROXY: '127.0.0.1' }), hasherConcurrency: 1, queueLimit: 4 });
    const p = await issueTestPickup(t.deps);
    const finished: Array<{ status: number; retryAfter: string | null }> = [];
    let floodDone = false;
    const flood = Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await formPost(pathOf(p.url), 'password=ABCDEFGH', { 'X-Forwarded-For': `198.51.${i + 1}.7` });
        await res.arrayBuffer();
        finished.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
      }),
    ).then(() => {
      floodDone = true;
    });

    while (t.deps.hasher.inFlight === 0) await new Promise((resolve) => setImmediate(resolve));
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect(floodDone).toBe(false);
    await flood;

    const statuses = finished.map((f) => f.status);
    expect(statuses.every((s) => s === 401 || s === 503), statuses.join(',')).toBe(true);
    const busy = finished.filter((f) => f.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    // At least the check in flight and the URL's one queued place were answered; how many more
    // got in as places freed up depends on how fast the posts arrive, which a test cannot fix.
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(2);
    for (const b of busy) expect(Number(b.retryAfter)).toBeGreaterThan(0);
    // Refused at once: every 503 was answered before the last password check finished.
    expect(statuses.lastIndexOf(503)).toBeLessThan(statuses.lastIndexOf(401));
    expect(t.deps.hasher.inFlight + t.deps.hasher.queued).toBe(0);
  });

  it('password posts whose connection closes while their checks wait are dropped, pipelined ones too: argon2 never runs for them', async () => {
    const gated = gatedArgon2();
    await start({ config: testConfig({ TRUST_PROXY: '127.0.0.1' }), hasherConcurrency: 1, argon2: gated.calls });
    const p = await issueTestPickup(t.deps);
    // The first check is held in flight at the gate.
    const first = formPost(pathOf(p.url), 'password=ABCDEFGH', { 'X-Forwarded-For': '198.51.1.7' });
    first.catch(() => undefined); // awaited below; a failed wait above must not leave it unhandled
    await until(() => t.deps.hasher.inFlight === 1, 'the first check in flight');
    // Two more on one connection, the second pipelined behind the first; both queue, then the
    // client hangs up. Only the first of the two has its answer due, so only it would see the
    // request's own signal.
    const post = (n: number) =>
      `POST ${pathOf(p.url)} HTTP/1.1\r\nHost: ${new URL(base).host}\r\nOrigin: ${ORIGIN}\r\nX-Forwarded-For: 198.51.${n}.7\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 17\r\n\r\npassword=ABCDEFGK';
    const leaver = rawConnection(Number(new URL(base).port));
    await leaver.connected;
    await leaver.write(post(2) + post(3));
    await until(() => t.deps.hasher.queued === 2, 'both pipelined checks queued');
    leaver.socket.destroy();
    // They leave the queue while the first check is still held: neither reached argon2.
    await until(() => t.deps.hasher.queued === 0, 'both to leave the queue');
    expect(t.deps.hasher.inFlight).toBe(1);

    gated.open();
    expect((await first).status).toBe(401);
    expect(gated.verifies()).toBe(1);
    // Only the check that ran is on the timeline; the access log and the metrics count the others.
    const failed = t.db.select().from(events).where(and(eq(events.pickupId, p.id), eq(events.kind, 'password-failed'))).all();
    expect(failed).toHaveLength(1);
    await until(() => t.logs.filter((line) => line.includes('"status":499')).length === 2, 'the access lines of the dropped posts');
    const metrics = await (await fetch(`${base}/metrics`, { headers: { 'X-Forwarded-For': '127.0.0.1' } })).text();
    expect(metrics).toMatch(/^uketori_password_checks_total\{outcome="abandoned"\} 2$/m);
    expect(metrics).toMatch(/^uketori_password_checks_total\{outcome="wrong"\} 1$/m);
  });
  it('a keep-alive connection carrying many password posts gathers no close listeners', async () => {
    await start({ config: testConfig({ TRUST_PROXY: '127.0.0.1' }) });
    const p = await issueTestPickup(t.deps);
    const sockets: Socket[] = [];
    server.on('connection', (socket: Socket) => sockets.push(socket));
    const closeListeners: number[] = [];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (i: number) =>
      new Promise<number>((resolve, reject) => {
        const headers = { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': `198.51.${i}.7` };
        const req = http.request(`${base}${pathOf(p.url)}`, { method: 'POST', agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
        req.end('password=ABCDEFGH');
      });
    for (let i = 1; i <= 12; i++) {
      expect(await post(i)).toBe(401);
      closeListeners.push(sockets[0]!.listenerCount('close'));
    }
    agent.destroy();
    // One connection served all twelve, and each post took its listener off again.
    expect(sockets).toHaveLength(1);
    expect(new Set(closeListeners).size).toBe(1);
  });
});
