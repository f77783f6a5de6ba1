import { openDeps } from '../bootstrap.js';
import type { Deps } from '../deps.js';
import { createMailer, type Mailer } from '../mail/transport.js';
import { openIssuingCa, type IssuingCa } from '../services/ca-issuer.js';
import type { StaffIo } from './context.js';

/** What staff commands work with, each opened on first use and closed once the command ends. */
export type StaffResources = {
  deps(): Deps;
  mailer(): Mailer;
  issuingCa(): IssuingCa;
  close(): Promise<void>;
};

/**
 * The one place staff commands get their resources: database, secrets, mailer and CA. A command
 * that only reads the database never connects to SMTP or unseals the CA keys.
 */
export function openStaffResources(io: StaffIo): StaffResources {
  let deps: Deps | undefined = io.preparedDeps;
  let mailer: Mailer | undefined;
  let issuingCa: IssuingCa | undefined;
  const opened = () => (deps ??= openDeps(io.env, { clock: io.clock, random: io.random }));
  return {
    deps: opened,
    mailer: () => (mailer ??= createMailer(opened().config)),
    issuingCa: () => (issuingCa ??= io.preparedIssuingCa ?? openIssuingCa(opened())),
    async close() {
      mailer?.close();
      // An HSM session ends with the command; one the caller handed in stays the caller's.
      if (issuingCa && issuingCa !== io.preparedIssuingCa) await issuingCa.close();
      // A database the caller handed in (a test's) stays open for the caller.
      if (deps && deps !== io.preparedDeps) deps.db.$client.close();
    },
  };
}
