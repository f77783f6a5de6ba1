import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';
import { parseAllowList } from '../../src/http/address-ranges.js';
import { scrapeAddress } from '../../src/http/metrics-access.js';
import { securityHeaderList } from '../../src/http/security-headers.js';
import { HOUR } from '../../src/lib/clock.js';
import { createMetrics, ROUTE_CLASSES, routeClass } from '../../src/lib/metrics.js';
import { sweepKeyMaterial } from '../../src/services/sweep.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { issueTestPickup } from '../factories.js';
import { binaryBody, cookieFrom, makeTestApp, ORIGIN, pathOf, postForm, testConfig, type TestApp } from '../helpers.js';

let t: TestApp;
afterEach(() => {
  t?.close();
  t = undefined as unknown as TestApp;
});

/** The sample lines of a scrape (no # HELP / # TYPE), as a name{labels} -> value map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

async function scrape(): Promise<string> {
  const res = await t.http().get('/metrics');
  expect(res.status).toBe(200);
  return res.text;
}

const wrong = (p: IssuedPickup) => postForm(t, pathOf(p.url), { password: 'WRNGpw23' });

describe('GET /metrics after a scripted visit', () => {
  it('counts a right and a wrong password, a throttled one, a window, a download and a sweep', async () => {
    t = makeTestApp();
    const p = await issueTestPickup(t.deps, {}, { applicationCode: 'APP-7731-QX' });
    const other = await issueTestPickup(t.deps, { email: 'hanako@example.jp' });

    expect((await t.http().get(pathOf(p.url))).status).toBe(200);
    expect((await wrong(p)).status).toBe(401);
    expect((await postForm(t, pathOf(p.url), { password: 'short' })).status).toBe(400);
    const ok = await postForm(t, pathOf(p.url), { password: p.password });
    expect(ok.status).toBe(303);
    const cookie = cookieFrom(ok);
    const file = await postForm(t, `${pathOf(p.url)}/download`, {}, cookie).buffer(true).parse(binaryBody);
    expect(file.status).toBe(200);
    const again = await postForm(t, `${pathOf(p.url)}/download`, {}, cookie).buffer(true).parse(binaryBody);
    expect(again.status).toBe(200);
    // Wrong guesses on the other pickup until the throttle answers.
    let wrongs = 0;
    let last = await wrong(other);
    while (last.status === 401 && wrongs < 30) {
      wrongs++;
      last = await wrong(other);
    }
    expect(last.status).toBe(429);
    t.clock.advance(HOUR + 1);
    const swept = await sweepKeyMaterial(t.deps);
    expect(swept.destroyed.map((d) => d.reason)).toEqual(['downloaded']);

    const res = await t.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const m = samples(res.text);
    expect(m.get('uketori_password_checks_total{outcome="ok"}')).toBe(1);
    expect(m.get('uketori_password_checks_total{outcome="wrong"}')).toBe(1 + wrongs);
    expect(m.get('uketori_password_checks_total{outcome="throttled"}')).toBe(1);
    expect(m.get('uketori_password_checks_total{outcome="malformed"}')).toBe(1);
    expect(m.has('uketori_password_checks_total{outcome="busy"}')).toBe(false);
    expect(m.get('uketori_windows_started_total')).toBe(1);
    expect(m.get('uketori_downloads_total')).toBe(2);
    expect(m.get('uketori_guess_budget_drained_total')).toBe(0);
    expect(m.get('uketori_sweep_runs_total')).toBe(1);
    expect(m.get('uketori_sweep_destroyed_total{reason="downloaded"}')).toBe(1);
    expect(m.get('uketori_sweep_files_deleted_total')).toBe(0);
    expect(m.get('uketori_sweep_wal_clean')).toBe(1);
    expect(m.get('uketori_sweep_last_run_timestamp_seconds')).toBe(Math.floor(t.clock() / 1000));
    expect(m.get('uketori_hasher_queue_depth')).toBe(0);
    expect(m.get('uketori_hasher_in_flight')).toBe(0);
    // Requests by route class and status: the scrape itself is counted once it has answered.
    expect(m.get('uketori_http_requests_total{route="landing",status="200"}')).toBe(1);
    expect(m.get('uketori_http_requests_total{route="password",status="401"}')).toBe(1 + wrongs);
    expect(m.get('uketori_http_requests_total{route="password",status="400"}')).toBe(1);
    expect(m.get('uketori_http_requests_total{route="password",status="303"}')).toBe(1);
    expect(m.get('uketori_http_requests_total{route="password",status="429"}')).toBe(1);
    expect(m.get('uketori_http_requests_total{route="download",status="200"}')).toBe(2);
    expect(m.has('uketori_http_requests_total{route="metrics",status="200"}')).toBe(false);
    expect(m.get('uketori_http_request_duration_seconds_count{route="password"}')).toBe(4 + wrongs);
    expect(m.get('uketori_http_request_duration_seconds_bucket{le="+Inf",route="download"}')).toBe(2);
    // SQLite has no pool: the pool gauges are left out, not reported as zero.
    expect(res.text).not.toContain('uketori_db_pool');

    const next = samples(await scrape());
    expect(next.get('uketori_http_requests_total{route="metrics",status="200"}')).toBe(1);
  });

  it('names no token, serial, application code or client address', async () => {
    t = makeTestApp({ config: testConfig({ TRUST_PROXY: '127.0.0.1', METRICS_ALLOW: '127.0.0.0/8,198.51.100.0/24' }) });
    const p = await issueTestPickup(t.deps, {}, { applicationCode: 'APP-7731-QX' });
    const client = '203.0.113.77';
    const from = (req: ReturnType<typeof postForm>) => req.set('X-Forwarded-For', client);
    expect((await from(postForm(t, pathOf(p.url), { password: 'WRNGpw23' }))).status).toBe(401);
    const ok = await from(postForm(t, pathOf(p.url), { password: p.password }));
    await from(postForm(t, `${pathOf(p.url)}/download`, {}, cookieFrom(ok)));
    await t.http().get('/no/such/path').set('X-Forwarded-For', client);
    const text = (await t.http().get('/metrics').set('X-Forwarded-For', '198.51.100.9')).text;
    expect(text).toContain('uketori_downloads_total 1');
    const token = pathOf(p.url).split('/').pop()!;
    for (const secret of [token, token.slice(0, 8), p.serial, p.serial.toLowerCase(), p.id, 'APP-7731-QX', p.password, p.pin, client, '198.51.100.9', '/d/', 'no/such']) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('counts a check refused because the hasher queue is full as busy', async () => {
    t = makeTestApp({ hasherConcurrency: 1, queueLimit: 1 });
    const p = await issueTestPickup(t.deps);
    // One check runs and one waits; the others sent meanwhile find no room.
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => wrong(p)))).map((r) => r.status);
    const busy = statuses.filter((s) => s === 503).length;
    expect(busy).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(8 - busy);
    const m = samples(await scrape());
    expect(m.get('uketori_password_checks_total{outcome="busy"}')).toBe(busy);
    expect(m.get('uketori_password_checks_total{outcome="wrong"}')).toBe(8 - busy);
    expect(m.get('uketori_http_requests_total{route="password",status="503"}')).toBe(busy);
  });

  it('reports the pool gauges when the store has a pool', async () => {
    t = makeTestApp();
    t.deps.poolStats = () => ({ inUse: 3, waiting: 2 });
    const m = samples(await scrape());
    expect(m.get('uketori_db_pool_in_use')).toBe(3);
    expect(m.get('uketori_db_pool_waiting')).toBe(2);
    t.deps.poolStats = () => null;
    expect(await scrape()).not.toContain('uketori_db_pool');
  });

  it('keeps every security header on the answer', async () => {
    t = makeTestApp();
    const res = await t.http().get('/metrics');
    for (const [name, value] of securityHeaderList(false)) expect(res.headers[name.toLowerCase()], name).toBe(value);
  });

  it('gives each app its own registry', async () => {
    t = makeTestApp();
    const second = makeTestApp();
    try {
      second.deps.metrics.downloads.inc();
      expect(samples(await scrape()).get('uketori_downloads_total')).toBe(0);
    } finally {
      second.close();
    }
  });
});

describe('who may scrape', () => {
  const notFound = async () => (await t.http().get('/no-such-page')).text;

  it('answers a non-allowed socket address with the ordinary 404 page', async () => {
    t = makeTestApp({ config: testConfig({ METRICS_ALLOW: '10.0.0.0/8,2001:db8::/32' }) });
    const res = await t.http().get('/metrics');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe((await t.http().get('/no-such-page')).headers['content-type']);
    expect(res.text).toBe(await notFound());
    expect(res.text).not.toContain('uketori_');
    expect((await t.http().head('/metrics')).status).toBe(404);
  });

  it('METRICS_ALLOW=none lets nobody in, loopback included', async () => {
    t = makeTestApp({ config: testConfig({ METRICS_ALLOW: 'none' }) });
    expect((await t.http().get('/metrics')).status).toBe(404);
  });

  it('behind a trusted proxy, judges the forwarded client, not the proxy', async () => {
    t = makeTestApp({ config: testConfig({ TRUST_PROXY: '127.0.0.1', METRICS_ALLOW: '127.0.0.0/8,10.0.0.0/8' }) });
    const via = (xff?: string) => (xff === undefined ? t.http().get('/metrics') : t.http().get('/metrics').set('X-Forwarded-For', xff));
    expect((await via('203.0.113.5')).status).toBe(404);
    // A client cannot claim loopback: the proxy appends the real address on the right.
    expect((await via('127.0.0.1, 203.0.113.5')).status).toBe(404);
    expect((await via('10.2.3.4')).status).toBe(200);
    expect((await via('203.0.113.5, 10.2.3.4')).status).toBe(200);
    // The proxy named nobody, or junk: refused, though the socket is loopback.
    expect((await via()).status).toBe(404);
    expect((await via('unknown')).status).toBe(404);
    // Every entry a proxy: the client sat on the proxy's host.
    expect((await via('127.0.0.1')).status).toBe(200);
  });

  it('scrapeAddress follows the same rules', () => {
    expect(scrapeAddress('192.0.2.1', '10.0.0.1', [])).toBe('192.0.2.1');
    expect(scrapeAddress('192.0.2.1', '10.0.0.1', ['127.0.0.1'])).toBe('192.0.2.1');
    expect(scrapeAddress('127.0.0.1', '10.0.0.1, 192.0.2.9', ['127.0.0.1'])).toBe('192.0.2.9');
    expect(scrapeAddress('127.0.0.1', '10.0.0.1, 127.0.0.1', ['127.0.0.1'])).toBe('10.0.0.1');
    expect(scrapeAddress('127.0.0.1', '[2001:db8::7]:443', ['127.0.0.1'])).toBe('2001:db8::7');
    expect(scrapeAddress('127.0.0.1', undefined, ['127.0.0.1'])).toBeNull();
    expect(scrapeAddress('127.0.0.1', 'example.jp', ['127.0.0.1'])).toBeNull();
  });
});

describe('METRICS_ALLOW', () => {
  const allowOf = (value?: string) => loadConfig({ METRICS_ALLOW: value }).metricsAllow;

  it('defaults to loopback and reads addresses and CIDR ranges', () => {
    expect(allowOf()).toEqual([
      { network: '127.0.0.0', prefix: 8, family: 'ipv4' },
      { network: '::1', prefix: 128, family: 'ipv6' },
    ]);
    expect(allowOf(' 10.1.2.3 , 192.168.0.0/16,fd00::/8 ')).toEqual([
      { network: '10.1.2.3', prefix: 32, family: 'ipv4' },
      { network: '192.168.0.0', prefix: 16, family: 'ipv4' },
      { network: 'fd00::', prefix: 8, family: 'ipv6' },
    ]);
    expect(allowOf('none')).toEqual([]);
  });

  it.each(['10.0.0.0/33', 'example.jp', '10.0.0.0/8/1', '10.0.0.0/', '10.0.0.0/x', '::1/129', '10.0.0.0/8,,::1', '256.0.0.1', '*'])('refuses %s in one line naming the entry', (value) => {
    const attempt = () => loadConfig({ METRICS_ALLOW: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^invalid configuration: METRICS_ALLOW: ".*" is not an address or CIDR range/);
    expect(parseAllowList(value)).toHaveProperty('bad');
  });
});

describe('route classes', () => {
  it('are a fixed set chosen from method and path', () => {
    const cls = (method: string, path: string) => ROUTE_CLASSES[routeClass(method, path)];
    expect(cls('GET', '/d/ABCDEFGHJKLMNPQRSTUVWXYZ234')).toBe('landing');
    expect(cls('POST', '/d/ABCDEFGHJKLMNPQRSTUVWXYZ234')).toBe('password');
    expect(cls('POST', '/d/ABCDEFGHJKLMNPQRSTUVWXYZ234/download')).toBe('download');
    expect(cls('GET', '/healthz')).toBe('health');
    expect(cls('GET', '/static/site.css')).toBe('static');
    expect(cls('GET', '/help/import')).toBe('help');
    expect(cls('GET', '/metrics')).toBe('metrics');
    expect(cls('GET', '/wp-admin/x')).toBe('other');
  });

  it('an out-of-range status is still timed but not counted', async () => {
    const m = createMetrics();
    m.observeRequest(7, 999, 0.01);
    const text = await m.scrape({ hasherQueued: 0, hasherInFlight: 0, pool: null });
    expect(text).not.toContain('uketori_http_requests_total{');
    expect(samples(text).get('uketori_http_request_duration_seconds_count{route="other"}')).toBe(1);
  });
});
