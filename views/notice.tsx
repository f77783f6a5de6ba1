import { IMPORT_HELP_PATH, Layout, type PageProps } from './layout.js';

export type NoticeProps = PageProps & {
  title: string;
  paragraphs: string[];
  tone?: 'dead' | 'wait' | 'error';
  /** What the subscriber can do now, in order. */
  next?: string[];
  /** Link to the import help: for pages a subscriber may reach with the file already saved. */
  importHelp?: boolean;
  /** Last line, after the next steps: usually whom to contact. */
  footnote?: string;
};

/** Every page that ends the flow: dead URLs, waits, refusals and errors. Never a stack trace. */
export function NoticePage(props: NoticeProps) {
  const { t, title, paragraphs, tone = 'dead', next = [], importHelp = false, footnote } = props;
  return (
    <Layout {...props} title={title}>
      <div class={`notice ${tone}`}>
        <h1>{title}</h1>
        {paragraphs.map((p) => (
          <p>{p}</p>
        ))}
      </div>
      {next.length > 0 ? (
        <section aria-labelledby="next-title">
          <h2 id="next-title">{t.nextTitle}</h2>
          <ol class="steps">
            {next.map((line) => (
              <li>{line}</li>
            ))}
          </ol>
        </section>
      ) : null}
      {importHelp ? (
        <p>
          <a href={IMPORT_HELP_PATH}>{t.helpTitle}</a>
        </p>
      ) : null}
      {footnote ? <p class="contact">{footnote}</p> : null}
    </Layout>
  );
}
