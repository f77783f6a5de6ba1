import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = fs.readFileSync(new URL('../../views/static/app.css', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

type Rule = { selector: string; decls: Map<string, string> };

/** Innermost `selector { declarations }` blocks; media queries contribute their inner rules. */
function rules(text: string): Rule[] {
  return [...text.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map(([, selector, body]) => ({
    selector: selector!.replace(/^[\s\S]*\{/, '').trim(),
    decls: new Map(
      body!
        .split(';')
        .map((d) => d.split(':'))
        .filter((kv) => kv.length >= 2)
        .map(([k, ...v]) => [k!.trim(), v.join(':').trim()]),
    ),
  }));
}

const all = rules(css);
const root = all.find((r) => r.selector === ':root')!;
const vars = new Map([...root.decls].filter(([k]) => k.startsWith('--')));

function rgb(value: string): [number, number, number] {
  const resolved = value.replace(/var\((--[\w-]+)\)/, (_, name: string) => vars.get(name) ?? `unknown ${name}`);
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(resolved)?.[1];
  if (!hex) throw new Error(`not a colour this test can check: ${value}; use a #hex variable`);
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(rgb(a)), luminance(rgb(b))].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** The colour inside a shorthand such as `2px solid var(--control)`. */
function colourIn(shorthand: string): string | null {
  return /(var\(--[\w-]+\)|#[0-9a-f]{3,6})/i.exec(shorthand)?.[1] ?? null;
}

describe('colour contrast in app.css', () => {
  it('knows its formula: black on white is 21:1, white on white 1:1', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#fff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrast('#767676', '#ffffff')).toBeGreaterThan(4.5);
    expect(contrast('#777777', '#ffffff')).toBeLessThan(4.5);
  });

  it('every rule that sets a text colour meets 4.5:1 on its own background, or on the page', () => {
    const pairs = all
      .filter((r) => r.decls.has('color'))
      .map((r) => ({ where: r.selector, fg: r.decls.get('color')!, bg: r.decls.get('background') ?? r.decls.get('background-color') ?? 'var(--paper)' }));
    expect(pairs.length).toBeGreaterThan(10);
    for (const { where, fg, bg } of pairs) expect(contrast(fg, bg), `${where}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
  });

  it('text that inherits its colour meets 4.5:1 on every background a rule sets', () => {
    // A background set without a text colour lets ink, grey notes and links show on it.
    const neutral = new Set(['var(--paper)']);
    for (const r of all) {
      const bg = r.decls.get('background') ?? r.decls.get('background-color');
      if (bg) neutral.add(bg);
    }
    neutral.delete('var(--accent)'); // only the button, which sets white text (checked above)
    for (const bg of neutral) {
      for (const fg of ['var(--ink)', 'var(--muted)', 'var(--link)']) {
        expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('focus rings and form control borders meet 3:1 against the page (WCAG 1.4.11)', () => {
    const outlines = all.filter((r) => r.decls.has('outline')).map((r) => colourIn(r.decls.get('outline')!)!);
    expect(outlines.length).toBeGreaterThan(0);
    for (const c of outlines) expect(contrast(c, 'var(--paper)'), c).toBeGreaterThanOrEqual(3);
    const controls = all.filter((r) => /input|button|kbd/.test(r.selector) && r.decls.has('border'));
    expect(controls.length).toBeGreaterThan(0);
    for (const r of controls) {
      const c = colourIn(r.decls.get('border')!)!;
      expect(contrast(c, 'var(--paper)'), `${r.selector}: ${c}`).toBeGreaterThanOrEqual(3);
    }
  });

  it('uses only system fonts and nothing from another origin', () => {
    expect(css).not.toMatch(/@import|@font-face|url\(/);
  });
});
