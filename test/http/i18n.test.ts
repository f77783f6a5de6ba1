import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { formatDate, formatJst, formatWait, nightBefore } from '../../src/i18n/format.js';
import { messages, pickLang } from '../../src/i18n/index.js';
import { ja } from '../../src/i18n/ja.js';

type Entry = { path: string; value: unknown };

function entries(value: unknown, path = ''): Entry[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => entries(v, path ? `${path}.${k}` : k));
  }
  return [{ path, value }];
}

function shape(v: unknown): string {
  if (typeof v === 'function') return `function/${v.length}`;
  if (Array.isArray(v)) return `array/${v.length}`;
  return typeof v;
}

/** Strings a function message yields for sample arguments, so those are checked too. */
function texts(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(texts);
  if (typeof v === 'function') return [String(v(...Array.from({ length: v.length }, (_, i) => (i === 0 ? 3 : 2))))];
  return [];
}

const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]/u;
// The letters' printed titles are Japanese whatever the page language; English names them too.
const JAPANESE_IN_ENGLISH = new Set(['langSwitch', 'letterPasswordName', 'letterPinName']);

describe('message tables', () => {
  const jaEntries = new Map(entries(ja).map((e) => [e.path, e.value]));
  const enEntries = new Map(entries(en).map((e) => [e.path, e.value]));

  it('have the same keys, nested keys included', () => {
    expect([...enEntries.keys()].sort()).toEqual([...jaEntries.keys()].sort());
    expect(Object.keys(messages).sort()).toEqual(['en', 'ja']);
  });

  it('have the same shape for every key: strings, lists of the same length, functions of the same arity', () => {
    for (const [path, value] of jaEntries) expect(shape(enEntries.get(path)), path).toBe(shape(value));
  });

  it('have no empty text, and no placeholder left unfilled', () => {
    for (const table of [jaEntries, enEntries]) {
      for (const [path, value] of table) {
        for (const text of texts(value)) {
          expect(text.trim().length, path).toBeGreaterThan(0);
          expect(text, path).not.toMatch(/undefined|NaN|\$\{/);
        }
      }
    }
  });

  it('write English in the English table and Japanese in the Japanese one', () => {
    for (const [path, value] of enEntries) {
      if (JAPANESE_IN_ENGLISH.has(path)) continue;
      for (const text of texts(value)) expect(text, path).not.toMatch(JAPANESE);
    }
    const japaneseKeys = [...jaEntries].filter(([, v]) => texts(v).some((s) => JAPANESE.test(s))).length;
    expect(japaneseKeys).toBeGreaterThan(jaEntries.size * 0.9);
  });

  it('name the two letters the way they are printed', () => {
    expect(ja.letterPasswordName).toContain('パスワード送付のお知らせ');
    expect(ja.letterPinName).toContain('PINコード送付のお知らせ');
    expect(en.letterPasswordName).toContain('パスワード送付のお知らせ');
    expect(en.letterPinName).toContain('PINコード送付のお知らせ');
  });

  it('keep the countdown placeholders the script fills', () => {
    for (const t of [ja, en]) {
      expect(t.countdown).toContain('{m}');
      expect(t.countdown).toContain('{s}');
    }
  });
});

describe('language choice', () => {
  it('is Japanese when nothing says otherwise', () => {
    expect(pickLang(undefined, undefined, undefined)).toBe('ja');
    expect(pickLang(undefined, undefined, '')).toBe('ja');
    expect(pickLang(undefined, undefined, 'fr-FR,de;q=0.8')).toBe('ja');
    expect(pickLang('xx', 'zz', '*')).toBe('ja');
  });

  it('follows Accept-Language by weight between Japanese and English', () => {
    expect(pickLang(undefined, undefined, 'en-US,en;q=0.9')).toBe('en');
    expect(pickLang(undefined, undefined, 'fr-FR, en;q=0.5')).toBe('en');
    expect(pickLang(undefined, undefined, 'ja,en-US;q=0.8')).toBe('ja');
    expect(pickLang(undefined, undefined, 'en;q=0.5, ja-JP;q=0.9')).toBe('ja');
    expect(pickLang(undefined, undefined, 'en;q=0, ja;q=0.1')).toBe('ja');
  });

  it('lets the switch win over the cookie, and the cookie over the browser', () => {
    expect(pickLang('en', undefined, 'ja')).toBe('en');
    expect(pickLang('ja', undefined, 'en')).toBe('ja');
    expect(pickLang('ja', 'en', 'ja')).toBe('en');
    expect(pickLang('en', 'ja', 'en')).toBe('ja');
  });
});

describe('formatting', () => {
  const at = Date.UTC(2026, 11, 26, 1, 0);

  it('gives date and time in JST, and says so', () => {
    expect(formatJst(at, 'ja')).toBe('2026年12月26日（土）10:00（日本時間）');
    expect(formatJst(at, 'en')).toBe('Sat, 26 Dec 2026, 10:00 JST');
  });

  it("writes English dates exactly as Intl's en-GB in Asia/Tokyo would, without loading it in the server", () => {
    const tokyo = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', ...options });
    const dateTime = tokyo({ year: 'numeric', month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const date = tokyo({ year: 'numeric', month: 'short', day: 'numeric' });
    const day = tokyo({ weekday: 'short', month: 'short', day: 'numeric' });
    // Every month and weekday, both sides of midnight in Japan, a leap day and a year's turn.
    const instants = [Date.UTC(2028, 1, 28, 15, 0), Date.UTC(2026, 11, 31, 14, 59), Date.UTC(2026, 11, 31, 15, 0)];
    for (let i = 0; i < 400; i++) instants.push(Date.UTC(2026, 0, 1) + i * 37 * 3_600_000 + i * 61_000);
    for (const ms of instants) {
      expect(formatJst(ms, 'en')).toBe(`${dateTime.format(ms)} JST`);
      expect(formatDate(ms, 'en')).toBe(date.format(ms));
      const night = nightBefore(ms, 'en');
      expect(night).toBe(dateTime.formatToParts(ms).find((p) => p.type === 'hour')!.value < '06' ? day.format(ms - 24 * 3_600_000) : null);
    }
    expect(formatDate(Date.UTC(2026, 8, 1), 'en')).toBe('1 Sept 2026');
  });

  it('rounds waits up to the minute, in each language', () => {
    expect(formatWait(1, 'ja')).toBe('1分');
    expect(formatWait(60_001, 'en')).toBe('2 minutes');
    expect(formatWait(60 * 60_000, 'ja')).toBe('1時間');
    expect(formatWait(61 * 60_000, 'en')).toBe('1 hour 1 minute');
    expect(formatWait(125 * 60_000, 'en')).toBe('2 hours 5 minutes');
  });
});
