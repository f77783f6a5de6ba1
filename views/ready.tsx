import { ImportSteps } from './import-help.js';
import { Layout, type PageProps } from './layout.js';

export type CertificateDetails = {
  name: string;
  nameJa: string | null;
  type: string;
  serial: string;
  validFrom: string;
  validTo: string;
  fingerprint: string;
  thumbprint: string;
  profile: string;
  issuer: string;
};

/** Formatted times, all JST. Before the first press `window` is null; once it runs, `ifPressed` is. */
export type ReadyTimes = {
  lifetimeEnds: string;
  ifPressed: { ends: string; shortened: boolean } | null;
  window: { ends: string; remaining: string; remainingMs: number } | null;
};

export type ReadyProps = PageProps & {
  action: string;
  summary: CertificateDetails;
  times: ReadyTimes;
};

function Times(props: { t: ReadyProps['t']; times: ReadyTimes }) {
  const { t, times } = props;
  return (
    <section class="times" aria-labelledby="times-title">
      <h2 id="times-title">{t.timesTitle}</h2>
      <dl class="summary">
        <div>
          <dt>{t.timesLifetime}</dt>
          <dd>{times.lifetimeEnds}</dd>
        </div>
        {times.ifPressed ? (
          <div>
            <dt>{t.timesIfPressed}</dt>
            <dd>
              {times.ifPressed.ends}
              {times.ifPressed.shortened ? <span class="block">{t.timesShortened}</span> : null}
            </dd>
          </div>
        ) : null}
        {times.window ? (
          <>
            <div class="emphasis">
              <dt>{t.timesWindowEnds}</dt>
              <dd>{times.window.ends}</dd>
            </div>
            <div class="emphasis">
              <dt>{t.timesRemaining}</dt>
              <dd>
                <span
                  class="countdown"
                  data-countdown-ms={String(times.window.remainingMs)}
                  data-countdown-format={t.countdown}
                  data-countdown-ended={t.countdownEnded}
                >
                  {t.remainingAbout(times.window.remaining)}
                </span>
              </dd>
            </div>
          </>
        ) : null}
      </dl>
    </section>
  );
}

export function ReadyPage(props: ReadyProps) {
  const { t, action, summary, times } = props;
  const rows: Array<[string, string, boolean]> = [
    [t.summaryName, summary.nameJa ? `${summary.nameJa} (${summary.name})` : summary.name, false],
    [t.summaryType, summary.type, false],
    [t.summarySerial, summary.serial, true],
    [t.summaryValidity, t.validityRange(summary.validFrom, summary.validTo), false],
    [t.summaryFingerprint, summary.fingerprint, true],
    [t.summaryThumbprint, summary.thumbprint, true],
    [t.summaryProfile, summary.profile, false],
    [t.summaryIssuer, summary.issuer, false],
  ];
  return (
    <Layout {...props} title={t.readyTitle}>
      <h1>{t.readyTitle}</h1>
      <p>{t.readyIntro}</p>
      <dl class="summary">
        {rows.map(([k, v, mono]) => (
          <div>
            <dt>{k}</dt>
            <dd class={mono ? 'mono' : undefined}>{v}</dd>
          </div>
        ))}
      </dl>
      <Times t={t} times={times} />
      <p class="warning">{times.window ? t.windowWarningRunning : t.windowWarning}</p>
      <form method="post" action={action} class="download">
        <button type="submit" class="primary">
          {times.window ? t.downloadAgainButton : t.downloadButton}
        </button>
      </form>
      {/* Filled by app.js when the form is sent: the page stays while the browser saves the file. */}
      <p id="download-started" class="status" role="status" data-message={t.downloadStarted}></p>
      <section class="import" aria-labelledby="import-title">
        <h2 id="import-title">{t.importTitle}</h2>
        <ImportSteps t={t} level={3} fingerprints={{ sha256: summary.fingerprint, sha1: summary.thumbprint }} />
      </section>
    </Layout>
  );
}
