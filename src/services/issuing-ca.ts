import path from 'node:path';
import type { Deps } from '../deps.js';
import { loadOrCreateDevCa } from '../pki/ca-store.js';
import type { DevCa } from '../pki/dev-ca.js';

/** The CA that signs new certificates: its certificate and key, and the root above it. */
export type IssuingCa = () => Promise<DevCa>;

export function caDir(deps: Pick<Deps, 'config'>): string {
  return path.join(deps.config.dataDir, 'ca');
}

/**
 * The development CA in DATA_DIR/ca, read (or made, on first use) once and then shared: a batch
 * would otherwise unseal the CA keys for every row. A failure is not kept, so the next row tries
 * again and reports its own error.
 */
export function openDevCa(deps: Pick<Deps, 'config' | 'sealer' | 'clock' | 'random'>): IssuingCa {
  let loading: Promise<DevCa> | null = null;
  return () => {
    if (!loading) {
      const attempt = loadOrCreateDevCa(caDir(deps), deps.sealer, deps.clock(), deps.random);
      attempt.catch(() => {
        if (loading === attempt) loading = null;
      });
      loading = attempt;
    }
    return loading;
  };
}
