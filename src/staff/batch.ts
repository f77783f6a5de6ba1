import os from 'node:os';
import { MultiBar, Presets } from 'cli-progress';
import type { Deps } from '../deps.js';
import { mailingWarnings } from '../postal/addressing.js';
import type { Mailer } from '../mail/transport.js';
import type { FieldError, Mailing } from '../pki/profiles.js';
import type { P12Profile } from '../pki/p12.js';
import { PickupExistsError, type IssuedPickup } from '../services/create-pickup.js';
import { deliverIssued, type Delivery } from '../services/deliver-issued.js';
import { issueNewPickup, subscriberRules } from '../services/issue-new.js';
import { readBatchFile } from './batch-input.js';
import { planBatch } from './batch-plan.js';
import type { CommandContext } from './context.js';
import { deliveryJson, LETTERS_WARNING, mailText } from './delivery-output.js';
import { issuedJson } from './present.js';

/**
 * Two rows per core in flight keep every core busy: RSA key generation, argon2 and sealing run
 * on libuv's thread pool while another row builds its PKCS#12 on the main thread.
 */
export const BATCH_CONCURRENCY = Math.max(2, os.availableParallelism() * 2);

export type BatchOptions = { file: string; p12Profile: P12Profile; lettersDir: string | null; json: boolean };

/** One row of a batch file, decided before anything is made: what `issue --batch` and `import --batch` share. */
export type BatchRowPlan =
  | { row: number; status: 'issue'; applicationCode: string; type: string; mailing: Mailing; warnings?: string[]; create: () => Promise<IssuedPickup> }
  | { row: number; status: 'skipped'; applicationCode: string; serial: string }
  | { row: number; status: 'failed'; errors: FieldError[] };

export type RowRunOptions = { lettersDir: string | null; json: boolean };

type Outcome =
  | { row: number; status: 'issued'; issued: IssuedPickup; type: string; applicationCode: string; delivery: Delivery | null; warnings: string[]; error?: string }
  | { row: number; status: 'skipped' | 'failed'; errors: FieldError[]; halts?: boolean };

type Issue = Extract<BatchRowPlan, { status: 'issue' }>;

async function issueRow(deps: Deps, mailer: Mailer, p: Issue, o: RowRunOptions): Promise<Outcome> {
  let issued: IssuedPickup;
  try {
    issued = await p.create();
  } catch (err) {
    // Nothing was written: createPickup inserts in one transaction, after all the work is done.
    if (err instanceof PickupExistsError) return { row: p.row, status: 'skipped', errors: [{ field: 'applicationCode', message: 'already issued' }] };
    // A lost HSM session fails this row and stops the batch: every later row would fail alike.
    const halts = (err as { haltsBatch?: boolean }).haltsBatch === true;
    return { row: p.row, status: 'failed', errors: [{ field: '(issue)', message: (err as Error).message }], ...(halts ? { halts } : {}) };
  }
  const warnings = [...(p.warnings ?? []), ...(o.lettersDir === null ? [] : mailingWarnings(p.mailing))];
  const base = { row: p.row, status: 'issued' as const, issued, type: p.type, applicationCode: p.applicationCode, warnings };
  try {
    return { ...base, delivery: await deliverIssued(deps, mailer, issued, o.lettersDir) };
  } catch (err) {
    return { ...base, delivery: null, error: (err as Error).message };
  }
}

function fromPlan(p: Exclude<BatchRowPlan, Issue>): Outcome {
  if (p.status === 'failed') return p;
  return { row: p.row, status: 'skipped', errors: [{ field: 'applicationCode', message: `already issued as serial ${p.serial}` }] };
}

/** The secrets reach stdout only when no letter holds them. */
function outcomeText(o: Outcome, lettersOn: boolean): { out: string; err: string } {
  const tag = `row ${o.row}`.padEnd(8);
  if (o.status !== 'issued') {
    const lines = o.errors.map((e, i) => `${i === 0 ? tag : ' '.repeat(8)} ${o.status.padEnd(8)} ${e.field}: ${e.message}`);
    return o.status === 'failed' ? { out: '', err: lines.join('\n') + '\n' } : { out: lines.join('\n') + '\n', err: '' };
  }
  const i = o.issued;
  const secrets = `${' '.repeat(8)} password ${i.password}  PIN ${i.pin}`;
  let out = `${tag} issued   ${i.serial}  ${o.applicationCode}  mail ${o.delivery ? mailText(o.delivery.mail) : '-'}\n`;
  if (!lettersOn) out += `${secrets}\n`;
  for (const w of o.warnings) out += `${' '.repeat(8)} warning: ${w}\n`;
  let err = '';
  if (o.error) err = `${tag} ISSUED ${i.serial} BUT ${o.error}\n${secrets}\n`;
  else if (o.delivery?.letters.status === 'failed') {
    err = `${tag} LETTERS NOT WRITTEN for ${i.serial}: ${o.delivery.letters.error}\n${secrets}\n${' '.repeat(8)} write these down now, or cancel ${i.serial} and issue again\n`;
  }
  return { out, err };
}

function outcomeJson(o: Outcome): Record<string, unknown> {
  if (o.status !== 'issued') return { row: o.row, status: o.status, errors: o.errors };
  return {
    ...issuedJson(o.issued, { type: o.type, applicationCode: o.applicationCode }),
    row: o.row,
    status: 'issued',
    ...(o.delivery ? deliveryJson(o.delivery) : {}),
    ...(o.error ? { error: o.error } : {}),
    ...(o.warnings.length > 0 ? { warnings: o.warnings } : {}),
  };
}

/** `issue --batch FILE`: every row all-or-nothing, two per core at a time, resumable by application code. */
export async function runBatch(ctx: CommandContext, o: BatchOptions): Promise<number> {
  const rows = readBatchFile(o.file);
  const deps = (await ctx.deps());
  const ca = ctx.issuingCa();
  const plan = (await planBatch(deps.store, rows, subscriberRules(deps))).map((p): BatchRowPlan => p.status !== 'issue' ? p : {
    row: p.row,
    status: 'issue',
    applicationCode: p.applicationCode,
    type: p.subscriber.type,
    mailing: p.mailing,
    create: () => issueNewPickup(deps, ca, p.subscriber, { p12Profile: o.p12Profile, applicationCode: p.applicationCode, mailing: p.mailing }),
  });
  // The CA (an HSM login) is opened first: a refusal there is one line, before any row.
  if (plan.some((p) => p.status === 'issue')) await ca.open();
  return runBatchRows(ctx, deps, plan, o);
}

/**
 * Runs planned rows: the refused and skipped ones are reported at once, the rest are made two
 * per core at a time, each delivered (letters, mail) as it is made. Returns the exit code.
 */
export async function runBatchRows(ctx: CommandContext, deps: Deps, plan: BatchRowPlan[], o: RowRunOptions): Promise<number> {
  const todo = plan.filter((p): p is Issue => p.status === 'issue');
  const outcomes: Outcome[] = [];
  const bars = ctx.isTTY ? new MultiBar({ stream: process.stderr, format: ' {bar} {value}/{total} rows issued', hideCursor: true, clearOnComplete: true, gracefulExit: false }, Presets.shades_classic) : null;
  const bar = bars && todo.length > 0 ? bars.create(todo.length, 0) : null;
  const write = (text: string, stream: 'out' | 'err') => {
    if (!text) return;
    if (bar) bars!.log(text);
    else if (stream === 'out') ctx.stdout(text);
    else ctx.stderr(text);
  };
  const report = (out: Outcome) => {
    outcomes.push(out);
    if (o.json) write(JSON.stringify(outcomeJson(out)) + '\n', 'out');
    else {
      const text = outcomeText(out, o.lettersDir !== null);
      write(text.out, 'out');
      write(text.err, 'err');
    }
  };
  for (const p of plan) if (p.status !== 'issue') report(fromPlan(p));

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    write('Interrupted: finishing the rows in progress, then stopping (Ctrl-C again quits at once, losing their letters).\n', 'err');
  };
  process.on('SIGINT', onSigint);
  const mailer = ctx.mailer();
  let next = 0;
  let halted = false;
  try {
    const worker = async () => {
      while (next < todo.length && !interrupted && !halted) {
        const p = todo[next++]!;
        const outcome = await issueRow(deps, mailer, p, o);
        if (outcome.status === 'failed' && outcome.halts) halted = true;
        report(outcome);
        bar?.increment();
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, todo.length) }, worker));
  } finally {
    process.off('SIGINT', onSigint);
    // update() flushes the lines logged since the last redraw; stop() alone would drop them.
    bars?.update();
    bars?.stop();
  }

  const count = (s: string) => outcomes.filter((x) => x.status === s).length;
  const issuedRows = outcomes.filter((x): x is Extract<Outcome, { status: 'issued' }> => x.status === 'issued');
  const lettersMissing = issuedRows.filter((x) => x.error || x.delivery?.letters.status === 'failed').length;
  const mailFailed = issuedRows.filter((x) => x.delivery?.mail.status === 'failed').length;
  const summary = [`${count('issued')} issued, ${count('skipped')} skipped (already issued), ${count('failed')} failed, of ${plan.length} rows.`];
  if (o.lettersDir !== null && issuedRows.length > 0) summary.push(`Letters are in ${o.lettersDir}. ${LETTERS_WARNING}`);
  if (lettersMissing > 0) summary.push(`${lettersMissing} pickup(s) have NO letters: see the messages above.`);
  if (mailFailed > 0) summary.push(`${mailFailed} mail(s) failed and are recorded: run "npm run staff -- mail --retry".`);
  if (interrupted) summary.push(`Stopped: ${todo.length - next} row(s) not started. Run the same command again to continue.`);
  else if (halted) summary.push(`Stopped because the CA's signing key became unavailable: ${todo.length - next} row(s) not started. Run the same command again to continue.`);
  // The JSON lines stay machine-readable on stdout; the summary is for the person.
  (o.json ? ctx.stderr : ctx.stdout)(summary.join('\n') + '\n');
  if (interrupted) return 130;
  if (count('failed') > 0) return 1;
  return lettersMissing > 0 ? 3 : 0;
}
