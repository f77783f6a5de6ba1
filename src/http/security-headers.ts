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
 * Set before the handler runs, so the page is built with them in one go: setting them on `c.res`
 * afterwards made @hono/node-server turn its light response into a full fetch Response and read
 * the body back from a stream, an eighth of a landing page's CPU. The check after the handler
 * covers answers built without the context's headers (an HTTPException carrying its own
 * response, a plain `new Response`): every answer still gets every header. Pickup pages are
 * always no-store and noindex; other answers are no-store unless the route chose a Cache-Control.
 */
export function securityHeaders(secure: boolean): MiddlewareHandler {
  const common = securityHeaderList(secure);
  const [firstName, firstValue] = common[0]!;
  return async (c, next) => {
    const pickupPage = c.req.path.startsWith('/d/');
    for (const [k, v] of common) c.header(k, v);
    c.header('Cache-Control', 'no-store');
    if (pickupPage) c.header('X-Robots-Tag', 'noindex, nofollow');
    await next();
    const h = c.res.headers;
    if (h.get(firstName) !== firstValue) {
      for (const [k, v] of common) h.set(k, v);
      if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
    }
    if (pickupPage) {
      if (h.get('Cache-Control') !== 'no-store') h.set('Cache-Control', 'no-store');
      if (!h.has('X-Robots-Tag')) h.set('X-Robots-Tag', 'noindex, nofollow');
    }
  };
}
