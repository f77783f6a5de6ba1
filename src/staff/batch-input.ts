import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { MAILING_KEYS, type FieldError } from '../pki/profiles.js';
import { TEXT_FIELDS } from '../pki/subscriber-fields.js';
import { UsageError } from './context.js';

/**
 * `row` is what staff see in their editor: for CSV the spreadsheet row (the header is row 1,
 * the first applicant row 2), for JSONL the line number.
 */
export type BatchRow = { row: number; input: Record<string, unknown> } | { row: number; errors: FieldError[] };

export const BATCH_KEYS: readonly string[] = ['type', 'validityYears', 'includeEmail', ...TEXT_FIELDS, ...MAILING_KEYS];

/** UTF-8 (with or without BOM); Excel's "CSV" on Japanese Windows is Shift_JIS, so that is accepted too. */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('shift_jis').decode(bytes);
  }
}

const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);

/** CSV cells are text: turn the two non-text keys into what validateSubscriber expects. */
function csvValue(key: string, cell: string): unknown {
  const value = cell.trim();
  if (key === 'validityYears' && /^\d+$/.test(value)) return Number(value);
  if (key === 'includeEmail') {
    if (TRUE.has(value.toLowerCase())) return true;
    if (FALSE.has(value.toLowerCase())) return false;
  }
  return cell;
}

/** The columns a file may have, and how the refusal of an unknown one describes them. */
export type BatchColumns = { keys: readonly string[]; described: string };
const SUBSCRIBER_COLUMNS: BatchColumns = { keys: BATCH_KEYS, described: 'the subscriber keys' };

function readCsv(text: string, file: string, columns: BatchColumns): BatchRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new UsageError(`${file}: not readable as CSV: ${(err as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new UsageError(`${file}: empty`);
  const keys = header.map((h) => h.trim());
  const unknown = keys.filter((k) => !columns.keys.includes(k));
  if (unknown.length > 0) throw new UsageError(`${file}: unknown column(s) ${unknown.join(', ')}; columns are ${columns.described}: ${columns.keys.join(', ')}`);
  const duplicated = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (duplicated.length > 0) throw new UsageError(`${file}: column(s) ${duplicated.join(', ')} appear twice`);
  return body.map((cells, i) => {
    const row = i + 2;
    if (cells.length !== keys.length) return { row, errors: [{ field: '(row)', message: `has ${cells.length} cells, the header has ${keys.length}` }] };
    const input: Record<string, unknown> = {};
    // An empty cell means the field is absent, exactly as a missing JSON key.
    cells.forEach((cell, j) => {
      if (cell.trim() !== '') input[keys[j]!] = csvValue(keys[j]!, cell);
    });
    return { row, input };
  });
}

function readJsonl(text: string): BatchRow[] {
  const rows: BatchRow[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    const row = i + 1;
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      rows.push({ row, errors: [{ field: '(line)', message: `not JSON: ${(err as Error).message}` }] });
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) rows.push({ row, errors: [{ field: '(line)', message: 'must be one JSON object' }] });
    else rows.push({ row, input: parsed as Record<string, unknown> });
  });
  return rows;
}

/** Reads an applicants file (or an import manifest): `.csv` with a header row of keys, or `.jsonl`, one object a line. */
export function readBatchFile(file: string, columns: BatchColumns = SUBSCRIBER_COLUMNS): BatchRow[] {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.jsonl' && ext !== '.ndjson') throw new UsageError(`--batch ${file}: expected a .csv or .jsonl file`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`--batch ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const text = decode(bytes);
  return ext === '.csv' ? readCsv(text, file, columns) : readJsonl(text);
}
