import { Hex, ImportSteps } from './import-help.js';
import { Layout, type PageProps } from './layout.js';

export type CertificateDetails = {
  name: string;
  nameJa: string | null;
  type: string;
  /** The subject's other fields the certificate holds, labelled, in the order they are shown. */
  fields: Array<[string, string]>;
  serial: string;
  validFrom: string;
  validTo: string;
  fingerprint: string;
  thumbprint: string;
  profile: string;
  /** The issuer's organisation name, and its full distinguished name for those who want it. */
  issuer: string;
  issuerDn: string;
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

/**
 * What a subscriber checks, then the Download button, then how to import. The rows only a
 * technician compares (fingerprints, file format) fold away, and on a wide screen the times and
 * the button stand beside the details, so the button stays in view however many fields the
 * certificate holds.
 */
export function ReadyPage(props: ReadyProps) {
  const { t, action, summary, times } = props;
  const rows: Array<[string, string]> = [
    [t.summaryName, summary.nameJa ? `${summary.nameJa}（${summary.name}）` : summary.name],
    [t.summaryType, summary.type],
    ...summary.fields,
    [t.summaryValidity, t.validityRange(summary.validFrom, summary.validTo)],
  ];
  if (props.lang === 'en' && summary.nameJa) rows[0] = [t.summaryName, `${summary.name} (${summary.nameJa})`];
  return (
    <Layout {...props} title={t.readyTitle} wide={true}>
      <h1>{t.readyTitle}</h1>
      <p>{t.readyIntro}</p>
      <div class="ready-grid">
        <div class="ready-facts">
          <dl class="summary">
            {rows.map(([k, v]) => (
              <div>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
            <div>
              <dt>{t.summarySerial}</dt>
              <dd class="mono">{summary.serial}</dd>
        </div>
        <div>
          <dt>{t.summaryIssuer}</dt>
          <dd>{summary.issuer}</dd>
        </div>
      </dl>
        </div>
        <div class="ready-action">
          <Times t={t} times={times} />
          <p class="warning">{times.window ? t.windowWarningRunning : t.windowWarning}</p>
          {/* Its text is about starting the hour: once the hour runs, the device note below is what applies. */}
          {times.window ? null : (
            <div class="phone-only" role="note">
              <p class="phone-title">{t.phoneWarningTitle}</p>
              <p>{t.phoneWarning}</p>
            </div>
          )}
          <form method="post" action={action} class="download">
            <button type="submit" class="primary">
              {times.window ? t.downloadAgainButton : t.downloadButton}
            </button>
          </form>
          {/* Filled by app.js once the file has come: the page then shows the running hour. */}
          <p id="download-started" class="status" role="status" tabindex={-1} data-message={t.downloadStarted}></p>
        </div>
      </div>
      <p class="device">{t.deviceNote}</p>
      {times.window ? null : (
        <noscript>
          <p class="note">{t.downloadNoScript}</p>
        </noscript>
      )}
      <details class="technical">
        <summary>{t.technicalTitle}</summary>
        <dl class="summary compact">
          <div>
            <dt>{t.summaryFingerprint}</dt>
            <dd class="mono bytes">
              <Hex value={summary.fingerprint} />
            </dd>
          </div>
          <div>
            <dt>{t.summaryThumbprint}</dt>
            <dd class="mono bytes">
              <Hex value={summary.thumbprint} />
            </dd>
          </div>
          <div>
            <dt>{t.summaryProfile}</dt>
            <dd>{summary.profile}</dd>
          </div>
          <div>
            <dt>{t.summaryIssuerDn}</dt>
            <dd class="mono">{summary.issuerDn}</dd>
          </div>
        </dl>
      </details>
      <section class="import" aria-labelledby="import-title">
        <h2 id="import-title">{t.importTitle}</h2>
        <ImportSteps t={t} level={3} onReadyPage={true} />
      </section>
    </Layout>
  );
}
