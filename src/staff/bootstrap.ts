import { openDeps } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import type { Deps } from '../deps.js';
import { createMailer, type Mailer } from '../mail/transport.js';
import { openIssuingCa, type IssuingCa } from '../services/ca-issuer.js';
import type { StaffIo } from './context.js';

/** What staff commands work with, each opened on first use and closed once the command ends. */
export type StaffResources = {
  deps(): Promise<Deps>;
  mailer(): Mailer;
  issuingCa(): IssuingCa;
  close(): Promise<void>;
};

/**
 * The one place staff commands get their resources: database, secrets, mailer and CA. A command
 * that only reads the database never connects to SMTP or unseals the CA keys.
 */
export function openStaffResources(io: StaffIo): StaffResources {
  let deps: Promise<Deps> | undefined = io.preparedDeps ? Promise.resolve(io.preparedDeps) : undefined;
  let mailer: Mailer | undefined;
  let issuingCa: IssuingCa | undefined;
  const opened = () => (deps ??= openDeps(io.env, { clock: io.clock, random: io.random }));
  return {
    deps: opened,
    mailer: () => (mailer ??= createMailer(io.preparedDeps?.config ?? loadConfig(io.env))),
    issuingCa: () => (issuingCa ??= io.preparedIssuingCa ?? deferredIssuingCa(opened)),
    async close() {
      mailer?.close();
      // An HSM session ends with the command; one the caller handed in stays the caller's.
      if (issuingCa && issuingCa !== io.preparedIssuingCa) await issuingCa.close();
      // A database the caller handed in (a test's) stays open for the caller.
      const open = deps && (await deps.catch(() => null));
      if (open && open !== io.preparedDeps) await open.store.close();
    },
  };
}

/** The CA, opened with the command's dependencies once it is first asked for. */
function deferredIssuingCa(deps: () => Promise<Deps>): IssuingCa {
  let inner: IssuingCa | undefined;
  return {
    async open() {
      inner ??= openIssuingCa(await deps());
      return inner.open();
    },
    async close() {
      await inner?.close();
    },
  };
}
