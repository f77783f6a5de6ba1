import type { Messages } from '../src/i18n/index.js';
import { Layout, type PageProps } from './layout.js';

export type Fingerprints = { sha256: string; sha1: string };

/** A fingerprint that wraps only between bytes, so two lines are easy to compare by eye. */
function Hex(props: { value: string }) {
  const bytes = props.value.split(':');
  return (
    <>
      {bytes.map((b, i) => (i < bytes.length - 1 ? <>{b}:<wbr /></> : b))}
    </>
  );
}

function Platform(props: { title: string; steps: string[] }) {
  return (
    <details class="platform">
      <summary>{props.title}</summary>
      <ol>
        {props.steps.map((line) => (
          <li>{line}</li>
        ))}
      </ol>
    </details>
  );
}

/**
 * How to import CERT.P12 and check it: shown below the Download button (with the certificate's
 * own fingerprints) and on the static help page (without: it knows no pickup).
 */
export function ImportSteps(props: { t: Messages; level: 2 | 3; fingerprints: Fingerprints | null }) {
  const { t, level, fingerprints } = props;
  return (
    <>
      <p>{t.importIntro}</p>
      <p class="pin-note">{t.importPin}</p>
      <Platform title={t.importWindowsTitle} steps={t.importWindowsSteps} />
      <Platform title={t.importMacTitle} steps={t.importMacSteps} />
      <Platform title={t.importFirefoxTitle} steps={t.importFirefoxSteps} />
      <p class="note">{t.importPinTip}</p>
      {level === 2 ? <h2>{t.checkTitle}</h2> : <h3>{t.checkTitle}</h3>}
      <p>{t.checkIntro}</p>
      <ul>
        {t.checkSteps.map((line) => (
          <li>{line}</li>
        ))}
      </ul>
      {fingerprints ? (
        <>
          <p class="values-title">{t.checkValues}</p>
          <dl class="summary compact">
            <div>
              <dt>{t.summaryFingerprint}</dt>
              <dd class="mono bytes">
                <Hex value={fingerprints.sha256} />
              </dd>
            </div>
            <div>
              <dt>{t.summaryThumbprint}</dt>
              <dd class="mono bytes">
                <Hex value={fingerprints.sha1} />
              </dd>
            </div>
          </dl>
        </>
      ) : (
        <p>{t.helpFingerprintWhere}</p>
      )}
      <p>{t.backupTip}</p>
      <p class="warning">{t.noReissue}</p>
    </>
  );
}

/** GET /help/import: static, the same for everyone, and reachable after the URL has died. */
export function ImportHelpPage(props: PageProps) {
  const { t } = props;
  return (
    <Layout {...props} title={t.helpTitle}>
      <h1>{t.helpTitle}</h1>
      <ImportSteps t={t} level={2} fingerprints={null} />
    </Layout>
  );
}
