import type { PickupRow } from '../db/store.js';
import type { Deps } from '../deps.js';
import type { LetterFacts } from '../postal/letters.js';
import { writeLetters, type WrittenLetters } from '../postal/write-letters.js';
import type { Mailer } from '../mail/transport.js';
import type { Mailing } from '../pki/profiles.js';
import type { IssuedPickup } from './create-pickup.js';
import { sendNotification, type MailOutcome } from './mail-delivery.js';
import { thisHost } from './pickup-files.js';

export type LettersOutcome = ({ status: 'written' } & WrittenLetters) | { status: 'failed'; error: string } | { status: 'skipped' };
export type Delivery = { letters: LettersOutcome; mail: MailOutcome };

export function letterFacts(deps: Deps, pickup: PickupRow): LetterFacts {
  return {
    serial: pickup.serial,
    issuedAt: pickup.issuedAt,
    expiresAt: pickup.expiresAt,
    nameRomaji: pickup.subjectName,
    nameJa: pickup.subjectNameJa,
    mailing: pickup.mailing ? (JSON.parse(pickup.mailing) as Mailing) : {},
    ca: deps.config.ca,
  };
}

/**
 * What follows a committed pickup: the two letters (the one chance, since the secrets are not
 * kept), then the notification mail. Neither can undo the pickup; a failure is returned for the
 * command to report loudly.
 */
export async function deliverIssued(deps: Deps, mailer: Mailer, issued: IssuedPickup, lettersDir: string | null): Promise<Delivery> {
  const pickup = await deps.store.findPickupById(issued.id);
  if (!pickup) throw new Error(`pickup ${issued.serial} vanished right after it was created`);
  let letters: LettersOutcome = { status: 'skipped' };
  if (lettersDir !== null) {
    try {
      const written = await writeLetters(lettersDir, letterFacts(deps, pickup), issued);
      const now = deps.clock();
      // On record, so `letters-done`, the sweep and `purge` can delete them.
      await deps.store.recordPickupFiles(
        [written.passwordFile, written.pinFile].map((file) => ({ pickupId: pickup.id, kind: 'letter' as const, path: file, host: thisHost() })),
        now,
        { pickupId: pickup.id, dir: lettersDir },
      );
      letters = { status: 'written', ...written };
    } catch (err) {
      letters = { status: 'failed', error: (err as Error).message };
    }
  }
  const mail = await sendNotification(deps, mailer, pickup, issued.url);
  return { letters, mail };
}
