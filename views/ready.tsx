import { Layout, type PageProps } from './layout.js';

export type CertificateSummary = {
  name: string;
  nameJa: string | null;
  type: string;
  serial: string;
  validFrom: string;
  validTo: string;
  fingerprint: string;
  profile: string;
  issuer: string;
};

export type ReadyProps = PageProps & {
  action: string;
  summary: CertificateSummary;
  deadline: string;
  windowEndsAt: number | null;
  windowEnds: string | null;
  remaining: string | null;
};

export function ReadyPage(props: ReadyProps) {
  const { t, action, summary, deadline, windowEndsAt, windowEnds, remaining } = props;
  const rows: Array<[string, string]> = [
    [t.summaryName, summary.nameJa ? `${summary.nameJa} (${summary.name})` : summary.name],
    [t.summaryType, summary.type],
    [t.summarySerial, summary.serial],
    [t.summaryValidity, t.validityRange(summary.validFrom, summary.validTo)],
    [t.summaryFingerprint, summary.fingerprint],
    [t.summaryProfile, summary.profile],
    [t.summaryIssuer, summary.issuer],
  ];
  return (
    <Layout {...props} title={t.readyTitle}>
      <h1>{t.readyTitle}</h1>
      <p>{t.readyIntro}</p>
      <dl class="summary">
        {rows.map(([k, v]) => (
          <div>
            <dt>{k}</dt>
            <dd class={k === t.summaryFingerprint ? 'mono' : undefined}>{v}</dd>
          </div>
        ))}
      </dl>
      {windowEnds ? (
        <div class="window" role="status">
          <p>{t.windowRunning(windowEnds)}</p>
          {remaining ? (
            <p data-countdown-until={String(windowEndsAt)} data-countdown-lang={props.lang}>
              {t.windowRemaining(remaining)}
            </p>
          ) : null}
        </div>
      ) : (
        <p class="deadline">{t.landingDeadline(deadline)}</p>
      )}
      <p class="warning">{t.windowWarning}</p>
      <form method="post" action={action}>
        <button type="submit" class="primary">
          {windowEnds ? t.downloadAgainButton : t.downloadButton}
        </button>
      </form>
      <section aria-labelledby="after">
        <h2 id="after">{t.afterTitle}</h2>
        <p>{t.afterPin}</p>
        <p>{t.afterNoReissue}</p>
      </section>
    </Layout>
  );
}
