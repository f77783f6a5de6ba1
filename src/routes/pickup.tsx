import { Hono, type Context } from 'hono';
import type { UnofficialStatusCode } from 'hono/utils/http-status';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Deps } from '../deps.js';
import { clientKey, coarseClient, networkKey, throttleKey } from '../pickup/client-identity.js';
import { watchConnection } from '../http/connection-watch.js';
import { cookieValues } from '../http/cookies.js';
import { formField } from '../http/form-field.js';
import type { AppEnv } from '../http/env.js';
import {
  deadResponse,
  foreignCharacters,
  incompleteResponse,
  landingResponse,
  noticeResponse,
  pickupPath,
  readyResponse,
  throttledResponse,
  unknownResponse,
} from '../http/pages.js';
import { checkPassword, downloadP12, lookupPickup, recordPageView, type Lookup, type LookupRead, type PasswordOutcome } from '../services/portal.js';
import { normalizeToken } from '../pickup/token.js';
import { issueSession, namesPickup, rememberedSession, SESSION_TTL_MS, sessionCookieName, verifySession } from '../auth/session.js';

type C = Context<AppEnv>;
type Found = Extract<Lookup, { kind: 'found' }>;

/** The longest wait a `?wait=` link can show; the throttle never asks for more. */
const MAX_WAIT_MS = 24 * 3_600_000;

/** nginx's status for a request whose client went away first; it is never sent to anyone. */
const CLIENT_CLOSED_REQUEST = 499;

/** Signature checks per request: a second session for the same pickup is already rare. */
const MAX_SESSION_CHECKS = 8;

/** GET/HEAD and POST on /d/:token and /d/:token/download. GET and HEAD never change a pickup. */
export function pickupRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const cookieName = sessionCookieName(deps.config.secure);
  const throttleSecret = throttleKey(deps.sessionKey);

  /** Resolves the token; answers the dead-URL page itself when there is nothing to download. */
  async function resolve(c: C, now: number, read: LookupRead = 'page'): Promise<Found | Response> {
    const found = await lookupPickup(deps, c.req.param('token') ?? '', now, read);
    if (found.kind === 'incomplete') return incompleteResponse(c);
    if (found.kind === 'unknown') return unknownResponse(c);
    c.set('pickupLog', found.logId);
    if (found.state !== 'pending' && found.state !== 'window') return deadResponse(c, found.pickup, found.state);
    return found;
  }

  function coarse(c: C): string {
    return coarseClient(c.get('client'), c.req.header('user-agent'));
  }

  /**
   * Any one valid session among the cookies of our name will do: a planted one cannot block.
   * Only values naming this pickup are verified, and at most MAX_SESSION_CHECKS of them.
   */
  async function hasSession(c: C, pickupId: string, now: number): Promise<boolean> {
    let checks = 0;
    for (const jwt of cookieValues(c.req.header('cookie'), cookieName)) {
      // A session already verified here answers from memory, before the sieve's decoding.
      const remembered = rememberedSession(deps.sessionKey, jwt, pickupId, now);
      if (remembered === true) return true;
      if (remembered === false || !namesPickup(jwt, pickupId)) continue;
      if (await verifySession(deps.sessionKey, jwt, pickupId, now)) return true;
      if (++checks === MAX_SESSION_CHECKS) break;
    }
    return false;
  }

  app.get('/d/:token', async (c) => {
    const now = deps.clock();
    const found = await resolve(c, now);
    if (found instanceof Response) return found;
    if (c.req.method === 'GET') await recordPageView(deps, found.pickup, now, () => coarse(c));
    // `?wait=` only repeats what the POST answer said; a forged one shows its sender a wait page.
    const waitUntil = Number(c.req.query('wait')) * 1000;
    if (Number.isSafeInteger(waitUntil) && waitUntil > now && waitUntil <= now + MAX_WAIT_MS) {
      return throttledResponse(c, found.token, now, waitUntil);
    }
    if (await hasSession(c, found.pickup.id, now)) return readyResponse(c, found.token, found.pickup, now);
    return landingResponse(c, found.token, found.pickup, null);
  });

  app.post('/d/:token', async (c) => {
    const now = deps.clock();
    // A guess writes (the throttle, the timeline) before it is answered: a kept read would go stale at once.
    const found = await resolve(c, now, 'fresh');
    if (found instanceof Response) return found;
    const t = c.get('t');
    const raw = await formField(c, 'password');
    const address = c.get('client');
    const who = { client: clientKey(throttleSecret, address), network: networkKey(throttleSecret, address) };
    const connection = watchConnection(c);
    let outcome: PasswordOutcome;
    try {
      outcome = await checkPassword(deps, found.pickup, raw, who, coarse(c), now, connection.signal);
    } finally {
      connection.stop();
    }
    deps.metrics.countPassword(outcome.kind === 'empty' || outcome.kind === 'length' || outcome.kind === 'chars' ? 'malformed' : outcome.kind);
    switch (outcome.kind) {
      case 'ok': {
        const jwt = await issueSession(deps.sessionKey, found.pickup.id, now);
        setCookie(c, cookieName, jwt, {
          path: '/',
          httpOnly: true,
          sameSite: 'Strict',
          secure: deps.config.secure,
          maxAge: SESSION_TTL_MS / 1000,
        });
        // Post/redirect/get: a reload never re-sends the password.
        return c.redirect(pickupPath(found.token), 303);
      }
      case 'empty':
        return landingResponse(c, found.token, found.pickup, t.errorPasswordEmpty, 400);
      case 'length':
        return landingResponse(c, found.token, found.pickup, t.errorPasswordLength(outcome.length), 400);
      case 'chars':
        return landingResponse(c, found.token, found.pickup, t.errorPasswordChars(foreignCharacters(raw)), 400);
      case 'wrong':
        return landingResponse(c, found.token, found.pickup, t.errorPasswordWrong, 401);
      case 'throttled': {
        const until = now + Math.ceil(outcome.retryAfterMs / 1000) * 1000;
        // A browser's form post is redirected to a page it can reload without sending the form
        // again; other clients get the 429 itself.
        if (c.req.header('sec-fetch-mode') === 'navigate') {
          c.header('Retry-After', String((until - now) / 1000));
          return c.redirect(`${pickupPath(found.token)}?wait=${until / 1000}`, 303);
        }
        return throttledResponse(c, found.token, now, until);
      }
      case 'busy':
        c.header('Retry-After', String(outcome.retryAfterSeconds));
        return noticeResponse(c, 503, t.busyTitle, [t.busyBody], 'wait');
      case 'abandoned':
        // The connection closed before the check started: there is nobody to answer.
        // 499 is nginx's "client closed request", for the access log and the metrics.
        return c.body(null, CLIENT_CLOSED_REQUEST as UnofficialStatusCode);
    }
  });

  app.post('/d/:token/download', async (c) => {
    const now = deps.clock();
    const found = await resolve(c, now, 'file');
    if (found instanceof Response) return found;
    if (!(await hasSession(c, found.pickup.id, now))) {
      deleteCookie(c, cookieName, { path: '/', secure: deps.config.secure });
      return landingResponse(c, found.token, found.pickup, c.get('t').errorSessionExpired, 401);
    }
    const result = await downloadP12(deps, found, () => coarse(c), now);
    if (result.kind === 'dead') return deadResponse(c, result.pickup, result.state);
    c.set('deliveredBytes', result.bytes.length);
    return c.body(result.bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/x-pkcs12',
      'Content-Disposition': 'attachment; filename="CERT.P12"',
      'Content-Length': String(result.bytes.length),
    });
  });

  // A GET on the download URL (a reload, a prefetch) never starts anything: back to the page.
  app.get('/d/:token/download', (c) => {
    const checked = normalizeToken(c.req.param('token'));
    return checked.ok ? c.redirect(pickupPath(checked.token), 303) : incompleteResponse(c);
  });

  return app;
}
