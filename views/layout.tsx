import type { Child } from 'hono/jsx';
import type { Lang, Messages } from '../src/i18n/index.js';

export type PageProps = { t: Messages; lang: Lang; langHref: string };

export function Layout(props: PageProps & { title: string; children: Child }) {
  const { t, lang, langHref, title, children } = props;
  return (
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
          <a class="lang" href={langHref} hreflang={lang === 'ja' ? 'en' : 'ja'} lang={lang === 'ja' ? 'en' : 'ja'}>
            {t.langSwitch}
          </a>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
