import { expect, it } from 'vitest';
import { fuzzPortal } from '../../scripts/fuzz.js';
import { workerDataDir } from '../helpers.js';

// FUZZ_RUNS and FUZZ_SEED reproduce or extend a run; `npm run fuzz` does 100,000.
const numRuns = Number(process.env.FUZZ_RUNS ?? 2_000);
const seed = Number(process.env.FUZZ_SEED ?? 20261126);

it(`${numRuns} random requests over every route: no 5xx, the security headers always, no trace, no secret logged`, async () => {
  const report = await fuzzPortal({ numRuns, seed, dataDir: workerDataDir() });
  expect(report.runs).toBe(numRuns);
  expect(report.errorLogs).toEqual([]);
  expect(report.secretsInLogs).toBe(0);
  // The generator reaches past the front door: pages, dead URLs, password answers, throttling, downloads.
  for (const status of [200, 303, 400, 401, 403, 404, 410, 413, 429]) expect(report.statuses[status] ?? 0, `status ${status}`).toBeGreaterThan(0);
}, 120_000);
