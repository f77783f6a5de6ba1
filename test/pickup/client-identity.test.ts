import { describe, expect, it } from 'vitest';
import { clientKey, coarseClient, ipv6Groups, networkKey, networkUnit, throttleKey, throttleUnit } from '../../src/pickup/client-identity.js';

const key = throttleKey(new Uint8Array(32).fill(3));

describe('client identity for the throttle and the timeline', () => {
  it('expands every written form of an IPv6 address', () => {
    expect(ipv6Groups('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('64:ff9b::192.0.2.33')).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x221]);
    expect(ipv6Groups('2001:0DB8:0000:0000:0001:0000:0000:0001')).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
  });

  it('puts every address of one IPv6 /64 under one throttle key, and other /64s apart', () => {
    const same = ['2001:db8::1', '2001:db8::2', '2001:db8:0:0:ffff::9', '2001:DB8:0000:0000::abcd'];
    expect(new Set(same.map(throttleUnit))).toEqual(new Set(['2001:db8:0:0::/64']));
    expect(new Set(same.map((a) => clientKey(key, a))).size).toBe(1);
    expect(clientKey(key, '2001:db8:0:1::1')).not.toBe(clientKey(key, '2001:db8::1'));
  });

  it('keys IPv4 addresses one by one', () => {
    expect(clientKey(key, '203.0.113.7')).not.toBe(clientKey(key, '203.0.113.8'));
    expect(clientKey(key, '203.0.113.7')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('puts an IPv4 /24 and an IPv6 /48 under one network key, and their neighbours apart', () => {
    expect(networkUnit('203.0.113.7')).toBe('203.0.113.0/24');
    expect(networkUnit('2001:db8:aa:ffff::1')).toBe('2001:db8:aa::/48');
    expect(networkKey(key, '203.0.113.7')).toBe(networkKey(key, '203.0.113.250'));
    expect(networkKey(key, '203.0.113.7')).not.toBe(networkKey(key, '203.0.114.7'));
    expect(networkKey(key, '2001:db8:aa:1::1')).toBe(networkKey(key, '2001:DB8:AA:FFFF::9'));
    expect(networkKey(key, '2001:db8:aa::1')).not.toBe(networkKey(key, '2001:db8:ab::1'));
    // A network never shares a key with a client, even where the units could coincide.
    expect(networkKey(key, '203.0.113.7')).not.toBe(clientKey(key, '203.0.113.7'));
  });

  it('derives the throttle key from, but never equal to, the session key', () => {
    const session = new Uint8Array(32).fill(3);
    expect(Buffer.from(throttleKey(session)).equals(Buffer.from(session))).toBe(false);
    expect(throttleKey(session)).toHaveLength(32);
  });

  it('shows support a coarse network and browser family, never the full address', () => {
    expect(coarseClient('203.0.113.7', 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36')).toBe('203.0.113.0/24 Chrome');
    expect(coarseClient('2001:db8::1', 'Mozilla/5.0 (iPhone) Version/17.0 Mobile/15E148 Safari/604.1')).toBe('2001:db8:0::/48 Safari mobile');
  });
});
