import { BlockList, isIP } from 'node:net';

/** One METRICS_ALLOW entry: an address, or a network as address/prefix. */
export type AllowEntry = { network: string; prefix: number; family: 'ipv4' | 'ipv6' };

export const DEFAULT_METRICS_ALLOW = '127.0.0.0/8,::1';

/**
 * Parses METRICS_ALLOW: comma-separated addresses and CIDR ranges, or `none` for nobody.
 * Returns the first entry that is neither, so the start-up error can name it.
 */
export function parseAllowList(text: string): { entries: AllowEntry[] } | { bad: string } {
  if (text.trim().toLowerCase() === 'none') return { entries: [] };
  const entries: AllowEntry[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const [network = '', prefixText, ...rest] = item.split('/');
    const version = isIP(network);
    const bits = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (version === 0 || rest.length > 0 || prefix < 0 || prefix > bits) return { bad: item };
    entries.push({ network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' });
  }
  return { entries };
}

export function allowListOf(entries: AllowEntry[]): BlockList {
  const list = new BlockList();
  for (const e of entries) list.addSubnet(e.network, e.prefix, e.family);
  return list;
}
