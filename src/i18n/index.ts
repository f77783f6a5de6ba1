import { en } from './en.js';
import { ja, type Messages } from './ja.js';
import type { Lang } from './format.js';

export type { Lang } from './format.js';
export type { Messages } from './ja.js';

export const messages: Record<Lang, Messages> = { ja, en };

/** Japanese unless the visitor chose English or their browser prefers it over Japanese. */
export function pickLang(cookie: string | undefined, query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'ja') return query;
  if (cookie === 'en' || cookie === 'ja') return cookie;
  if (!acceptLanguage) return 'ja';
  const ranked = acceptLanguage
    .split(',')
    .slice(0, 20)
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { primary: tag.split('-')[0], weight: Number.isFinite(weight) ? weight : 0 };
    })
    .filter((r) => r.weight > 0)
    .sort((a, b) => b.weight - a.weight);
  const first = ranked.find((r) => r.primary === 'ja' || r.primary === 'en');
  return first?.primary === 'en' ? 'en' : 'ja';
}
