import { en } from './en.js';
import { ja } from './ja.js';

export type Lang = 'ja' | 'en';

const messages = { ja, en };

const JST_OFFSET_MS = 9 * 3_600_000;

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
// en-GB's short names, as Intl gives them ("Sept"), written out: one Intl.DateTimeFormat with a
// time zone maps about 6 MB of ICU data from the node binary into the server's RSS, and JST
// needs no time-zone data (no daylight saving), as the Japanese forms below already show.
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'];

/** Year, month, day, weekday and time as read on a clock in Japan. */
function jstParts(ms: number) {
  const d = new Date(ms + JST_OFFSET_MS);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), wd: d.getUTCDay(), h: d.getUTCHours(), mi: d.getUTCMinutes() };
}

/**
 * Every time a subscriber or staff member reads is in Japan Standard Time, and says so:
 * "2026年12月26日（土）10:00（日本時間）" in Japanese (full-width brackets, no spaces),
 * "Sat, 26 Dec 2026, 10:00 JST" in English.
 */
export function formatJst(ms: number, lang: Lang): string {
  const p = jstParts(ms);
  const time = `${String(p.h).padStart(2, '0')}:${String(p.mi).padStart(2, '0')}`;
  if (lang === 'en') return `${WEEKDAYS_EN[p.wd]}, ${p.d} ${MONTHS_EN[p.mo - 1]} ${p.y}, ${time} JST`;
  return `${p.y}年${p.mo}月${p.d}日（${WEEKDAYS_JA[p.wd]}）${time}（日本時間）`;
}

/** A calendar day in Japan in the pages' one date style: "2026年12月1日" / "1 Dec 2026". */
export function formatDate(ms: number, lang: Lang): string {
  const p = jstParts(ms);
  if (lang === 'en') return `${p.d} ${MONTHS_EN[p.mo - 1]} ${p.y}`;
  return `${p.y}年${p.mo}月${p.d}日`;
}

/**
 * When a deadline falls between midnight and 6:00 in Japan, the evening before is the last
 * practical chance: returns that day ("12月25日（金）" / "Fri 25 Dec"), or null by day.
 */
export function nightBefore(ms: number, lang: Lang): string | null {
  if (jstParts(ms).h >= 6) return null;
  const p = jstParts(ms - 24 * 3_600_000);
  if (lang === 'en') return `${WEEKDAYS_EN[p.wd]} ${p.d} ${MONTHS_EN[p.mo - 1]}`;
  return `${p.mo}月${p.d}日（${WEEKDAYS_JA[p.wd]}）`;
}

/** "2026-11-26T10:00:00.000" as read on a clock in Japan (JST has no daylight saving). */
export function jstIso(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 23);
}

/** YYYY-MM-DD of the day in Japan. */
export function formatDateOnly(ms: number): string {
  return jstIso(ms).slice(0, 10);
}

/** "12分" / "12 minutes", rounded up so a subscriber never retries a little too early. */
export function formatWait(ms: number, lang: Lang): string {
  const t = messages[lang];
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 60) return t.waitMinutes(minutes);
  return t.waitHours(Math.floor(minutes / 60), minutes % 60);
}
