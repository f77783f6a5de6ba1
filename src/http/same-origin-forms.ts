import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env.js';
import { formMediaType } from './form-field.js';
import { noticeResponse } from './pages.js';

const SAFE = /^(GET|HEAD|OPTIONS)$/;

/**
 * Every unsafe request, whatever its content type, must come from the portal's own origin (the
 * `Origin` header, or a browser's `Sec-Fetch-Site: same-origin`): 403 otherwise. Then it must carry a form body: 415 otherwise. Hono's `csrf` checks only the content
 * types a cross-site form can send, so a JSON POST with a foreign Origin passed it; the rule here
 * does not depend on what browsers can send today.
 */
export function sameOriginForms(origin: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.test(c.req.method)) return next();
    // Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` even for its own forms;
    // `Sec-Fetch-Site` is then what says where the request came from (pages cannot set it).
    const sameOrigin = c.req.header('origin') === origin || c.req.header('sec-fetch-site') === 'same-origin';
    if (!sameOrigin) throw new HTTPException(403);
    if (formMediaType(c.req.header('content-type')) === null) {
      const t = c.get('t');
      return noticeResponse(c, 415, t.errorTitle, [t.errorBody], 'error');
    }
    return next();
  };
}
