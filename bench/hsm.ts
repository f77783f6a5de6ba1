import { rm } from 'node:fs/promises';
import { errorText } from './settings.js';
import { haveSoftHsm, hsmEnv, startSoftHsm } from '../test/pki/softhsm.js';

/** What the batch phase needs to sign through an HSM, or why it cannot. */
export type BenchHsm = { env: NodeJS.ProcessEnv; label: string; cleanup: () => Promise<void> } | { unavailable: string };

/**
 * A SoftHSM2 token of the bench's own (temporary SOFTHSM2_CONF, the same harness the tests
 * use) holding an RSA-2048 CA key made inside it, and the settings that point the staff
 * command at it. The system's tokens are never touched.
 */
export function prepareBenchHsm(): BenchHsm {
  if (!haveSoftHsm) return { unavailable: 'softhsm2 or opensc is not installed (apt-get install -y softhsm2 opensc)' };
  try {
    const hsm = startSoftHsm([{ label: 'uketori-bench', keys: [{ label: 'bench-ca', id: 1, kind: 'rsa-2048' }] }]);
    return {
      env: { ...hsmEnv(hsm, 'uketori-bench', 'bench-ca'), SOFTHSM2_CONF: process.env.SOFTHSM2_CONF },
      label: 'RSA-2048 key in a SoftHSM2 token, C_Sign through pkcs11js',
      cleanup: () => rm(hsm.dir, { recursive: true, force: true }),
    };
  } catch (err) {
    return { unavailable: `the SoftHSM2 token could not be set up: ${errorText(err)}` };
  }
}
