import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueSession, rememberedSession, SESSION_TTL_MS, verifySession } from '../../src/auth/session.js';

const T = Date.UTC(2026, 10, 26, 1, 0, 0);
const key = () => new Uint8Array(32).fill(7);

// verifySession remembers good signatures (by digest); every check but the HMAC still runs.
describe('session check, first time and remembered', () => {
  it('accepts its own session for its own pickup, again and again', async () => {
    const k = key();
    const jwt = await issueSession(k, 'pickup-a', T);
    expect(await verifySession(k, jwt, 'pickup-a', T)).toBe(true);
    expect(await verifySession(k, jwt, 'pickup-a', T + 1000)).toBe(true);
  });

  it('refuses it for another pickup, before and after it was remembered', async () => {
    const k = key();
    const jwt = await issueSession(k, 'pickup-a', T);
    expect(await verifySession(k, jwt, 'pickup-b', T)).toBe(false);
    expect(await verifySession(k, jwt, 'pickup-a', T)).toBe(true);
    expect(await verifySession(k, jwt, 'pickup-b', T)).toBe(false);
  });

  it('expires at exactly 15 minutes when remembered, as when checked afresh', async () => {
    const k = key();
    const jwt = await issueSession(k, 'pickup-a', T);
    expect(await verifySession(k, jwt, 'pickup-a', T)).toBe(true);
    expect(await verifySession(k, jwt, 'pickup-a', T + SESSION_TTL_MS - 1)).toBe(true);
    expect(await verifySession(k, jwt, 'pickup-a', T + SESSION_TTL_MS)).toBe(false);
    const fresh = key();
    const other = await issueSession(fresh, 'pickup-a', T);
    expect(await verifySession(fresh, other, 'pickup-a', T + SESSION_TTL_MS - 1)).toBe(true);
    const unseen = key();
    const third = await issueSession(unseen, 'pickup-a', T);
    expect(await verifySession(unseen, third, 'pickup-a', T + SESSION_TTL_MS)).toBe(false);
  });

  it('answers from memory only for a session whose signature was checked here', async () => {
    const k = key();
    const jwt = await issueSession(k, 'pickup-a', T);
    expect(rememberedSession(k, jwt, 'pickup-a', T)).toBeNull();
    expect(await verifySession(k, jwt, 'pickup-b', T)).toBe(false);
    expect(rememberedSession(k, jwt, 'pickup-a', T)).toBeNull();
    expect(await verifySession(k, jwt, 'pickup-a', T)).toBe(true);
    expect(rememberedSession(k, jwt, 'pickup-a', T + 1)).toBe(true);
    expect(rememberedSession(k, jwt, 'pickup-b', T + 1)).toBe(false);
    expect(rememberedSession(k, jwt, 'pickup-a', T + SESSION_TTL_MS)).toBe(false);
    expect(rememberedSession(key(), jwt, 'pickup-a', T)).toBeNull();
    const [head, body, sig] = jwt.split('.');
    expect(rememberedSession(k, `${head}.${body}.${sig!.slice(0, -2)}AA`, 'pickup-a', T)).toBeNull();
  });

  it('refuses an altered session even after the genuine one was remembered', async () => {
    const k = key();
    const jwt = await issueSession(k, 'pickup-a', T);
    expect(await verifySession(k, jwt, 'pickup-a', T)).toBe(true);
    const [head, body, sig] = jwt.split('.');
    const flipped = sig!.slice(0, -2) + (sig!.at(-2) === 'A' ? 'B' : 'A') + sig!.at(-1);
    expect(await verifySession(k, `${head}.${body}.${flipped}`, 'pickup-a', T)).toBe(false);
    const payload = Buffer.from(JSON.stringify({ scope: 'download', sub: 'pickup-b', iat: T / 1000, exp: T / 1000 + 900 })).toString('base64url');
    expect(await verifySession(k, `${head}.${payload}.${sig}`, 'pickup-b', T)).toBe(false);
  });

  it('refuses a session signed with another key, or for another scope', async () => {
    const k = key();
    const jwt = await issueSession(k, 'pickup-a', T);
    expect(await verifySession(k, jwt, 'pickup-a', T)).toBe(true);
    expect(await verifySession(new Uint8Array(32).fill(8), jwt, 'pickup-a', T)).toBe(false);
    const iat = Math.floor(T / 1000);
    const wrongScope = await new SignJWT({ scope: 'other' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('pickup-a')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 900)
      .sign(k);
    expect(await verifySession(k, wrongScope, 'pickup-a', T)).toBe(false);
    expect(await verifySession(k, wrongScope, 'pickup-a', T)).toBe(false);
    expect(await verifySession(k, undefined, 'pickup-a', T)).toBe(false);
    expect(await verifySession(k, 'x'.repeat(3000), 'pickup-a', T)).toBe(false);
  });
});
