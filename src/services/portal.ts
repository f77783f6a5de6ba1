import { addEvent, lastEventAt } from '../db/events.js';
import { findPickupById, findPickupByTokenHash, findSealedFile, markFirstDownload, startWindow } from '../db/pickups.js';
import type { PickupRow } from '../db/schema.js';
import { admitAttempt, clearGuesser, type Guesser } from '../db/throttle.js';
import type { Deps } from '../deps.js';
import { isEventDue } from '../pickup/event-rate.js';
import { CODE_LENGTH, isCodeCharacter, normalizeCodeInput } from '../pickup/secret-code.js';
import { isLive, pickupState, type PickupState } from '../pickup/state.js';
import type { EventDetails, RateLimitedEventKind } from '../pickup/timeline.js';
import { hashToken, normalizeToken, tokenLogId } from '../pickup/token.js';
import { windowEnd } from '../pickup/window.js';
import { HasherBusyError } from '../auth/password-hasher.js';
import { recentEvents } from './recent-events.js';

export type Lookup =
  | { kind: 'incomplete' }
  | { kind: 'unknown' }
  | { kind: 'found'; token: string; pickup: PickupRow; state: PickupState; logId: string };

export function lookupPickup(deps: Deps, rawToken: string, now: number): Lookup {
  const checked = normalizeToken(rawToken);
  if (!checked.ok) return { kind: 'incomplete' };
  const tokenHash = hashToken(checked.token);
  const pickup = findPickupByTokenHash(deps.db, tokenHash);
  if (!pickup) return { kind: 'unknown' };
  return { kind: 'found', token: checked.token, pickup, state: pickupState(pickup, now), logId: tokenLogId(tokenHash) };
}

/**
 * Page views, throttled guesses and repeat downloads go on the timeline at most once a minute
 * (see event-rate.ts). True when a row was written; the caller remembers it once it is committed.
 */
function addRateLimitedEvent<K extends RateLimitedEventKind>(deps: Deps, pickupId: string, now: number, kind: K, detail: EventDetails[K]): boolean {
  if (recentEvents(deps.db).recentlyWritten(pickupId, kind, now)) return false;
  if (!isEventDue(lastEventAt(deps.db, pickupId, kind), now)) return false;
  addEvent(deps.db, pickupId, now, kind, detail);
  return true;
}

export function recordPageView(deps: Deps, pickup: PickupRow, now: number, client: string): void {
  if (addRateLimitedEvent(deps, pickup.id, now, 'page-view', { client })) recentEvents(deps.db).remember(pickup.id, 'page-view', now);
}

/**
 * The shared guess budget just ran down to its reserve: nobody honest gets near that, so staff
 * hear of it three ways (timeline, a warn line, the metrics counter) and can reissue the URL.
 */
function reportDrained(deps: Deps, pickup: PickupRow, now: number, client: string): void {
  addEvent(deps.db, pickup.id, now, 'guess-budget-drained', { client });
  deps.metrics.guessBudgetDrained.inc();
  deps.log.warn({ pickup: pickup.serial }, 'guess budget drained: someone holding the URL is guessing; consider staff reissue-url');
}

export type PasswordOutcome =
  | { kind: 'ok' }
  | { kind: 'empty' }
  | { kind: 'length'; length: number }
  | { kind: 'chars' }
  | { kind: 'wrong' }
  | { kind: 'throttled'; retryAfterMs: number }
  | { kind: 'busy'; retryAfterSeconds: number };

/**
 * Checks a password. Input that cannot be the password (empty, wrong length, a character the
 * alphabet leaves out) is answered without spending a guess: it reveals nothing secret.
 */
export async function checkPassword(
  deps: Deps,
  pickup: PickupRow,
  rawInput: string,
  who: Guesser,
  client: string,
  now: number,
): Promise<PasswordOutcome> {
  const input = normalizeCodeInput(rawInput);
  if (input.length === 0) return { kind: 'empty' };
  if ([...input].length !== CODE_LENGTH) return { kind: 'length', length: [...input].length };
  if (![...input].every(isCodeCharacter)) return { kind: 'chars' };
  // Refuse before spending a guess when this pickup has no room in the hasher queue; admitAttempt
  // is synchronous, so nothing can take the room between this check and the verify call below.
  if (!deps.hasher.canAccept(pickup.id)) return { kind: 'busy', retryAfterSeconds: 2 };
  const verdict = admitAttempt(deps.db, pickup.id, who, now);
  if (!verdict.allowed) {
    const detail = { client, tier: verdict.tier, retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) };
    if (addRateLimitedEvent(deps, pickup.id, now, 'throttled', detail)) recentEvents(deps.db).remember(pickup.id, 'throttled', now);
    return { kind: 'throttled', retryAfterMs: verdict.retryAfterMs };
  }
  if (verdict.drainedAlert) reportDrained(deps, pickup, now, client);
  let ok: boolean;
  try {
    ok = await deps.hasher.verify(pickup.passwordHash, input, pickup.id);
  } catch (err) {
    if (err instanceof HasherBusyError) return { kind: 'busy', retryAfterSeconds: err.retryAfterSeconds };
    throw err;
  }
  if (!ok) {
    addEvent(deps.db, pickup.id, now, 'password-failed', { client });
    return { kind: 'wrong' };
  }
  deps.db.transaction(() => {
    clearGuesser(deps.db, pickup.id, who);
    addEvent(deps.db, pickup.id, now, 'password-ok', { client });
  });
  return { kind: 'ok' };
}

export type DownloadOutcome = { kind: 'file'; bytes: Uint8Array; pickup: PickupRow } | { kind: 'dead'; pickup: PickupRow; state: PickupState };

/** Starts the window on the first press (atomically) and returns the PKCS#12 while it is open. */
export async function downloadP12(deps: Deps, pickup: PickupRow, client: string, now: number): Promise<DownloadOutcome> {
  // Once the window runs (the row was read in this request), re-downloads need no write to start it.
  const started =
    pickup.windowEndsAt === null
      ? deps.db.transaction(() => {
          const row = startWindow(deps.db, pickup.id, now, windowEnd(now, pickup.expiresAt));
          if (row) addEvent(deps.db, pickup.id, now, 'window-started', { client });
          return row;
        })
      : null;
  if (started) deps.metrics.windowsStarted.inc();
  // Read the row again (a cheap read, no write): a racing press may have started the window, or
  // staff may have cancelled the pickup, since `pickup` was read before the session check.
  const current = started ?? findPickupById(deps.db, pickup.id) ?? pickup;
  const state = pickupState(current, now);
  if (!isLive(state) || current.windowEndsAt === null) return { kind: 'dead', pickup: current, state };
  const sealed = findSealedFile(deps.db, current.id);
  if (!sealed) return { kind: 'dead', pickup: current, state: 'downloaded' };
  const bytes = await deps.sealer.open(sealed.jwe, { purpose: 'p12', id: current.id });
  // A repeat download within a minute of the last one this process recorded writes nothing.
  const recent = recentEvents(deps.db);
  if (current.firstDownloadAt === null || !recent.recentlyWritten(current.id, 'downloaded', now)) {
    const wrote = deps.db.transaction(() => {
      if (current.firstDownloadAt === null) markFirstDownload(deps.db, current.id, now);
      return addRateLimitedEvent(deps, current.id, now, 'downloaded', { client, bytes: bytes.length });
    });
    if (wrote) recent.remember(current.id, 'downloaded', now);
  }
  deps.metrics.downloads.inc();
  return { kind: 'file', bytes, pickup: current };
}
