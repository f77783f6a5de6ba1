import type { Messages } from '../src/i18n/index.js';
import { Layout, type PageProps } from './layout.js';

/** A fingerprint that wraps only between bytes, so two lines are easy to compare by eye. */
export function Hex(props: { value: string }) {
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
 * How to import CERT.P12 and check it: shown below the Download button and on the static help
 * page. The fingerprints themselves are shown once, in the ready page's technical details.
 */
export function ImportSteps(props: { t: Messages; level: 2 | 3; onReadyPage: boolean }) {
  const { t, level, onReadyPage } = props;
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
      <p>{onReadyPage ? t.checkValues : t.helpFingerprintWhere}</p>
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
      <ImportSteps t={t} level={2} onReadyPage={false} />
    </Layout>
  );
}
