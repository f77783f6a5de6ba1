import type { PickupRow } from '../db/store.js';
import type { Deps } from '../deps.js';
import type { Mailer } from '../mail/transport.js';
import { pickupState, type PickupState } from '../pickup/state.js';
import { generateToken, hashToken, tokenLogId } from '../pickup/token.js';
import { sendReissuedUrl, type MailOutcome } from './mail-delivery.js';
import { deleteTrackedFiles, thisHost } from './pickup-files.js';

/** The pickup can no longer be downloaded: a new URL would lead nowhere. */
export class PickupNotLiveError extends Error {
  override name = 'PickupNotLiveError';
  constructor(
    readonly serial: string,
    readonly state: PickupState,
  ) {
    super(`${serial} is ${state}: only a pickup that can still be downloaded gets a new URL`);
  }
}

export type Reissued = { pickup: PickupRow; url: string; mail: MailOutcome };

/**
 * What support does when a URL leaked: a new token for the same pickup (password and PIN stay,
 * they were never in the mail), the old URL dead at once, the new one mailed. The guess budget
 * starts afresh with the new URL, since whoever held the old one no longer reaches the form.
 */
export async function reissueUrl(deps: Deps, mailer: Mailer, pickup: PickupRow): Promise<Reissued> {
  const now = deps.clock();
  const token = generateToken(deps.random);
  const tokenHash = hashToken(token);
  const updated = await deps.store.reissueToken(pickup.id, tokenHash, now, { previous: tokenLogId(pickup.tokenHash), current: tokenLogId(tokenHash) });
  if (!updated) throw new PickupNotLiveError(pickup.serial, pickupState(pickup, now));
  // Outbox copies of the earlier mail name a dead URL now; they go.
  await deleteTrackedFiles(deps, await deps.store.listKeptFiles(thisHost(), [pickup.id], ['outbox']), now, 'url reissued');
  const url = new URL(`/d/${token}`, deps.config.publicUrl).href;
  const mail = await sendReissuedUrl(deps, mailer, updated, url);
  return { pickup: updated, url, mail };
}

