import type { MiddlewareHandler } from 'hono';

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
 * The headers every response carries, errors and 404s included. The HTTP server uses the same
 * list for the few answers it writes before the app runs (a malformed request, a timeout).
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

/**
 * Built once and set after the handler ran, so the answers of onError, notFound, bodyLimit and
 * csrf get them too. Pickup pages additionally get no-store and noindex.
 */
export function securityHeaders(secure: boolean): MiddlewareHandler {
  const common = securityHeaderList(secure);
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    for (const [k, v] of common) h.set(k, v);
    if (c.req.path.startsWith('/d/')) {
      h.set('Cache-Control', 'no-store');
      h.set('X-Robots-Tag', 'noindex, nofollow');
    } else if (!h.has('Cache-Control')) {
      h.set('Cache-Control', 'no-store');
    }
  };
}
