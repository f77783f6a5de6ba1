import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { noticeResponse } from './pages.js';

const SAFE = /^(GET|HEAD|OPTIONS)$/;
const FORM = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * Every unsafe request must carry a form body: 415 otherwise. Hono's `csrf` checks the origin only
 * of the content types a cross-site form can send, so without this a JSON POST with a foreign
 * Origin would pass it; here nothing but a form reaches the routes, and every form meets `csrf`.
 */
export function formBodiesOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.test(c.req.method) || FORM.test(c.req.header('content-type') ?? '')) return next();
    const t = c.get('t');
    return noticeResponse(c, 415, t.errorTitle, [t.errorBody], 'error');
  };
}
