import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Deps } from './deps.js';
import { isStoreUnavailable } from './db/store.js';
import { clientAddress } from './http/client-address.js';
import type { AppEnv } from './http/env.js';
import { language } from './http/language.js';
import { allowListOf } from './http/address-ranges.js';
import { mayScrape } from './http/metrics-access.js';
import { errorMessage } from './lib/error-message.js';
import { routeClass } from './lib/metrics.js';
import { messages } from './i18n/index.js';
import { noticeResponse } from './http/pages.js';
import { sameOriginForms } from './http/same-origin-forms.js';
import { helpRoutes } from './routes/help.js';
import { pickupRoutes } from './routes/pickup.js';
import { staticRoutes } from './routes/static.js';

export const MAX_FORM_BYTES = 8 * 1024;
/** What a 503 for an unreachable database asks clients (and load balancers) to wait. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

const PUBLIC_PATH = /^\/(healthz|readyz|metrics|help\/import|favicon\.ico|static\/[\w.-]{1,64}|)$/;

/**
 * What the access log says for a path: a pickup by a short prefix of its token hash, the fixed
 * public paths as they are, and anything else only by its length. A token can arrive under
 * many spellings (`//d/…`, `/D/…`, `/d%2F…`), so no other path is ever written out.
 */
export function logRoute(path: string, pickupLog: string | undefined): string {
  if (pickupLog) return `/d/#${pickupLog}`;
  if (PUBLIC_PATH.test(path)) return path;
  return `(other path, ${path.length} chars)`;
}

/** Builds the portal. Nothing here opens a resource: everything arrives through deps. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  const { config, log, metrics } = deps;
  const scrapers = allowListOf(config.metricsAllow);
  // The access line carries only the fields below (the route as logRoute writes it), none of
  // them secret, so it skips the redaction pass, which cost more than the rest of the line.
  const access = log.child({}, { redact: { paths: [] } });

  app.use(async (c, next) => {
    c.set('ca', config.ca);
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    metrics.observeRequest(routeClass(c.req.method, c.req.path), c.res.status, ms / 1000);
    const route = logRoute(c.req.path, c.get('pickupLog'));
    const line = { method: c.req.method, route, status: c.res.status, ms: Math.round(ms) };
    // A delivered file is one line with its size, not a second line beside the request's.
    const bytes = c.get('deliveredBytes');
    if (bytes === undefined) access.info(line, 'request');
    else access.info({ ...line, bytes }, 'p12 delivered');
  });
  app.use(async (c, next) => {
    c.set('client', clientAddress(c, config.trustProxy));
    await next();
  });
  app.use(language(config.secure));
  const limit = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) => {
      const t = c.get('t');
      return noticeResponse(c, 413, t.tooLargeTitle, [t.tooLargeBody], 'error');
    },
  });
  // Without Transfer-Encoding the body is exactly Content-Length bytes, or none without it (RFC
  // 9112, 6.3; Node's parser refuses a malformed length), so the header alone decides, as Hono's
  // bodyLimit decides it too. Hono's check first asks the request for its body, which makes
  // @hono/node-server build a whole fetch Request: 7% of a landing GET's CPU in the profile
  // (docs/benchmarks.md). Chunked bodies are counted by Hono's check, and so is a POST built
  // in-process (app.request) that carries a body with neither header. GET and HEAD bodies are
  // never read.
  app.use(async (c, next) => {
    const length = c.req.header('content-length');
    if (c.req.header('transfer-encoding') !== undefined) return limit(c, next);
    if (length === undefined) return c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next);
    if (Number.parseInt(length, 10) <= MAX_FORM_BYTES) return next();
    const t = c.get('t');
    return noticeResponse(c, 413, t.tooLargeTitle, [t.tooLargeBody], 'error');
  });
  app.use(sameOriginForms(config.publicUrl.origin));

  // Liveness: the process answers. It never touches the database, so a PostgreSQL outage does
  // not get every instance restarted; readiness below is what takes an instance out of rotation.
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    try {
      await deps.store.ping();
      return c.json({ ready: true, store: deps.store.dialect });
    } catch {
      c.header('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
      return c.json({ ready: false, store: deps.store.dialect }, 503);
    }
  });
  // Anyone outside METRICS_ALLOW meets the ordinary 404 page: the endpoint does not show itself.
  app.get('/metrics', async (c) => {
    if (!mayScrape(c, scrapers, config.trustProxy)) return c.notFound();
    const text = await metrics.scrape({ hasherQueued: deps.hasher.queued, hasherInFlight: deps.hasher.inFlight, pool: deps.poolStats?.() ?? null });
    return c.body(text, 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  });
  app.route('/', staticRoutes(config.ca.logoFile));
  app.route('/', pickupRoutes(deps));
  app.route('/', helpRoutes());

  app.notFound((c) => {
    const t = c.get('t');
    return noticeResponse(c, 404, t.notFoundTitle, [t.notFoundBody]);
  });

  app.onError((err, c) => {
    if (!c.get('t')) {
      c.set('lang', 'ja');
      c.set('t', messages.ja);
      c.set('langHref', '?lang=en');
    }
    const t = c.get('t');
    if (err instanceof HTTPException && err.status === 403) {
      return noticeResponse(c, 403, t.forbiddenTitle, [t.forbiddenBody], 'error');
    }
    if (isStoreUnavailable(err)) {
      log.warn({ err: { name: err.name, message: err.message } }, 'store unavailable');
      c.header('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
      return noticeResponse(c, 503, t.unavailableTitle, [t.unavailableBody], 'wait');
    }
    if (err instanceof HTTPException && err.status < 500) {
      return noticeResponse(c, err.status as 400, t.errorTitle, [t.errorBody], 'error');
    }
    log.error({ err: { name: err.name, message: errorMessage(err) } }, 'unhandled error');
    return noticeResponse(c, 500, t.errorTitle, [t.errorBody], 'error');
  });

  return app;
}
