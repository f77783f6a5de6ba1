import { createHmac, hkdfSync } from 'node:crypto';
import { isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address, whatever its written form (`::`, zone, embedded IPv4). */
export function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16) || 0);
}

function ipv6Prefix(address: string, groups: number): string {
  return ipv6Groups(address)
    .slice(0, groups)
    .map((g) => g.toString(16))
    .join(':');
}

/** IPv6 clients are grouped by /64, the block one subscriber line usually holds. */
export function throttleUnit(address: string): string {
  return isIPv6(address) ? `${ipv6Prefix(address, 4)}::/64` : address;
}

/** The network tier's unit: IPv4 by /24, IPv6 by /48 (what one site or subscriber line is given). */
export function networkUnit(address: string): string {
  if (isIPv6(address)) return `${ipv6Prefix(address, 3)}::/48`;
  const v4 = /^(\d+\.\d+\.\d+)\.\d+$/.exec(address);
  return v4 ? `${v4[1]}.0/24` : address;
}

/**
 * A keyed hash: the throttle table never holds an address. The key is derived for this use
 * alone (see throttleKey), never the session-signing key itself.
 */
export function clientKey(key: Uint8Array, address: string): string {
  return createHmac('sha256', key).update(throttleUnit(address)).digest('hex').slice(0, 32);
}

/** The network's keyed hash (a distinct label, so a network never collides with a client). */
export function networkKey(key: Uint8Array, address: string): string {
  return createHmac('sha256', key).update(`net ${networkUnit(address)}`).digest('hex').slice(0, 32);
}

/** HKDF from the session secret, so one secret never serves two purposes. */
export function throttleKey(sessionKey: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', sessionKey, new Uint8Array(0), 'uketori throttle client key', 32));
}

function userAgentFamily(ua: string): string {
  const mobile = /Mobile|Android|iPhone|iPad/.test(ua) ? ' mobile' : '';
  const family = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\/|Chromium\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : ua
            ? 'other'
            : 'none';
  return family + mobile;
}

/** What the support timeline shows: enough to tell "your phone" from "someone else", no more. */
export function coarseClient(address: string, userAgent: string | undefined): string {
  return `${networkUnit(address)} ${userAgentFamily(userAgent ?? '')}`;
}
