import { join } from 'node:path';
import type { BenchHsm } from '../hsm.js';
import { parseKeySpec, type KeySpec } from '../key-spec.js';
import { prepareOpensslLoop } from '../openssl-loop.js';
import { row } from '../report.js';
import { errorText, type PhaseResult, type Settings } from '../settings.js';
import { issueBatch, type IssuedPickup } from '../staff.js';

export type BatchPhase = PhaseResult & { pickups: IssuedPickup[] };

/** The batch target: certificates a second at least this share of openssl's under xargs -P 2. */
const MIN_VS_PARALLEL = 1.1;
/** And at least this multiple of openssl's rate one certificate at a time. */
const MIN_VS_SEQUENTIAL = 2;

/**
 * Phase 4: `npm run staff -- issue --batch` for N rows, timed as a whole command (process start
 * included), against a shell loop of openssl making the same N, sequential and with xargs -P 2
 * (the latter just before and just after the app's batch).
 * The app's failure is recorded and the loops still run, so the baselines are always measured.
 */
export async function runBatch(s: Settings, env: NodeJS.ProcessEnv, key: KeySpec | null, hsm: BenchHsm | null = null): Promise<BatchPhase> {
  const n = s.certificates;
  const spec = key ?? parseKeySpec('rsa:2048');
  const notes = [
    `4. The openssl loop makes ${spec.label} keys (${key === null ? 'assumed: the P12 could not be read' : 'the same kind as the P12 the app served'}); ` +
      'each certificate is genpkey + req -new + x509 -req + pkcs12 -export signed by a throwaway CA. ' +
      'Uketori also hashes the password and seals; both sides include process starts.',
  ];
  let pickups: IssuedPickup[] = [];
  let app: Awaited<ReturnType<typeof issueBatch>> | null = null;
  const errors: string[] = [];
  // The xargs loop runs right before the app's batch and again right after it, and the target's
  // baseline is the mean of the two: the machine's speed drifts over minutes, and a baseline taken
  // minutes away from the batch would carry that drift into the ratio.
  const loop = await prepareOpensslLoop(join(s.workDir, 'openssl'), spec);
  s.log(`4. Batch: openssl loop, xargs -P 2 (${n}), before the app's batch`);
  const parallelBefore = await loop.parallel(n, 2);
  s.log(`4. Batch: npm run staff -- issue --batch (${n} rows)`);
  try {
    app = await issueBatch(s.appDir, env, n, s.workDir);
    pickups = app.pickups;
    if (app.exitCode !== 0) notes.push(`4. The batch command exited with ${app.exitCode} although it printed all ${n} pickups.`);
  } catch (err) {
    errors.push(`4. Batch issuance: ${errorText(err)}`);
  }
  s.log(`4. Batch: openssl loop, xargs -P 2 (${n}), after the app's batch`);
  const parallelAfter = await loop.parallel(n, 2);
  const parallel = { perSecond: (parallelBefore.perSecond + parallelAfter.perSecond) / 2 };
  let delivered: Awaited<ReturnType<typeof issueBatch>> | null = null;
  s.log(`4. Batch with letters and mail: npm run staff -- issue --batch (${n} rows)`);
  try {
    delivered = await issueBatch(s.appDir, env, n, s.workDir, 'delivered', true);
  } catch (err) {
    errors.push(`4. Batch issuance with letters and mail: ${errorText(err)}`);
  }
  // The same batch with the CA key in an HSM: every certificate signed by C_Sign in the token.
  let signed: Awaited<ReturnType<typeof issueBatch>> | null = null;
  if (hsm !== null && 'env' in hsm) {
    s.log(`4. Batch signed through SoftHSM2: npm run staff -- issue --batch (${n} rows)`);
    try {
      signed = await issueBatch(s.appDir, { ...env, ...hsm.env }, n, s.workDir, 'hsm');
    } catch (err) {
      errors.push(`4. Batch issuance signed through SoftHSM2: ${errorText(err)}`);
    }
  } else if (hsm !== null) {
    notes.push(`4. Batch issuance through an HSM was not measured: ${hsm.unavailable}.`);
  }
  s.log(`4. Batch: openssl loop, sequential (${n})`);
  const sequential = await loop.sequential(n);
  const uketoriNote = app === null ? undefined : `${app.seconds.toFixed(1)} s, process start included`;
  const rows = [
    row({ measure: `4. Batch issuance of ${n}, vs sequential openssl`, uketori: app?.perSecond ?? null, baseline: sequential.perSecond, unit: 'certs/s', uketoriNote, baselineNote: `${sequential.seconds.toFixed(1)} s`, minRatio: MIN_VS_SEQUENTIAL }),
    row({ measure: `4. Batch issuance of ${n}, vs openssl xargs -P 2`, uketori: app?.perSecond ?? null, baseline: parallel.perSecond, unit: 'certs/s', uketoriNote, baselineNote: `mean of ${parallelBefore.perSecond.toFixed(2)} (${parallelBefore.seconds.toFixed(1)} s) just before and ${parallelAfter.perSecond.toFixed(2)} (${parallelAfter.seconds.toFixed(1)} s) just after`, minRatio: MIN_VS_PARALLEL }),
    row({
      measure: `4. The same ${n} with both letters and an outbox mail each (for information), vs sequential openssl`,
      uketori: delivered?.perSecond ?? null,
      baseline: sequential.perSecond,
      unit: 'certs/s',
      uketoriNote: delivered === null ? undefined : `${delivered.seconds.toFixed(1)} s`,
      baselineNote: `${sequential.seconds.toFixed(1)} s`,
    }),
  ];
  if (hsm !== null) {
    rows.push(row({
      measure: `4. Batch issuance of ${n} with the CA key in SoftHSM2 (for information), vs the same batch with the key file`,
      uketori: signed?.perSecond ?? null,
      baseline: app?.perSecond ?? null,
      unit: 'certs/s',
      uketoriNote: signed === null ? undefined : `${signed.seconds.toFixed(1)} s`,
      baselineNote: app === null ? undefined : `${app.seconds.toFixed(1)} s`,
    }));
    if ('label' in hsm) notes.push(`4. The HSM row signs with an ${hsm.label}; one login for the batch, signatures serialized on one session.`);
  }
  if (app !== null) notes.push(...batchShortfall(app.perSecond, parallelBefore.perSecond, parallelAfter.perSecond, sequential.perSecond, spec.label));
  return { rows, notes, errors, raw: { app: app && { seconds: app.seconds, perSecond: app.perSecond }, hsm: signed && { seconds: signed.seconds, perSecond: signed.perSecond }, sequential, parallelBefore, parallelAfter }, pickups };
}

/**
 * Why a batch target was missed, from this run's own figures. Against xargs -P 2 the baseline is
 * the mean of the loop just before and just after the batch; when the batch met the target
 * against one of the two, the miss lies within the loop's own drift.
 */
function batchShortfall(app: number, before: number, after: number, sequential: number, keys: string): string[] {
  const notes: string[] = [];
  const x = (r: number) => `${r.toFixed(2)}×`;
  const mean = (before + after) / 2;
  if (app / mean < MIN_VS_PARALLEL) {
    const within = Math.max(app / before, app / after) >= MIN_VS_PARALLEL;
    notes.push(
      `4. Batch vs xargs -P 2: ${x(app / mean)}, under ${MIN_VS_PARALLEL}×: ${x(app / before)} against the loop just before the batch ` +
        `(${before.toFixed(2)} certs/s) and ${x(app / after)} against the loop just after it (${after.toFixed(2)} certs/s)` +
        (within ? ", so the miss lies within the loop's own drift over the run. " : '. ') +
        `Both sides generate ${keys} keys with the same OpenSSL, most of either side's CPU, and a key's prime search takes a different ` +
        'time for every key; Uketori also hashes each password with argon2id. Where the batch\'s time goes: docs/benchmarks.md.',
    );
  }
  if (app / sequential < MIN_VS_SEQUENTIAL) {
    notes.push(
      `4. Batch vs sequential openssl: ${x(app / sequential)}, under ${MIN_VS_SEQUENTIAL}× (${sequential.toFixed(2)} certs/s one at a time). ` +
        'The loop uses one core and the batch both, so 2× holds only while the batch\'s own work per certificate beyond openssl\'s ' +
        '(argon2id, sealing, the database) costs no more than the loop\'s four openssl process starts; the keys each side happens to draw move it too.',
    );
  }
  return notes;
}
