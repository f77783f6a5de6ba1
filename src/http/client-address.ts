import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

function stripMapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The client's address comes from the socket. X-Forwarded-For is believed only when the socket
 * peer is a proxy named in TRUST_PROXY, and then only its right-most untrusted entry.
 */
export function clientAddress(c: Context, trustProxy: string[]): string {
  let socket = 'unknown';
  try {
    socket = stripMapped(getConnInfo(c).remote.address ?? 'unknown');
  } catch {
    // No socket (app.request in unit tests).
  }
  if (trustProxy.length === 0 || !trustProxy.includes(socket)) return socket;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => stripMapped(s.trim()))
    .filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) {
    if (!trustProxy.includes(forwarded[i]!)) return forwarded[i]!.slice(0, 64);
  }
  return socket;
}
