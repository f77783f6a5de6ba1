import type { AutocannonRequest, RequestContext } from 'autocannon';
import { LOAD_OVERRUN_S } from '../http.js';
import { formHeaders } from '../portal.js';
import { errorText, type Settings } from '../settings.js';
import type { IssuedPickup } from '../staff.js';
import { settlingRounds } from './flood-slices.js';

// Phase 3's wrong guesses: what each request sends, and how many pickups they are spread over so
// that the flood measures argon2 and not the throttle.

/**
 * The right password with its characters rotated: the same length and alphabet, so it passes
 * whatever format check the form makes (a malformed one is a 400 that never reaches argon2).
 */
export function wrongPassword(right: string): string {
  const rotated = right.slice(1) + right.slice(0, 1);
  if (rotated !== right) return rotated;
  return right.length > 0 && right[0] !== 'A' ? 'A' + right.slice(1) : 'B' + right.slice(1);
}

/**
 * Wrong-password POSTs spread round-robin over many pickups. Every request comes from
 * 127.0.0.1 and the portal throttles a client's repeated failures on one pickup, so many
 * pickups keep each pair under the limit; a pickup that answers 429 anyway is skipped from
 * then on, so the run goes on measuring argon2 and not the throttle. 429s get their own row.
 */
export function wrongPasswordRequests(pickups: IssuedPickup[], origin: string, throttled: Set<number>, answer?: { bytes: number }): AutocannonRequest[] {
  const paths = pickups.map((p) => {
    const url = new URL(p.url);
    return url.pathname + url.search;
  });
  const bodies = pickups.map((p) => new URLSearchParams({ password: wrongPassword(p.password) }).toString());
  let next = 0;
  const pick = (): number => {
    for (let tries = 0; tries < paths.length; tries++) {
      const i = next++ % paths.length;
      if (!throttled.has(i)) return i;
    }
    return next++ % paths.length;
  };
  return [
    {
      method: 'POST',
      headers: formHeaders(origin),
      setupRequest: (req: AutocannonRequest, context: RequestContext) => {
        const i = pick();
        context.pickup = i;
        return { ...req, path: paths[i], body: bodies[i] };
      },
      onResponse: (status: number, _body: string, context: RequestContext, headers: Record<string, unknown>) => {
        if (status === 429 && typeof context.pickup === 'number') throttled.add(context.pickup);
        if (status === 401 && answer !== undefined && answer.bytes === 0) answer.bytes = contentLength(headers);
      },
    },
  ];
}

/**
 * A page's length from its Content-Length header, whatever the case of its name; 0 when it has
 * none. Not from the body: autocannon decodes the body chunk by chunk, and a chunk may end inside
 * a multi-byte character.
 */
export function contentLength(headers: Record<string, unknown>): number {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'content-length');
  const bytes = name === undefined ? NaN : Number(headers[name]);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : 0;
}

/**
 * A client gets eleven wrong guesses per pickup before the portal makes it wait; eight
 * keeps a margin. The flood needs one pickup per this many verifies it can make.
 */
const GUESSES_PER_PICKUP = 8;
const MAX_PICKUPS = 1000;

export type TopUp = (count: number) => Promise<IssuedPickup[]>;

/**
 * The wrong guesses phase 3 sends the portal at `perSecond`, the rate raw argon2 verified at:
 * the warm-up and every slice (the settling round's too), each for as long as autocannon floods
 * it (LOAD_OVERRUN_S past its duration), and the guess each connection leaves queued at the end
 * of each, which the portal admits (and counts) before it checks.
 */
export function guessesNeeded(s: Pick<Settings, 'runS' | 'warmupS' | 'rounds' | 'connections'>, perSecond: number): number {
  const slices = s.rounds + settlingRounds(s.rounds);
  const floodS = (s.runS / s.rounds + LOAD_OVERRUN_S) * slices * s.connections.length + s.warmupS + LOAD_OVERRUN_S;
  const queued = slices * s.connections.reduce((sum, c) => sum + c, 0) + s.connections[0]!;
  return perSecond * floodS + queued;
}

/** Pickups enough for `guesses` wrong guesses, each pickup taking GUESSES_PER_PICKUP of them. */
export const pickupsFor = (guesses: number): number => Math.min(MAX_PICKUPS, Math.ceil(guesses / GUESSES_PER_PICKUP));

/**
 * Issues (untimed) as many more pickups as the flood needs at the baseline's verify rate, so
 * that it measures argon2 and not the throttle. A failure leaves the pool as it was.
 */
export async function enoughPickups(s: Settings, pickups: IssuedPickup[], perSecond: number, topUp: TopUp | null, notes: string[]): Promise<IssuedPickup[]> {
  const needed = pickupsFor(guessesNeeded(s, perSecond));
  if (pickups.length >= needed || topUp === null) return pickups;
  s.log(`3. setup: issuing ${needed - pickups.length} more pickups (untimed) so the flood does not reach the throttle`);
  try {
    const more = await topUp(needed - pickups.length);
    notes.push(`3. The flood is spread over ${pickups.length + more.length} pickups (${more.length} issued for it, untimed).`);
    return [...pickups, ...more];
  } catch (err) {
    notes.push(`3. Issuing ${needed - pickups.length} more pickups failed (${errorText(err)}); the flood uses ${pickups.length}.`);
    return pickups;
  }
}
