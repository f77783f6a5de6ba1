import { isIP } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

function stripMapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * One X-Forwarded-For entry as an address, or null. Proxies write `[2001:db8::5]`,
 * `[2001:db8::5]:443` and `203.0.113.7:5555` as well as bare addresses; all of these name one
 * client. Anything that is not an address (a host name, junk) is refused.
 */
export function parseForwardedAddress(entry: string): string | null {
  let text = entry.trim().replace(/^"(.*)"$/, '$1');
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(text)) text = text.slice(0, text.indexOf(':'));
  text = stripMapped(text);
  return isIP(text) === 0 ? null : text;
}

/**
 * The client's address comes from the socket. X-Forwarded-For is believed only when the socket
 * peer is a proxy named in TRUST_PROXY, and then only its right-most entry that is not a listed
 * proxy; when that entry is not a valid address, the socket address stands.
 */
export function clientAddress(c: Context, trustProxy: string[]): string {
  let socket = 'unknown';
  try {
    socket = stripMapped(getConnInfo(c).remote.address ?? 'unknown');
  } catch {
    // No socket (app.request in unit tests).
  }
  if (trustProxy.length === 0 || !trustProxy.includes(socket)) return socket;
  const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').filter((s) => s.trim() !== '');
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const address = parseForwardedAddress(forwarded[i]!);
    if (address === null) return socket;
    if (!trustProxy.includes(address)) return address;
  }
  return socket;
}
