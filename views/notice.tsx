import { Layout, type PageProps } from './layout.js';

export type NoticeProps = PageProps & {
  title: string;
  paragraphs: string[];
  tone?: 'dead' | 'wait' | 'error';
};

/** Every page that ends the flow: dead URLs, waits, refusals and errors. Never a stack trace. */
export function NoticePage(props: NoticeProps) {
  const { title, paragraphs, tone = 'dead' } = props;
  return (
    <Layout {...props} title={title}>
      <div class={`notice ${tone}`}>
        <h1>{title}</h1>
        {paragraphs.map((p) => (
          <p>{p}</p>
        ))}
      </div>
    </Layout>
  );
}
