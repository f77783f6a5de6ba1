import { IMPORT_HELP_PATH, Layout, type PageProps } from './layout.js';
import { SupportDesk } from './support.js';

export type NoticeProps = PageProps & {
  title: string;
  paragraphs: string[];
  tone?: 'dead' | 'wait' | 'error';
  /** What the subscriber can do now, in order. */
  next?: string[];
  /** Link to the import help: only for pages a subscriber may reach with the file already saved. */
  importHelp?: boolean;
  /** The support desk in full, in the body: on every page that ends the flow. */
  contact?: boolean;
  /** A throttled wait: when it ends, a countdown, and the way back to the form. */
  wait?: { until: string; remainingMs: number; backHref: string };
};

/**
 * Every page that ends the flow: dead URLs, waits, refusals and errors. Never a stack trace.
 * The footer leaves out the import-help link here: a page that needs it has it in its body.
 */
export function NoticePage(props: NoticeProps) {
  const { t, lang, ca, title, paragraphs, tone = 'dead', next = [], importHelp = false, contact = false, wait } = props;
  return (
    <Layout {...props} title={title} footerHelp={false} footerDesk={!contact}>
      <div class={`notice ${tone}`} role={tone === 'dead' ? undefined : 'status'}>
        <h1>{title}</h1>
        {paragraphs.map((p) => (
          <p>{p}</p>
        ))}
        {wait ? (
          <p class="wait-until">
            {t.throttledUntil(wait.until)}{' '}
            <span class="countdown" data-countdown-ms={String(wait.remainingMs)} data-countdown-format={t.countdown} data-countdown-ended={t.throttledReady}></span>
          </p>
        ) : null}
      </div>
      {wait ? (
        <p>
          <a class="back" href={wait.backHref}>
            {t.throttledBack}
          </a>
        </p>
      ) : null}
      {next.length > 1 ? (
        <section aria-labelledby="next-title">
          <h2 id="next-title">{t.nextTitle}</h2>
          <ol class="steps">
            {next.map((line) => (
              <li>{line}</li>
            ))}
          </ol>
        </section>
      ) : null}
      {next.length === 1 ? (
        <section aria-labelledby="next-title">
          <h2 id="next-title">{t.nextTitle}</h2>
          <p>{next[0]}</p>
        </section>
      ) : null}
      {importHelp ? (
        <p>
          <a href={IMPORT_HELP_PATH}>{t.helpTitle}</a>
        </p>
      ) : null}
      {contact ? (
        <section class="contact" aria-labelledby="contact-title">
          <h2 id="contact-title">{t.contactTitle}</h2>
          <SupportDesk t={t} lang={lang} ca={ca} />
        </section>
      ) : null}
    </Layout>
  );
}
