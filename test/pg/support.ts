import { inject } from 'vitest';

/**
 * Whether the PostgreSQL tests run. Without PostgreSQL on the machine they are skipped with a
 * message; under CI a missing PostgreSQL is a failure, as with the browser tests.
 */
export function pgAvailable(): { url: string | null; skip: boolean } {
  const url = inject('pgUrl');
  const missing = inject('pgMissing');
  if (url) return { url, skip: false };
  if (process.env.CI) throw new Error(`PostgreSQL tests cannot run under CI: ${missing}`);
  console.warn(`PostgreSQL tests skipped: ${missing}. Under CI they fail instead.`);
  return { url: null, skip: true };
}
