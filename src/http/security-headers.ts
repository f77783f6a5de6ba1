import type { ServerResponse } from 'node:http';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  // The page's script fetches the file and the page's new state from the portal itself.
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The headers every response carries, errors and 404s included: the HTTP server sets them on
 * each response before the app runs, and writes them itself in the few answers it makes without
 * the app (a malformed request, a timeout).
 */
export function securityHeaderList(secure: boolean): Array<[string, string]> {
  const list: Array<[string, string]> = [
    ['Content-Security-Policy', CSP],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()'],
  ];
  if (secure) list.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return list;
}

/** A pickup page, asked by path or by absolute form (`GET http://host/d/… HTTP/1.1`). */
const PICKUP_PATH = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/d\//i;
/**
 * A target the app routes on another spelling than it was sent in: the URL parser resolves dot
 * segments (`/x/../d/…`) and Hono decodes escapes (`/%64/…`), both into a live pickup page. Such
 * targets are rare and never a page worth indexing, so they are treated as pickup pages.
 */
const RESPELLED = /%|\/\.\.?(?:[/?#]|$)/;

/**
 * Sets the security headers on Node's response before the app runs. Whatever the app answers
 * (its pages, onError, notFound, bodyLimit, the CSRF check) Node merges these in when the head is
 * written, the app's own header of the same name winning: that is how the static files keep their
 * own Cache-Control while everything else defaults to no-store. Setting them on the app's fetch
 * Response instead made @hono/node-server build undici Headers for every answer (about a tenth of
 * a landing GET's CPU, docs/benchmarks.md). Pickup pages are never cached nor indexed.
 */
export function setSecurityHeaders(res: ServerResponse, url: string, list: ReadonlyArray<readonly [string, string]>): void {
  for (const [k, v] of list) res.setHeader(k, v);
  res.setHeader('Cache-Control', 'no-store');
  if (PICKUP_PATH.test(url) || RESPELLED.test(url)) res.setHeader('X-Robots-Tag', 'noindex, nofollow');
}
