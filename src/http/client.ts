import { createHmac } from 'node:crypto';
import { isIPv6 } from 'node:net';
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

/** IPv6 clients are grouped by /64, the block one subscriber line usually holds. */
function throttleUnit(address: string): string {
  if (!isIPv6(address)) return address;
  return address.split(':').slice(0, 4).join(':');
}

/** A keyed hash: the throttle table never holds an address. */
export function clientKey(key: Uint8Array, address: string): string {
  return createHmac('sha256', key).update('throttle|').update(throttleUnit(address)).digest('hex').slice(0, 32);
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
  const net = isIPv6(address) ? address.split(':').slice(0, 3).join(':') + '::/48' : address.replace(/\.\d+$/, '.0/24');
  return `${net} ${userAgentFamily(userAgent ?? '')}`;
}
