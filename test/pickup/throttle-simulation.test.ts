import { describe, expect, it } from 'vitest';
import { clientKey, networkKey, throttleKey } from '../../src/pickup/client-identity.js';
import { DAY, MINUTE } from '../../src/lib/clock.js';
import { admit, FRESH_NETWORK_GUESSES, isFreshNetwork, refill, REFILL_MS, RESERVE, type Bucket, type ClientRecord, type NetworkRecord } from '../../src/pickup/throttle.js';

/**
 * The attack from issue 10, on the injected clock: someone holding the URL drains the budget with
 * no time passing, then polls at every refill instant for 30 days from rotating addresses of many
 * IPv4 /24s and IPv6 /48s, always before the subscriber. The subscriber, on a network of their own,
 * posts the right password at the start and again one second after each Retry-After.
 *
 * The bound under test: the subscriber is refused only while the bucket's reserve is empty, and
 * only guesses from fresh networks (fewer than three spent guesses) can empty it. An attacker with
 * N networks has 3N such guesses, so over the URL's whole life the subscriber can be kept out for
 * at most (3N - RESERVE + 1) refills of 96 s.
 */
const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const KEY = throttleKey(new Uint8Array(32).fill(7));
const LIFE = 30 * DAY;

type Net = { key: string; addresses: string[]; next: number };

function ipv4Networks(count: number, perNetwork: number): Net[] {
  return Array.from({ length: count }, (_, n) => {
    const addresses = Array.from({ length: perNetwork }, (_, h) => `10.${Math.floor(n / 256)}.${n % 256}.${h + 1}`);
    return { key: networkKey(KEY, addresses[0]!), addresses: addresses.map((a) => clientKey(KEY, a)), next: 0 };
  });
}

/** Every address in its own /64 (the client unit), all inside one /48 per network. */
function ipv6Networks(count: number, perNetwork: number): Net[] {
  return Array.from({ length: count }, (_, n) => {
    const addresses = Array.from({ length: perNetwork }, (_, h) => `2001:db8:${(n + 1).toString(16)}:${(h + 1).toString(16)}::1`);
    return { key: networkKey(KEY, addresses[0]!), addresses: addresses.map((a) => clientKey(KEY, a)), next: 0 };
  });
}

type Outcome = { subscriberInAt: number | null; subscriberTries: number; attackerGuesses: number; attackerPerDay: number[]; networksUsed: number };

function simulate(attacker: Net[], subscriber: { address: string; startAt: number }): Outcome {
  const clients = new Map<string, ClientRecord>();
  const networks = new Map<string, NetworkRecord>();
  let bucket: Bucket | null = null;
  const perDay = Array<number>(30).fill(0);
  let guesses = 0;

  function attempt(client: string, network: string, now: number) {
    const r = admit({ client: clients.get(client) ?? null, network: networks.get(network) ?? null, bucket }, now);
    if (r.allowed) {
      clients.set(client, r.client);
      networks.set(network, r.network);
      bucket = r.bucket;
    }
    return r;
  }

  /** The attacker at one instant: spent networks first (they cannot reach the reserve), then fresh ones. */
  function attack(now: number) {
    for (const fresh of [false, true]) {
      for (const net of attacker) {
        if (isFreshNetwork(networks.get(net.key) ?? null) !== fresh) continue;
        for (;;) {
          const client = net.addresses[net.next++ % net.addresses.length]!;
          const r = attempt(client, net.key, now);
          if (r.allowed) {
            guesses++;
            perDay[Math.floor((now - T0) / DAY)]!++;
            continue;
          }
          // Refused by the bucket or by this network's own limit: on to the next network.
          if (r.tier !== 'client') break;
        }
        if (refill(bucket, now).tokensMilli < 1000) return;
      }
    }
  }

  const subClient = clientKey(KEY, subscriber.address);
  const subNetwork = networkKey(KEY, subscriber.address);
  let subscriberAt = subscriber.startAt;
  let tries = 0;
  let inAt: number | null = null;
  for (let tick = T0; tick < T0 + LIFE; tick += REFILL_MS) {
    attack(tick);
    while (inAt === null && subscriberAt < tick + REFILL_MS && subscriberAt < T0 + LIFE) {
      if (subscriberAt >= tick) {
        tries++;
        const r = attempt(subClient, subNetwork, subscriberAt);
        if (r.allowed) inAt = subscriberAt;
        else subscriberAt += r.retryAfterMs + 1000;
      } else subscriberAt = tick;
    }
  }
  return { subscriberInAt: inAt, subscriberTries: tries, attackerGuesses: guesses, attackerPerDay: perDay, networksUsed: [...networks.keys()].filter((k) => k !== subNetwork).length };
}

const boundMs = (networkCount: number) => Math.max(0, FRESH_NETWORK_GUESSES * networkCount - RESERVE + 1) * REFILL_MS;

describe('a URL holder polling at every refill for 30 days', () => {
  it('from 250 addresses of one IPv4 /24: the subscriber gets in at the first try', () => {
    const out = simulate(ipv4Networks(1, 250), { address: '192.0.2.10', startAt: T0 + 1000 });
    expect(out.subscriberInAt).toBe(T0 + 1000);
    expect(out.subscriberTries).toBe(1);
  });

  it('from 250 /64s of one IPv6 /48: the subscriber gets in at the first try', () => {
    const out = simulate(ipv6Networks(1, 250), { address: '2001:db8:ffff::10', startAt: T0 + 1000 });
    expect(out.subscriberInAt).toBe(T0 + 1000);
  });

  it('from 40 /24s and 40 /48s (20,000 addresses): the subscriber is in within the bound, the attack was real, and the budget held', () => {
    const attacker = [...ipv4Networks(40, 250), ...ipv6Networks(40, 250)];
    const out = simulate(attacker, { address: '192.0.2.10', startAt: T0 + 1000 });
    const bound = boundMs(attacker.length);
    expect(bound).toBe(231 * REFILL_MS); // 6 h 9.6 min
    expect(out.subscriberInAt).not.toBeNull();
    // In within the bound plus one retry interval (a rounded Retry-After of at most 2 min, plus 1 s).
    expect(out.subscriberInAt! - T0).toBeLessThanOrEqual(bound + 2 * MINUTE + 1000);
    // The attacker did keep the subscriber out for most of it: the bound is not slack.
    expect(out.subscriberInAt! - T0).toBeGreaterThan(bound - 20 * REFILL_MS);
    expect(out.networksUsed).toBe(80);
    // The guessing guarantee held all the while: at most 1,000 a day and 27,100 in the 30 days.
    expect(Math.max(...out.attackerPerDay)).toBeLessThanOrEqual(1000);
    expect(out.attackerGuesses).toBeLessThanOrEqual(27_100);
    // Spent networks keep taking what rises above the reserve: the budget is used, not wasted.
    expect(out.attackerGuesses).toBeGreaterThan(20_000);
  });

  it('a subscriber who comes on day 29, after the attacker polled all along, gets in at once', () => {
    const attacker = [...ipv4Networks(20, 250), ...ipv6Networks(20, 250)];
    const out = simulate(attacker, { address: '2001:db8:ffff::10', startAt: T0 + 29 * DAY + 1000 });
    expect(out.subscriberInAt).toBe(T0 + 29 * DAY + 1000);
  });
});
