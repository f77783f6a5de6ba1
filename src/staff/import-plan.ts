import fs from 'node:fs';
import path from 'node:path';
import type { Deps } from '../deps.js';
import { mailingErrors } from '../postal/addressing.js';
import type { P12Profile } from '../pki/p12.js';
import type { FieldError, Mailing } from '../pki/profiles.js';
import { fieldSchemas } from '../pki/subscriber-fields.js';
import { checkImport, ImportRefusal, unpackP12, type CheckedImport, type ImportPart, type ImportSource } from '../services/import-check.js';
import { importPickup } from '../services/import-pickup.js';
import type { BatchRow } from './batch-input.js';
import type { BatchRowPlan } from './batch.js';

const FILE_KEYS = ['keyFile', 'certFile', 'chainFile', 'p12File'] as const;
const TEXT_KEYS = ['applicationCode', 'p12Password', 'email', 'nameJa', 'issuedAt', 'postalAddress', 'proxyName', 'proxyPostalAddress'] as const;
/** The manifest's columns (CSV header) or keys (JSONL). */
export const MANIFEST_KEYS: readonly string[] = [...TEXT_KEYS.slice(0, 1), ...FILE_KEYS, ...TEXT_KEYS.slice(1)];

type Refused = { errors: FieldError[] };
const refuse = (field: string, message: string): Refused => ({ errors: [{ field, message }] });

/** Where a refusal of checkImport lands in the manifest: the column that named the file. */
function columnOf(part: ImportPart, fromP12: boolean): string {
  if (part === 'issuedAt') return 'issuedAt';
  if (fromP12 && part !== 'chain') return 'p12File';
  return { key: 'keyFile', cert: 'certFile', chain: 'chainFile', p12: 'p12File' }[part];
}

function readRowFile(dir: string, value: string, column: string): Buffer | Refused {
  try {
    return fs.readFileSync(path.resolve(dir, value));
  } catch (err) {
    return refuse(column, `${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The key and certificates a row names, read from the manifest's folder; refusals name the column. */
function readSource(input: Record<string, string>, dir: string): ImportSource | Refused {
  const { keyFile, certFile, chainFile, p12File, p12Password } = input;
  if (p12File !== undefined) {
    const extra = ['keyFile', 'certFile', 'chainFile'].filter((k) => input[k] !== undefined);
    if (extra.length > 0) return refuse(extra[0]!, 'give either p12File + p12Password or keyFile + certFile, not both');
    if (p12Password === undefined) return refuse('p12Password', 'required with p12File: the transport password the CA gave with the file');
    const bytes = readRowFile(dir, p12File, 'p12File');
    if (!Buffer.isBuffer(bytes)) return bytes;
    return { ...unpackP12(bytes, p12Password), issuedAt: input.issuedAt ?? null };
  }
  if (keyFile === undefined || certFile === undefined) {
    return refuse(keyFile === undefined ? 'keyFile' : 'certFile', 'required: keyFile and certFile (PEM), or p12File and p12Password');
  }
  if (p12Password !== undefined) return refuse('p12Password', 'only goes with p12File');
  const read = [readRowFile(dir, keyFile, 'keyFile'), readRowFile(dir, certFile, 'certFile'), chainFile === undefined ? null : readRowFile(dir, chainFile, 'chainFile')];
  const failed = read.find((r): r is Refused => r !== null && !Buffer.isBuffer(r));
  if (failed) return failed;
  const [key, cert, chain] = read as Array<Buffer | null>;
  return { keyPem: key!.toString('utf8'), certText: cert!.toString('utf8'), chainText: chain?.toString('utf8') ?? null, issuedAt: input.issuedAt ?? null };
}

type Checked = { material: CheckedImport; email: string | null; nameJa: string | null; mailing: Mailing; code: string };

/** Every check of a single `import`, for one row; all-or-nothing, so any refusal fails the row. */
function checkRow(input: Record<string, unknown>, dir: string, now: number): Checked | Refused {
  const unknown = Object.keys(input).find((k) => !MANIFEST_KEYS.includes(k));
  if (unknown) return refuse(unknown, `unknown key; the manifest's keys are ${MANIFEST_KEYS.join(', ')}`);
  const nonText = Object.entries(input).find(([, v]) => typeof v !== 'string');
  if (nonText) return refuse(nonText[0], 'must be text');
  const text = Object.fromEntries(Object.entries(input as Record<string, string>).map(([k, v]) => [k, k === 'p12Password' ? v : v.trim()]).filter(([, v]) => v !== ''));
  const code = text.applicationCode;
  if (!code) return refuse('applicationCode', 'required in a batch: a re-run recognises imported rows by it');
  let material: CheckedImport;
  try {
    const source = readSource(text, dir);
    if ('errors' in source) return source;
    material = checkImport(source, now);
  } catch (err) {
    if (err instanceof ImportRefusal) return refuse(columnOf(err.part, text.p12File !== undefined), err.message);
    throw err;
  }
  const fields = fieldSchemas(now);
  const errors: FieldError[] = [];
  const checked = (key: 'email' | 'nameJa') => {
    if (text[key] === undefined) return null;
    const result = fields[key].safeParse(text[key]);
    if (result.success) return result.data;
    errors.push({ field: key, message: result.error.issues[0]?.message ?? 'invalid' });
    return null;
  };
  const email = checked('email');
  const nameJa = checked('nameJa');
  const mailing: Mailing = Object.fromEntries(
    (['applicationCode', 'postalAddress', 'proxyName', 'proxyPostalAddress'] as const).filter((k) => text[k] !== undefined).map((k) => [k, text[k]]),
  );
  errors.push(...mailingErrors(mailing));
  return errors.length > 0 ? { errors } : { material, email, nameJa, mailing, code };
}

/**
 * Decides every manifest row before anything is imported: refused (with the column at fault),
 * already imported on an earlier run (its application code exists), or to be imported. Files
 * are read and checked here, so a manifest full of mistakes is reported in full.
 */
export async function planImport(deps: Deps, rows: BatchRow[], dir: string, profile: P12Profile): Promise<BatchRowPlan[]> {
  const now = deps.clock();
  const firstRowOf = new Map<string, number>();
  const firstRowOfSerial = new Map<string, number>();
  const out: BatchRowPlan[] = [];
  for (const r of rows) {
    out.push(await (async (): Promise<BatchRowPlan> => {
    if ('errors' in r) return { row: r.row, status: 'failed', errors: r.errors };
    const code = typeof r.input.applicationCode === 'string' ? r.input.applicationCode.trim() : '';
    const earlier = firstRowOf.get(code);
    if (code && earlier !== undefined) return { row: r.row, status: 'failed', errors: [{ field: 'applicationCode', message: `same as row ${earlier}` }] };
    if (code) firstRowOf.set(code, r.row);
    const existing = code ? await deps.store.findPickupByApplicationCode(code) : null;
    if (existing) return { row: r.row, status: 'skipped', applicationCode: code, serial: existing.serial };
    const checked = checkRow(r.input, dir, now);
    if ('errors' in checked) return { row: r.row, status: 'failed', errors: checked.errors };
    const { material, mailing } = checked;
    const serial = material.summary.serialHex;
    const sameCert = firstRowOfSerial.get(serial);
    if (sameCert !== undefined) return { row: r.row, status: 'failed', errors: [{ field: 'certFile', message: `the same certificate as row ${sameCert}` }] };
    firstRowOfSerial.set(serial, r.row);
    const taken = (await deps.store.findPickupsByReference(serial)).find((p) => p.serial === serial);
    if (taken) return { row: r.row, status: 'failed', errors: [{ field: 'certFile', message: `serial ${serial} already has a pickup (application code ${taken.applicationCode ?? '-'})` }] };
    return {
      row: r.row,
      status: 'issue',
      applicationCode: checked.code,
      type: 'imported',
      mailing,
      warnings: material.reachesRoot ? [] : ['the chain does not reach a self-signed root; importers may not trust the certificate'],
      create: () => importPickup(deps, material, { email: checked.email, nameJa: checked.nameJa, mailing, p12Profile: profile }),
    };
    })());
  }
  return out;
}
