import { X509Certificate } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PickupRow } from '../db/schema.js';
import { formatDate, formatJst, formatWait, nightBefore } from '../i18n/format.js';
import { isCodeCharacter, normalizeCodeInput } from '../pickup/secret-code.js';
import { downloadDeadline, type PickupState } from '../pickup/state.js';
import { windowCutShort, windowEnd } from '../pickup/window.js';
import { DETAIL_FIELDS, issuerDisplayName, readSubjectDetails } from '../pki/subject-details.js';
import { ImportHelpPage } from '../../views/import-help.js';
import { LandingPage } from '../../views/landing.js';
import { NoticePage, type NoticeProps } from '../../views/notice.js';
import { ReadyPage, type ReadyTimes } from '../../views/ready.js';
import type { CaIdentity } from '../config.js';
import type { AppEnv } from './env.js';
import { PageCache } from './page-cache.js';

type C = Context<AppEnv>;
type NoticeExtras = Pick<NoticeProps, 'next' | 'importHelp' | 'contact' | 'wait'>;

function base(c: C) {
  return { t: c.get('t'), lang: c.get('lang'), langHref: c.get('langHref'), ca: c.get('ca') };
}

export function pickupPath(token: string): string {
  return `/d/${token}`;
}

export function noticeResponse(
  c: C,
  status: ContentfulStatusCode,
  title: string,
  paragraphs: string[],
  tone: 'dead' | 'wait' | 'error' = 'dead',
  extras: NoticeExtras = {},
) {
  return c.html(<NoticePage {...base(c)} {...extras} title={title} paragraphs={paragraphs} tone={tone} />, status);
}

export function incompleteResponse(c: C) {
  const t = c.get('t');
  return noticeResponse(c, 400, t.deadIncompleteTitle, [t.deadIncompleteBody], 'dead', { next: t.deadIncompleteNext, contact: true });
}

export function unknownResponse(c: C) {
  const t = c.get('t');
  return noticeResponse(c, 404, t.deadUnknownTitle, [t.deadUnknownBody], 'dead', { next: t.deadUnknownNext, importHelp: true, contact: true });
}

/** The page for a pickup that can no longer be downloaded, with what to do next and whom to call. */
export function deadResponse(c: C, pickup: PickupRow, state: PickupState) {
  const t = c.get('t');
  if (state === 'cancelled') {
    return noticeResponse(c, 410, t.deadCancelledTitle, [t.deadCancelledBody], 'dead', { next: t.deadCancelledNext, contact: true });
  }
  if (state === 'downloaded') {
    const when = formatJst(pickup.firstDownloadAt ?? pickup.windowStartedAt ?? 0, c.get('lang'));
    return noticeResponse(c, 410, t.deadDownloadedTitle, [t.deadDownloadedBody(when)], 'dead', {
      next: [...t.deadDownloadedNext, t.deadDownloadedNotYou],
      importHelp: true,
      contact: true,
    });
  }
  return noticeResponse(c, 410, t.deadExpiredTitle, [t.deadExpiredBody], 'dead', { next: t.deadExpiredNext, contact: true });
}

/** The wait after many wrong passwords: when it ends (time of day), a countdown, and the way back. */
export function throttledResponse(c: C, token: string, now: number, until: number) {
  const t = c.get('t');
  const lang = c.get('lang');
  const left = Math.max(0, until - now);
  c.header('Retry-After', String(Math.ceil(left / 1000)));
  return noticeResponse(c, 429, t.throttledTitle, [t.throttledBody(formatWait(left, lang))], 'wait', {
    wait: { until: formatJst(until, lang), remainingMs: left, backHref: pickupPath(token) },
    contact: true,
  });
}

/** Pickup tokens are Crockford base32 (and a check symbol): nothing in them needs escaping. */
const TOKEN_SHAPE = /^[0-9A-Z*~$=]+$/;
const TOKEN_SLOT = 'TOKEN-SLOT';
/** A rendered landing page as UTF-8 bytes, cut where the token goes. */
type SlottedPage = { head: Buffer; tail: Buffer };
/** About 4.5 KB a page: a megabyte or so at most. */
const landingPages = new WeakMap<CaIdentity, PageCache<SlottedPage>>();

/**
 * The landing page shows the language's text, the CA, the pickup's deadlines (as dates and
 * times, not a countdown), the error if any, and the token in the form's action: nothing that
 * changes with the clock. So the page is kept, keyed by exactly those, with the token left out
 * of the key and of the kept page (it is put into the slot on the way out). A changed deadline
 * or a started window is a new key; a pickup that is no longer live never gets here.
 */
export function landingResponse(c: C, token: string, pickup: PickupRow, error: string | null, status: ContentfulStatusCode = 200) {
  const lang = c.get('lang');
  const ca = c.get('ca');
  if (!TOKEN_SHAPE.test(token)) return c.html(landingPage(c, pickupPath(token), pickup, error), status);
  let pages = landingPages.get(ca);
  if (!pages) landingPages.set(ca, (pages = new PageCache<SlottedPage>(256)));
  const key = `${lang}|${pickup.expiresAt}|${pickup.windowStartedAt}|${pickup.windowEndsAt}|${error}`;
  const page = pages.get(key, () => {
    const out = landingPage(c, pickupPath(TOKEN_SLOT), pickup, error).toString();
    // The views are synchronous; a page that is not one string with one slot is never kept.
    const parts = typeof out === 'string' ? out.split(TOKEN_SLOT) : [];
    if (parts.length !== 2) throw new Error('the landing page did not render to one string with one token slot');
    return { head: Buffer.from(parts[0]!), tail: Buffer.from(parts[1]!) };
  });
  // Kept as bytes: the answer is three copies, with no UTF-8 encoding or length count of the
  // page per request. The token matched TOKEN_SHAPE above, so it is ASCII.
  const body = Buffer.concat([page.head, Buffer.from(token, 'latin1'), page.tail]);
  return c.body(body, status, { 'Content-Type': 'text/html; charset=UTF-8' });
}

function landingPage(c: C, action: string, pickup: PickupRow, error: string | null) {
  const t = c.get('t');
  const lang = c.get('lang');
  const ends = downloadDeadline(pickup);
  const running = pickup.windowStartedAt === null ? null : { started: formatJst(pickup.windowStartedAt, lang), ends: formatJst(ends, lang) };
  // The checklist helps with what was typed; it is noise for "enter it" or "enter it again".
  const checks = error !== null && error !== t.errorPasswordEmpty && error !== t.errorSessionExpired;
  return (
    <LandingPage
      {...base(c)}
      action={action}
      deadline={formatJst(ends, lang)}
      nightDay={nightBefore(ends, lang)}
      running={running}
      error={error}
      checks={checks}
    />
  );
}

/**
 * The typed characters a password can never contain, each once, to name them in the error.
 * They are outside the alphabet, so showing them back reveals nothing about the password.
 */
export function foreignCharacters(raw: string): string {
  const seen = [...new Set(normalizeCodeInput(raw))].filter((ch) => !isCodeCharacter(ch) && /\P{C}/u.test(ch));
  return seen.slice(0, 8).join(' ');
}

/** Windows shows only this SHA-1 "thumbprint", so the page gives it beside the SHA-256 one. */
function sha1Thumbprint(certPem: string): string {
  try {
    return new X509Certificate(certPem).fingerprint;
  } catch {
    return '-';
  }
}

function readyTimes(pickup: PickupRow, now: number, lang: 'ja' | 'en'): ReadyTimes {
  const lifetimeEnds = formatJst(pickup.expiresAt, lang);
  if (pickup.windowEndsAt === null) {
    const ends = windowEnd(now, pickup.expiresAt);
    return { lifetimeEnds, ifPressed: { ends: formatJst(ends, lang), shortened: windowCutShort(now, pickup.expiresAt) }, window: null };
  }
  const ends = downloadDeadline(pickup);
  const left = Math.max(0, ends - now);
  return { lifetimeEnds, ifPressed: null, window: { ends: formatJst(ends, lang), remaining: formatWait(left, lang), remainingMs: left } };
}

export function readyResponse(c: C, token: string, pickup: PickupRow, now: number) {
  const t = c.get('t');
  const lang = c.get('lang');
  const types: Record<string, string> = t.certTypes;
  const profiles: Record<string, string> = t.profiles;
  const labels: Record<string, string> = t.subjectFields;
  const details = readSubjectDetails(pickup.certPem);
  const fields = DETAIL_FIELDS.flatMap((f): Array<[string, string]> => {
    const value = details[f];
    if (value === undefined) return [];
    return [[labels[f] ?? f, f === 'birthDate' ? formatDate(Date.parse(`${value}T12:00:00Z`), lang) : value]];
  });
  const summary = {
    name: pickup.subjectName,
    nameJa: pickup.subjectNameJa,
    type: types[pickup.certType] ?? pickup.certType,
    fields,
    serial: pickup.serial,
    validFrom: formatDate(pickup.certNotBefore, lang),
    validTo: formatDate(pickup.certNotAfter, lang),
    fingerprint: pickup.fingerprint,
    thumbprint: sha1Thumbprint(pickup.certPem),
    profile: profiles[pickup.p12Profile] ?? pickup.p12Profile,
    issuer: issuerDisplayName(pickup.issuerName),
    issuerDn: pickup.issuerName,
  };
  return c.html(<ReadyPage {...base(c)} action={`${pickupPath(token)}/download`} summary={summary} times={readyTimes(pickup, now, lang)} />);
}

export function importHelpResponse(c: C) {
  return c.html(<ImportHelpPage {...base(c)} />);
}
