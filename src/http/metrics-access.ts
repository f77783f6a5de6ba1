import { isIP, type BlockList } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { parseForwardedAddress } from './client-address.js';

function stripMapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The address a scrape is judged by. A direct connection is judged by its socket address. A
 * connection from a trusted proxy is judged by the client the proxy names (the right-most
 * forwarded entry that is not itself a proxy; when every entry is a proxy, the client sat on a
 * proxy's own host). When the proxy names nobody, or something that is not an address, the
 * answer is null and the scrape is refused: otherwise every request a proxy on loopback passed
 * on would look like a loopback scrape.
 */
export function scrapeAddress(socket: string, forwardedFor: string | undefined, trustProxy: string[]): string | null {
  if (!trustProxy.includes(socket)) return socket;
  const entries = (forwardedFor ?? '').split(',').filter((s) => s.trim() !== '');
  let address: string | null = null;
  for (let i = entries.length - 1; i >= 0; i--) {
    address = parseForwardedAddress(entries[i]!);
    if (address === null || !trustProxy.includes(address)) return address;
  }
  return address;
}

/** Whether this request may read /metrics. Reads only the socket and X-Forwarded-For. */
export function mayScrape(c: Context, allow: BlockList, trustProxy: string[]): boolean {
  let socket: string;
  try {
    socket = stripMapped(getConnInfo(c).remote.address ?? '');
  } catch {
    return false; // No socket (app.request in unit tests): nobody to allow.
  }
  const address = scrapeAddress(socket, c.req.header('x-forwarded-for'), trustProxy);
  if (address === null) return false;
  const family = isIP(address);
  return family !== 0 && allow.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
