import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Row = { measure: string; uketori: string; baseline: string; ratio: string; target: string; met: string };

export type Measure = {
  measure: string;
  uketori: number | null;
  baseline?: number | null;
  unit: string;
  /** What the baseline is, shown beside its figure. */
  baselineNote?: string;
  uketoriNote?: string;
  /** Target as a ratio: Uketori ÷ baseline must be at least this. */
  minRatio?: number;
  /** Target as a bound on Uketori's own figure, in unit. */
  maxValue?: number;
};

export function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = unit === '' ? 0 : unit === 'ms' ? (value < 10 ? 2 : 1) : value < 10 ? 2 : value < 100 ? 1 : 0;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '' ? text : `${text} ${unit}`;
}

function cell(value: number | null | undefined, unit: string, note?: string): string {
  if (value === undefined) return note ?? '—';
  const text = value === null ? 'not measured' : formatNumber(value, unit);
  return note === undefined ? text : `${text} (${note})`;
}

/** One table row; the ratio is always Uketori ÷ baseline. */
export function row(m: Measure): Row {
  const ratio = m.uketori !== null && m.baseline != null && m.baseline > 0 ? m.uketori / m.baseline : null;
  const targets: string[] = [];
  const verdicts: boolean[] = [];
  let unknown = false;
  if (m.minRatio !== undefined) {
    targets.push(`≥ ${m.minRatio}×`);
    if (ratio === null) unknown = true;
    else verdicts.push(ratio >= m.minRatio);
  }
  if (m.maxValue !== undefined) {
    targets.push(`≤ ${m.maxValue} ${m.unit}`);
    if (m.uketori === null || !Number.isFinite(m.uketori)) unknown = true;
    else verdicts.push(m.uketori <= m.maxValue);
  }
  let met = '—';
  if (targets.length > 0) met = verdicts.includes(false) ? '**no**' : unknown ? 'unknown' : 'yes';
  return {
    measure: m.measure,
    uketori: cell(m.uketori, m.unit, m.uketoriNote),
    baseline: cell(m.baseline, m.unit, m.baselineNote),
    ratio: ratio === null ? '—' : `${ratio.toFixed(2)}×`,
    target: targets.join(', ') || '—',
    met,
  };
}

export type Report = { title: string; facts: string[]; rows: Row[]; notes: string[]; errors: string[] };

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function renderReport(report: Report): string {
  const header = ['measure', 'Uketori', 'baseline', 'ratio', 'target', 'met?'];
  const lines = [`# ${report.title}`, '', ...report.facts.map((f) => `- ${f}`), ''];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
  for (const r of report.rows) {
    lines.push(`| ${[r.measure, r.uketori, r.baseline, r.ratio, r.target, r.met].map(escapeCell).join(' | ')} |`);
  }
  if (report.notes.length > 0) lines.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`));
  if (report.errors.length > 0) {
    lines.push('', '## Errors', '');
    for (const e of report.errors) lines.push('```', e.trim(), '```');
  }
  return lines.join('\n') + '\n';
}

/** Writes <stamp>.md and latest.md under dir; returns both paths. */
export async function writeReport(dir: string, stamp: string, markdown: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths = [join(dir, `${stamp}.md`), join(dir, 'latest.md')];
  await Promise.all(paths.map((p) => writeFile(p, markdown)));
  return paths;
}
