import { DOWNLOAD_MIN_RATIO } from './phases/download.js';
import { COUNT_FROM_MS, settlingRounds } from './phases/flood-slices.js';
import { LANDING_MIN_RATIO } from './phases/landing.js';
import type { Report, Row } from './report.js';
import type { PhaseResult, Settings } from './settings.js';

/** The order, whatever order the phases ran in. */
const ORDER = ['landing', 'download', 'where', 'password', 'batch', 'start'];

export type RunOutcome = {
  stamp: string;
  machine: string[];
  app: string;
  rawDir: string;
  phases: Record<string, PhaseResult>;
  rss: { rows: Row[]; notes: string[] };
  errors: string[];
};

/** Everything the Markdown report says, with the conditions of the run in its header. */
export function summarize(s: Settings, run: RunOutcome): Report {
  const mode = s.quick ? 'Quick' : 'Full';
  return {
    title: `Uketori benchmark ${run.stamp}${s.quick ? ' (quick)' : ''}`,
    facts: [
      ...run.machine,
      `${mode} run: autocannon ${s.runS} s per measure after ${s.warmupS} s warm-up, keep-alive, pipelining 1, from the bench process ` +
        `on the same cores; ${s.certificates} certificates; argon2 baseline ${s.argon2S} s.` +
        (s.rounds > 1
          ? ` Phases 1–3 take each measure and its baseline by turns, in ${s.rounds} rounds of slices (${s.runS / s.rounds} s each, ` +
            `raw argon2 ${s.argon2S / s.rounds} s), every other round in reverse. Phase 3 runs ${settlingRounds(s.rounds)} more round ` +
            `first and does not count it; each of its flood slices is counted from ${COUNT_FROM_MS / 1000} s in (bench/README.md).`
          : ''),
      'Every baseline was taken in this run. Ratio = Uketori ÷ baseline. req/s counts only the expected status ' +
        '(200; 401 for the password flood); latencies are per-response hrtime.',
      'nginx: 1 worker process (the server has one event loop), access log off, sendfile on, keep-alive without a request cap, ' +
        'listening on 127.0.0.1 only.',
      `App: ${run.app}.`,
      `Raw figures and server logs: ${run.rawDir}/ (not committed).`,
    ],
    rows: [...ORDER.flatMap((name) => run.phases[name]?.rows ?? []), ...run.rss.rows],
    notes: [
      ...ORDER.flatMap((name) => run.phases[name]?.notes ?? []),
      ...run.rss.notes,
      'Benchmarks are not tests: a missed target is reported here, not failed; the exit code is 1 only when something could not be measured.',
      `Targets are issue 15's: landing ≥ ${LANDING_MIN_RATIO}× and download ≥ ${DOWNLOAD_MIN_RATIO}× the Hono hello-world's req/s at 10 connections (p99 ≤ 5 ms and ≤ 10 ms); ` +
        'wrong passwords ≥ 0.85× raw argon2 with /healthz p99 ≤ 20 ms; RSS ≤ 120 MB through landing and download, ≤ 150 MB through the flood; ' +
        'batch ≥ 1.1× openssl under xargs -P 2 and ≥ 2× sequential openssl; npm start ≤ 1 s. nginx rows are for information.',
      "Where the wrong-password 401/s, the landing or download req/s, their p99 at 10 connections or a batch target is marked no, a note above says with this run's figures what stood in the way (when the server's CPU was read). " +
        'For the landing and the download the rows by part (perf, this run) say where that CPU went; what bounds the other targets is in docs/benchmarks.md.',
    ],
    errors: run.errors,
  };
}
