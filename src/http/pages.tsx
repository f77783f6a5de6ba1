import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PickupRow } from '../db/schema.js';
import { formatDateOnly, formatJst, formatWait } from '../i18n/format.js';
import { downloadDeadline, type PickupState } from '../pickup/state.js';
import { LandingPage } from '../../views/landing.js';
import { NoticePage } from '../../views/notice.js';
import { ReadyPage } from '../../views/ready.js';
import type { AppEnv } from './env.js';

type C = Context<AppEnv>;

function base(c: C) {
  return { t: c.get('t'), lang: c.get('lang'), langHref: c.get('langHref') };
}

export function pickupPath(token: string): string {
  return `/d/${token}`;
}

export function noticeResponse(c: C, status: ContentfulStatusCode, title: string, paragraphs: string[], tone: 'dead' | 'wait' | 'error' = 'dead') {
  return c.html(<NoticePage {...base(c)} title={title} paragraphs={paragraphs} tone={tone} />, status);
}

export function incompleteResponse(c: C) {
  const t = c.get('t');
  return noticeResponse(c, 400, t.deadIncompleteTitle, [t.deadIncompleteBody]);
}

export function unknownResponse(c: C) {
  const t = c.get('t');
  return noticeResponse(c, 404, t.deadUnknownTitle, [t.deadUnknownBody]);
}

/** The page for a pickup that can no longer be downloaded, with what to do next. */
export function deadResponse(c: C, pickup: PickupRow, state: PickupState, supportContact: string) {
  const t = c.get('t');
  const contact = t.contactSupport(supportContact);
  if (state === 'cancelled') return noticeResponse(c, 410, t.deadCancelledTitle, [t.deadCancelledBody, contact]);
  if (state === 'downloaded') {
    const when = formatJst(pickup.firstDownloadAt ?? pickup.windowStartedAt ?? 0, c.get('lang'));
    return noticeResponse(c, 410, t.deadDownloadedTitle, [t.deadDownloadedBody(when), t.deadDownloadedNotYou, contact]);
  }
  return noticeResponse(c, 410, t.deadExpiredTitle, [t.deadExpiredBody, contact]);
}

export function landingResponse(c: C, token: string, pickup: PickupRow, error: string | null, status: ContentfulStatusCode = 200) {
  const deadline = formatJst(downloadDeadline(pickup), c.get('lang'));
  return c.html(<LandingPage {...base(c)} action={pickupPath(token)} deadline={deadline} error={error} />, status);
}

const TYPE_LABELS: Record<string, { ja: string; en: string }> = {
  basic: { ja: '基本型', en: 'Basic' },
  individual: { ja: '属性型(個人)', en: 'Attribute: individual' },
  'sole-proprietor': { ja: '属性型(個人事業主)', en: 'Attribute: sole proprietor' },
  'org-representative': { ja: '属性型(組織代表者)', en: 'Attribute: organisation representative' },
  'org-employee': { ja: '属性型(組織社員)', en: 'Attribute: organisation employee' },
  imported: { ja: '他の認証局で発行', en: 'Issued by another CA' },
};

const PROFILE_LABELS: Record<string, { ja: string; en: string }> = {
  compat: {
    ja: 'PKCS#12 互換形式(3DES / SHA-1)。Windows、macOS、iOS の古い版を含め、ほぼすべての環境でインポートできます。',
    en: 'PKCS#12 compatible (3DES / SHA-1): imports almost everywhere, older Windows, macOS and iOS included.',
  },
  modern: {
    ja: 'PKCS#12 新形式(AES-256 / SHA-256)。Windows 10 (1709) 以降、最近の macOS、Firefox、Java、OpenSSL 3 でインポートできます。',
    en: 'PKCS#12 modern (AES-256 / SHA-256): imports on Windows 10 1709 and later, recent macOS, Firefox, Java and OpenSSL 3.',
  },
};

export function readyResponse(c: C, token: string, pickup: PickupRow, now: number) {
  const lang = c.get('lang');
  const windowEndsAt = pickup.windowStartedAt === null ? null : downloadDeadline(pickup);
  const summary = {
    name: pickup.subjectName,
    nameJa: pickup.subjectNameJa,
    type: (TYPE_LABELS[pickup.certType] ?? { ja: pickup.certType, en: pickup.certType })[lang],
    serial: pickup.serial,
    validFrom: formatDateOnly(pickup.certNotBefore),
    validTo: formatDateOnly(pickup.certNotAfter),
    fingerprint: pickup.fingerprint,
    profile: (PROFILE_LABELS[pickup.p12Profile] ?? { ja: pickup.p12Profile, en: pickup.p12Profile })[lang],
    issuer: pickup.issuerName,
  };
  return c.html(
    <ReadyPage
      {...base(c)}
      action={`${pickupPath(token)}/download`}
      summary={summary}
      deadline={formatJst(downloadDeadline(pickup), lang)}
      windowEndsAt={windowEndsAt}
      windowEnds={windowEndsAt === null ? null : formatJst(windowEndsAt, lang)}
      remaining={windowEndsAt === null ? null : formatWait(windowEndsAt - now, lang)}
    />,
  );
}
