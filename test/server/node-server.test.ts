import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { events } from '../../src/db/schema.js';
import type { IssuedPickup } from '../../src/services/create-pickup.js';
import { createPortalServer, SERVER_TIMEOUTS, type PortalServer } from '../../src/http/node-server.js';
import { issueTestPickup } from '../factories.js';
import { cookieFrom, makeTestApp, ORIGIN, pathOf, testConfig, type TestApp } from '../helpers.js';
import { expectSecurityHeaders, listen, rawConnection, rawRequest, STACK_TRACE, type RawResponse } from './support.js';

let t: TestApp;
let p: IssuedPickup;
let server: PortalServer;
let port: number;

beforeEach(async () => {
  t = makeTestApp();
  p = await issueTestPickup(t.deps);
  server = createPortalServer(t.deps);
  port = await listen(server);
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  t.close();
});

function request(method: string, path: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = Object.entries({ Host: 'portal.test', Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n${body}`;
}

function form(body: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)), ...extra };
}

/** Node merges the headers set before the app with the app's own: none may be sent twice. */
function expectEachHeaderOnce(res: RawResponse, what: string): void {
  const head = res.raw.subarray(0, res.raw.indexOf('\r\n\r\n')).toString('latin1').toLowerCase().split('\r\n').slice(1);
  const names = head.map((line) => line.slice(0, line.indexOf(':')));
  for (const name of ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'cache-control', 'x-robots-tag']) {
    expect(names.filter((n) => n === name).length, `${what}: ${name}`).toBeLessThanOrEqual(1);
  }
}

describe('every response carries the security headers', () => {
  it('from the app, its error handlers, the adapter and Node itself', async () => {
    const token = pathOf(p.url);
    const cases: Array<[string, string, number]> = [
      ['healthz', request('GET', '/healthz'), 200],
      ['static file', request('GET', '/static/app.css'), 200],
      ['HEAD', request('HEAD', token), 200],
      ['GET download redirects', request('GET', `${token}/download`), 303],
      ['notFound', request('GET', '/nope'), 404],
      ['unsafe method, no Origin', request('DELETE', token), 403],
      ['unsafe method, no form body', request('PUT', token, { Origin: ORIGIN, 'Content-Length': '0' }), 415],
      ['unknown method with a form', request('PUT', token, form('password=x')), 404],
      ['incomplete token', request('GET', '/d/ABC'), 400],
      ['unknown token', request('GET', '/d/000000000000000000000000000'), 404],
      ['csrf (no Origin)', request('POST', token, { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '0' }), 403],
      ['csrf (other Origin)', request('POST', token, form('password=x', { Origin: 'https://evil.example' }), 'password=x'), 403],
      ['bodyLimit (Content-Length)', request('POST', token, form('password=' + 'x'.repeat(9000)), 'password=' + 'x'.repeat(9000)), 413],
      ['wrong password', request('POST', token, form('password=ABCDEFGH'), 'password=ABCDEFGH'), 401],
      ['download without session', request('POST', `${token}/download`, form('')), 401],
      ['adapter: backslash path', request('GET', '/d\\..\\x'), 400],
      ['adapter: Host with a path', request('GET', '/', { Host: 'portal.test/evil' }), 400],
      ['a Host that would move the path', request('GET', token, { Host: '\\' }), 400],
      ['a Host with a userinfo', request('GET', token, { Host: 'a@portal.test' }), 400],
      ['Node: malformed request line', 'GARBAGE\r\n\r\n', 400],
      ['Node: bad header name', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400],
      ['Node: head over 16 KB', request('GET', '/', { Cookie: 'a='.padEnd(20_000, 'x') }), 431],
      ['CONNECT', 'CONNECT portal.test:443 HTTP/1.1\r\nHost: portal.test:443\r\n\r\n', 405],
    ];
    for (const [what, text, status] of cases) {
      const res = await rawRequest(port, text);
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res, what);
      expect(res.headers['cache-control'], what).toBeDefined();
      expect(res.body.toString('utf8'), what).not.toMatch(STACK_TRACE);
      expectEachHeaderOnce(res, what);
    }
  });

  it('a chunked body under the limit is read like any other: the right password signs in', async () => {
    const body = `password=${p.password}`;
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const res = await rawRequest(port, request('POST', pathOf(p.url), { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' }, chunked));
    expect(res.status).toBe(303);
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/);
    expectSecurityHeaders(res, '303 chunked');
  });

  it('a chunked body over 8 KB is refused with 413 too', async () => {
    const chunk = 'password=' + 'x'.repeat(4000);
    const body = [chunk, chunk, chunk].map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('') + '0\r\n\r\n';
    const res = await rawRequest(port, request('POST', pathOf(p.url), { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' }, body));
    expect(res.status).toBe(413);
    expectSecurityHeaders(res, '413 chunked');
  });

  it('an unexpected failure is a plain 500 page, logged, with the headers and no trace', async () => {
    // A database closed under the app is no outage the store can name: a plain 500.
    const p = await issueTestPickup(t.deps);
    t.db.$client.close();
    const res = await rawRequest(port, request('GET', pathOf(p.url)));
    expect(res.status).toBe(500);
    expectSecurityHeaders(res, '500');
    expect(res.body.toString('utf8')).not.toMatch(STACK_TRACE);
    expect(res.body.toString('utf8')).not.toContain('database');
    expect(t.logs.join('')).toContain('unhandled error');
    t.close = () => undefined;
  });

  it("on the pages a subscriber sees and on the file, once each; the app's own Cache-Control wins", async () => {
    const token = pathOf(p.url);
    const login = await rawRequest(port, request('POST', token, form(`password=${p.password}`), `password=${p.password}`));
    expect(login.status).toBe(303);
    const cookie = login.headers['set-cookie']!.split(';')[0]!;
    const cases: Array<[string, string, number, string]> = [
      ['landing', request('GET', token), 200, 'text/html'],
      ['ready page', request('GET', token, { Cookie: cookie }), 200, 'text/html'],
      ['the PKCS#12', request('POST', `${token}/download`, form('', { Cookie: cookie })), 200, 'application/x-pkcs12'],
    ];
    for (const [what, text, status, type] of cases) {
      const res = await rawRequest(port, text);
      expect(res.status, what).toBe(status);
      expect(res.headers['content-type'], what).toContain(type);
      expectSecurityHeaders(res, what);
      expectEachHeaderOnce(res, what);
      expect(res.headers['cache-control'], what).toBe('no-store');
      expect(res.headers['x-robots-tag'], what).toBe('noindex, nofollow');
    }
    expectEachHeaderOnce(login, 'login');
    const css = await rawRequest(port, request('GET', '/static/app.css'));
    expect(css.headers['cache-control']).toBe('public, max-age=3600');
    expect(css.headers['x-robots-tag']).toBeUndefined();
    expectEachHeaderOnce(css, 'static');
  });

  it('a pickup page asked under another spelling is not indexed either', async () => {
    const token = pathOf(p.url).slice('/d/'.length);
    // The URL parser resolves dot segments and Hono decodes escapes: each is the live landing page.
    for (const path of [`/x/../d/${token}`, `/%64/${token}`, `/d/%2E/${token}`, `http://portal.test/static/../d/${token}`]) {
      const res = await rawRequest(port, request('GET', path));
      expect(res.status, path).toBe(200);
      expect(res.body.toString('utf8'), path).toContain('password');
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.headers['x-robots-tag'], path).toBe('noindex, nofollow');
      expectEachHeaderOnce(res, path);
    }
  });

  it('HSTS and the __Host- cookie under https; X-Robots-Tag on /d/', async () => {
    const secure = makeTestApp({ config: testConfig({ PUBLIC_URL: 'https://portal.test' }) });
    try {
      const sp = await issueTestPickup(secure.deps);
      for (const path of ['/healthz', '/nope', pathOf(sp.url)]) {
        const res = await secure.http().get(path);
        expect(res.headers['strict-transport-security'], path).toBe('max-age=31536000; includeSubDomains');
      }
      const login = await secure.http().post(pathOf(sp.url)).set('Origin', 'https://portal.test').type('form').send({ password: sp.password });
      expect(login.status).toBe(303);
      const setCookie = (login.headers['set-cookie'] as unknown as string[])[0]!;
      expect(setCookie).toMatch(/^__Host-uketori_session=/);
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).toMatch(/; Secure/);
      expect(setCookie).not.toMatch(/Domain=/i);
      const ready = await secure.http().get(pathOf(sp.url)).set('Cookie', cookieFrom(login));
      expect(ready.text).toContain(sp.serial);
      // The plain name is not accepted in its place.
      const plain = cookieFrom(login).replace('__Host-', '');
      expect((await secure.http().post(`${pathOf(sp.url)}/download`).set('Origin', 'https://portal.test').set('Cookie', plain).type('form').send({})).status).toBe(401);
    } finally {
      secure.close();
    }
    for (const path of ['/healthz', pathOf(p.url)]) {
      expect((await t.http().get(path)).headers['strict-transport-security'], path).toBeUndefined();
    }
    for (const path of [pathOf(p.url), '/d/ABC', '/d/000000000000000000000000000', `${pathOf(p.url)}/download`]) {
      expect((await t.http().get(path)).headers['x-robots-tag'], path).toBe('noindex, nofollow');
    }
  });
});

describe('the client address', () => {
  async function clientSeen(app: TestApp, pickup: IssuedPickup, forwardedFor: string): Promise<string> {
    const res = await app.http().post(pathOf(pickup.url)).set('Origin', ORIGIN).set('X-Forwarded-For', forwardedFor).type('form').send({ password: 'ABCDEFGH' });
    expect(res.status).toBe(401);
    const failed = app.db.select().from(events).where(eq(events.pickupId, pickup.id)).all().filter((e) => e.kind === 'password-failed');
    return (JSON.parse(failed.at(-1)!.detail!) as { client: string }).client;
  }

  it('comes from the socket; X-Forwarded-For is ignored unless the peer is a named proxy', async () => {
    expect(await clientSeen(t, p, '203.0.113.9')).toMatch(/^127\.0\.0\.0\/24 /);
    const other = makeTestApp({ config: testConfig({ TRUST_PROXY: '10.0.0.1' }) });
    try {
      expect(await clientSeen(other, await issueTestPickup(other.deps), '203.0.113.9')).toMatch(/^127\.0\.0\.0\/24 /);
    } finally {
      other.close();
    }
  });

  it('behind a named proxy: the right-most address the proxy did not add itself', async () => {
    const proxied = makeTestApp({ config: testConfig({ TRUST_PROXY: '127.0.0.1' }) });
    try {
      const pp = await issueTestPickup(proxied.deps);
      expect(await clientSeen(proxied, pp, '198.51.100.7, 203.0.113.9')).toMatch(/^203\.0\.113\.0\/24 /);
      expect(await clientSeen(proxied, pp, '203.0.113.9, 127.0.0.1')).toMatch(/^203\.0\.113\.0\/24 /);
    } finally {
      proxied.close();
    }
  });
});

describe('Node server limits', () => {
  it('uses bounded timeouts and keep-alive', () => {
    expect(server.headersTimeout).toBeLessThanOrEqual(10_000);
    expect(server.requestTimeout).toBeLessThanOrEqual(30_000);
    expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
    expect(server.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveTimeoutMs);
    expect(server.keepAliveTimeout).toBeGreaterThan(0);
    expect(server.timeout).toBe(SERVER_TIMEOUTS.socketIdleMs);
  });

  it('answers 408 with the headers to a head that never ends, and to a body that never ends', async () => {
    const quick = createPortalServer(t.deps, { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 1000, socketIdleMs: 5000 });
    const quickPort = await listen(quick);
    try {
      const slowHead = rawConnection(quickPort);
      await slowHead.connected;
      await slowHead.write('GET /healthz HTTP/1.1\r\nHost: portal.test\r\nX-Slow: ');
      const slowBody = rawConnection(quickPort);
      await slowBody.connected;
      await slowBody.write(request('POST', pathOf(p.url), form('password=ABCDEFGH')).replace(/\r\n\r\n$/, '\r\n\r\npassword='));
      for (const res of [await slowHead.response(), await slowBody.response()] as RawResponse[]) {
        expect(res.status).toBe(408);
        expectSecurityHeaders(res, '408');
      }
    } finally {
      await new Promise((resolve) => quick.close(resolve));
    }
  });
});
