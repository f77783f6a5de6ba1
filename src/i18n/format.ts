import { en } from './en.js';
import { ja } from './ja.js';

export type Lang = 'ja' | 'en';

const messages = { ja, en };

const formatters: Record<Lang, Intl.DateTimeFormat> = {
  ja: new Intl.DateTimeFormat('ja-JP', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }),
  en: new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }),
};

/** Every time a subscriber or staff member reads is in Japan Standard Time, and says so. */
export function formatJst(ms: number, lang: Lang): string {
  return `${formatters[lang].format(new Date(ms))} JST`;
}

const JST_OFFSET_MS = 9 * 3_600_000;

/** "2026-11-26T10:00:00.000" as read on a clock in Japan (JST has no daylight saving). */
export function jstIso(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 23);
}

/** YYYY-MM-DD of the day in Japan. */
export function formatDateOnly(ms: number): string {
  return jstIso(ms).slice(0, 10);
}

/** "12 分" / "12 minutes", rounded up so a subscriber never retries a little too early. */
export function formatWait(ms: number, lang: Lang): string {
  const t = messages[lang];
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 60) return t.waitMinutes(minutes);
  return t.waitHours(Math.floor(minutes / 60), minutes % 60);
}
