import type { CaIdentity } from '../src/config.js';
import type { Lang, Messages } from '../src/i18n/index.js';

/** The CA's name in the page's language. */
export function caName(ca: CaIdentity, lang: Lang): string {
  return lang === 'ja' ? ca.name : ca.nameEn;
}

/**
 * Whom to call, with everything needed to do it: the desk by the CA's name, phone and hours,
 * mail and web. Used in the footer of every page and in the body of every page that ends the flow.
 */
export function SupportDesk(props: { t: Messages; lang: Lang; ca: CaIdentity; lead?: boolean }) {
  const { t, lang, ca } = props;
  const s = ca.support;
  const hours = lang === 'ja' ? s.hours : s.hoursEn;
  return (
    <div class="support">
      <p class="support-desk">
        {props.lead ? t.contactLead : null}
        {t.supportDesk(caName(ca, lang))}
      </p>
      <p>
        {t.contactPhone}
        {t.contactSep}
        <a href={`tel:${s.phone.replace(/[^0-9+]/g, '')}`}>{s.phone}</a>
        <span class="sep">{t.contactHours}
        {t.contactSep}
        {hours}</span>
      </p>
      <p>
        {t.contactEmail}
        {t.contactSep}
        <a href={`mailto:${s.email}`}>{s.email}</a>
        {s.url ? (
          <span class="sep">
            {t.contactWeb}
            {t.contactSep}
            <a href={s.url} rel="noopener noreferrer">
              {s.url}
            </a>
          </span>
        ) : null}
      </p>
    </div>
  );
}

/** The same desk as one line of plain text, for a sentence in a page. */
export function supportLine(t: Messages, lang: Lang, ca: CaIdentity): string {
  const s = ca.support;
  const hours = lang === 'ja' ? s.hours : s.hoursEn;
  return lang === 'ja'
    ? `${t.supportDesk(caName(ca, lang))}、${t.contactPhone}${t.contactSep}${s.phone}、${t.contactHours}${t.contactSep}${hours}`
    : `${t.supportDesk(caName(ca, lang))} (${t.contactPhone.toLowerCase()} ${s.phone}, ${hours})`;
}

// A Japanese run, with any Latin letters written onto its front (PINコード).
const JAPANESE_RUN = /([A-Za-z]*[\u3000-\u30ff\u3400-\u9fff\uff01-\uff60]+)/u;

/** Text for an English page whose Japanese runs (a letter's printed title) are marked lang="ja". */
export function MixedText(props: { lang: Lang; text: string }) {
  if (props.lang === 'ja') return <>{props.text}</>;
  return (
    <>
      {props.text.split(JAPANESE_RUN).map((part, i) => (i % 2 === 1 ? <span lang="ja">{part}</span> : part))}
    </>
  );
}
