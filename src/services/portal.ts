import type { Guesser, PickupRow, SealedFile } from '../db/store.js';
import type { Deps } from '../deps.js';
import { isEventDue } from '../pickup/event-rate.js';
import { CODE_LENGTH, isCodeCharacter, normalizeCodeInput } from '../pickup/secret-code.js';
import { isLive, pickupState, type PickupState } from '../pickup/state.js';
import type { EventDetails, RateLimitedEventKind } from '../pickup/timeline.js';
import { hashToken, normalizeToken, tokenLogId } from '../pickup/token.js';
import { windowEnd } from '../pickup/window.js';
import { CheckAbandonedError, HasherBusyError } from '../auth/password-hasher.js';
import { recentEvents } from './recent-events.js';

export type Lookup =
  | { kind: 'incomplete' }
  | { kind: 'unknown' }
  | {
      kind: 'found';
      token: string;
      pickup: PickupRow;
      /** Read with the row when asked for (the download): null once destroyed. */
      sealed?: SealedFile | null;
      state: PickupState;
      logId: string;
    };

/**
 * How a request reads its pickup: `file` also reads the sealed file in the same statement (a
 * download); `fresh` skips reads a store keeps (a password post, which writes right after).
 */
export type LookupRead = 'page' | 'file' | 'fresh';

/** Finds the pickup a URL token names. */
export async function lookupPickup(deps: Deps, rawToken: string, now: number, read: LookupRead = 'page'): Promise<Lookup> {
  const checked = normalizeToken(rawToken);
  if (!checked.ok) return { kind: 'incomplete' };
  const tokenHash = hashToken(checked.token);
  // Without the file, `sealed` stays unread (undefined) and downloadP12 would read it itself.
  const found =
    read === 'file'
      ? await deps.store.findPickupWithSealedFile({ tokenHash })
      : { pickup: await deps.store.findPickupByTokenHash(tokenHash, { fresh: read === 'fresh' }), sealed: undefined };
  if (!found?.pickup) return { kind: 'unknown' };
  const { pickup, sealed } = found;
  return { kind: 'found', token: checked.token, pickup, sealed, state: pickupState(pickup, now), logId: tokenLogId(tokenHash) };
}

/**
 * Page views, throttled guesses and repeat downloads go on the timeline at most once a minute
 * (see event-rate.ts). The newest row's time, read or written (and then committed), is remembered.
 * The memory of recent rows is this process's own: with several instances each may write one
 * such event a minute, which the rule allows for. A row another process wrote is remembered
 * too, so the database is asked once a minute, not on every request until that row is a minute
 * old.
 */
async function addRateLimitedEvent<K extends RateLimitedEventKind>(deps: Deps, pickupId: string, now: number, kind: K, detail: () => EventDetails[K]): Promise<void> {
  const recent = recentEvents(deps.store);
  if (recent.isRecent(pickupId, kind, now)) return;
  const last = await deps.store.lastEventAt(pickupId, kind);
  if (last !== null && !isEventDue(last, now)) {
    recent.remember(pickupId, kind, last);
    return;
  }
  await deps.store.addEvent(pickupId, now, kind, detail());
  recent.remember(pickupId, kind, now);
}

/** `client` is called only when the view is written (at most once a minute). */
export async function recordPageView(deps: Deps, pickup: PickupRow, now: number, client: () => string): Promise<void> {
  await addRateLimitedEvent(deps, pickup.id, now, 'page-view', () => ({ client: client() }));
}

/**
 * The shared guess budget just ran down to its reserve: nobody honest gets near that, so staff
 * hear of it three ways (timeline, a warn line, the metrics counter) and can reissue the URL.
 */
async function reportDrained(deps: Deps, pickup: PickupRow, now: number, client: string): Promise<void> {
  await deps.store.addEvent(pickup.id, now, 'guess-budget-drained', { client });
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
  | { kind: 'busy'; retryAfterSeconds: number }
  | { kind: 'abandoned' };

/**
 * Checks a password. Input that cannot be the password (empty, wrong length, a character the
 * alphabet leaves out) is answered without spending a guess: it reveals nothing secret.
 * `signal` is the request's: when its client goes away while the check waits in the hasher's
 * queue, the check is dropped ('abandoned'). The guess was admitted, so it stays counted.
 */
export async function checkPassword(
  deps: Deps,
  pickup: PickupRow,
  rawInput: string,
  who: Guesser,
  client: string,
  now: number,
  signal?: AbortSignal,
): Promise<PasswordOutcome> {
  const input = normalizeCodeInput(rawInput);
  if (input.length === 0) return { kind: 'empty' };
  if ([...input].length !== CODE_LENGTH) return { kind: 'length', length: [...input].length };
  if (![...input].every(isCodeCharacter)) return { kind: 'chars' };
  // Refuse before spending a guess when this pickup has no room in the hasher queue. The place is
  // held while the store admits the attempt (a database round trip), so no other request can take
  // it in between and a guess is never spent on a check that would then be refused.
  const place = deps.hasher.reserve(pickup.id);
  if (!place) return { kind: 'busy', retryAfterSeconds: 2 };
  let verdict: Awaited<ReturnType<typeof deps.store.admitAttempt>>;
  try {
    verdict = await deps.store.admitAttempt(pickup.id, who, now);
  } catch (err) {
    place.release();
    throw err;
  }
  if (!verdict.allowed) {
    place.release();
    const detail = () => ({ client, tier: verdict.tier, retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) });
    await addRateLimitedEvent(deps, pickup.id, now, 'throttled', detail);
    return { kind: 'throttled', retryAfterMs: verdict.retryAfterMs };
  }
  let ok: boolean;
  try {
    if (verdict.drainedAlert) await reportDrained(deps, pickup, now, client);
    ok = await place.verify(pickup.passwordHash, input, signal);
  } catch (err) {
    place.release();
    if (err instanceof HasherBusyError) return { kind: 'busy', retryAfterSeconds: err.retryAfterSeconds };
    if (err instanceof CheckAbandonedError) return { kind: 'abandoned' };
    throw err;
  }
  if (!ok) {
    await deps.store.addEvent(pickup.id, now, 'password-failed', { client });
    return { kind: 'wrong' };
  }
  await deps.store.recordPasswordOk(pickup.id, who, now, client);
  return { kind: 'ok' };
}

export type DownloadOutcome = { kind: 'file'; bytes: Uint8Array; pickup: PickupRow } | { kind: 'dead'; pickup: PickupRow; state: PickupState };

/**
 * Starts the window on the first press (atomically) and returns the PKCS#12 while it is open.
 * `read` is the row as this request read it, with its sealed file when it was read in the same
 * statement: a download is then served from that one read, which a cancel committed before it
 * (on any instance) already shows. `client` is called only when the recording transaction runs.
 */
export async function downloadP12(deps: Deps, read: { pickup: PickupRow; sealed?: SealedFile | null }, client: () => string, now: number): Promise<DownloadOutcome> {
  let current = read.pickup;
  let sealed = read.sealed;
  if (current.windowEndsAt === null) {
    // UPDATE … WHERE not started, not cancelled, not expired: the returned row is current.
    const started = await deps.store.startWindow(current.id, now, windowEnd(now, current.expiresAt), client());
    if (started !== null) {
      deps.metrics.windowsStarted.inc();
      current = started;
    } else {
      sealed = undefined; // a racing press started it, or staff cancelled: read both again
    }
  }
  if (sealed === undefined) {
    const again = await deps.store.findPickupWithSealedFile({ id: current.id });
    if (!again) return { kind: 'dead', pickup: current, state: 'downloaded' };
    ({ pickup: current, sealed } = again);
  }
  const state = pickupState(current, now);
  if (!isLive(state) || current.windowEndsAt === null) return { kind: 'dead', pickup: current, state };
  if (!sealed) return { kind: 'dead', pickup: current, state: 'downloaded' };
  const bytes = await deps.sealer.open(sealed.jwe, { purpose: 'p12', id: current.id });
  // A repeat download within a minute of the newest one this process knows of (its own, or one
  // another process recorded that it read) writes nothing and skips the transaction.
  const recent = recentEvents(deps.store);
  if (current.firstDownloadAt === null || !recent.isRecent(current.id, 'downloaded', now)) {
    const { newestAt } = await deps.store.recordDownload(current.id, now, client(), bytes.length);
    recent.remember(current.id, 'downloaded', newestAt);
  }
  deps.metrics.downloads.inc();
  return { kind: 'file', bytes, pickup: current };
}
