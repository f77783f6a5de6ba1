import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { messages, pickLang } from '../i18n/index.js';
import type { AppEnv } from './env.js';

const LANG_COOKIE = 'uketori_lang';

/** Picks the language for this request; `?lang=` is the visible switch and is remembered. */
export function language(secure: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const query = c.req.query('lang');
    const lang = pickLang(getCookie(c, LANG_COOKIE), query, c.req.header('accept-language'));
    if (query === 'ja' || query === 'en') {
      setCookie(c, LANG_COOKIE, query, { path: '/', sameSite: 'Lax', secure, httpOnly: true, maxAge: 60 * 60 * 24 * 365 });
    }
    c.set('lang', lang);
    c.set('t', messages[lang]);
    // A query-only link keeps the browser on the current path, and unlike a reflected path (which
    // could start with //) it can never point at another origin.
    c.set('langHref', `?lang=${lang === 'ja' ? 'en' : 'ja'}`);
    await next();
  };
}
