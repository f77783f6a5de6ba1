import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Lang, Messages } from '../src/i18n/index.js';

export type PageProps = { t: Messages; lang: Lang; langHref: string };

export const IMPORT_HELP_PATH = '/help/import';

/** Everything is served by the portal itself: no inline script or style, nothing from elsewhere. */
export function Layout(props: PageProps & { title: string; children: Child }) {
  const { t, lang, langHref, title, children } = props;
  const other = lang === 'ja' ? 'en' : 'ja';
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <title>{`${title} | ${t.siteName}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/app.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            {t.skipToContent}
          </a>
          <header class="site">
            <span class="brand">{t.siteName}</span>
            <a class="lang" href={langHref} hreflang={other} lang={other}>
              {t.langSwitch}
            </a>
          </header>
          <main id="main">{children}</main>
          <footer class="site">
            <a href={IMPORT_HELP_PATH}>{t.footerHelp}</a>
          </footer>
        </body>
      </html>
    </>
  );
}
