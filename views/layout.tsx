import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { CaIdentity } from '../src/config.js';
import type { Lang, Messages } from '../src/i18n/index.js';
import { caName, SupportDesk } from './support.js';

export type PageProps = { t: Messages; lang: Lang; langHref: string; ca: CaIdentity };

export const IMPORT_HELP_PATH = '/help/import';
export const LOGO_PATH = '/static/ca-logo';
export const FAVICON_PATH = '/static/favicon.svg';

/**
 * Everything is served by the portal itself: no inline script or style, nothing from elsewhere.
 * The CA is named in the header and its support desk in the footer of every page, so a
 * subscriber wary of phishing has something to recognise.
 */
export function Layout(props: PageProps & { title: string; children: Child; footerHelp?: boolean; footerDesk?: boolean; wide?: boolean }) {
  const { t, lang, langHref, ca, title, children, footerHelp = true, footerDesk = true, wide = false } = props;
  const other = lang === 'ja' ? 'en' : 'ja';
  const name = caName(ca, lang);
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <title>{`${title} | ${t.siteName} | ${name}`}</title>
          <link rel="icon" href={FAVICON_PATH} type="image/svg+xml" />
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/app.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            {t.skipToContent}
          </a>
          <header class="site">
            <p class="brand">
              {ca.logoFile ? <img class="logo" src={LOGO_PATH} alt={t.logoAlt(name)} height="32" /> : null}
              <span class="ca-name">{name}</span>
              <span class="service">{t.siteName}</span>
            </p>
            <a class="lang" href={langHref} hreflang={other} lang={other}>
              {t.langSwitch}
            </a>
          </header>
          <main id="main" class={wide ? 'wide' : undefined}>
            {children}
          </main>
          <footer class="site">
            {footerDesk ? (
              <>
                <h2 class="footer-title">{t.contactTitle}</h2>
                <SupportDesk t={t} lang={lang} ca={ca} />
              </>
            ) : (
              <p class="footer-ca">{name}</p>
            )}
            {footerHelp ? (
              <p>
                <a href={IMPORT_HELP_PATH}>{t.footerHelp}</a>
              </p>
            ) : null}
          </footer>
        </body>
      </html>
    </>
  );
}
