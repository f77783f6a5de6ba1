import { hash } from 'node:crypto';
import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import { MINUTE } from '../lib/clock.js';
import { BoundedMap } from '../lib/bounded-map.js';

export const SESSION_TTL_MS = 15 * MINUTE;

/** Cookie name: `__Host-` under https pins it to this origin, path / and Secure. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-uketori_session' : 'uketori_session';
}

const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/** Imported once per key: jose would otherwise import the raw bytes on every request. */
function hmacKey(key: Uint8Array): Promise<CryptoKey> {
  let found = imported.get(key);
  if (!found) {
    found = crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    imported.set(key, found);
  }
  return found;
}

/** A session proves the password was entered for one pickup within the last 15 minutes. */
export async function issueSession(key: Uint8Array, pickupId: string, now: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ scope: 'download' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(pickupId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + SESSION_TTL_MS / 1000)
    .sign(await hmacKey(key));
}

type Verified = { sub: string; exp: number };

/** Sessions live 15 minutes; this is far more than are alive at once on one portal. */
const MAX_VERIFIED = 10_000;
const verifiedByKey = new WeakMap<Uint8Array, BoundedMap<string, Verified>>();

/**
 * Sessions whose signature this process has checked, by the SHA-256 of the JWT (never the JWT
 * itself), with what the signature vouched for. A hit skips only the HMAC: the pickup and the
 * expiry are compared on every request, exactly as jwtVerify compares them (expired from the
 * second `exp` names). Only good signatures go in, so a forged or altered JWT is always checked.
 */
function verifiedSessions(key: Uint8Array): BoundedMap<string, Verified> {
  let map = verifiedByKey.get(key);
  if (!map) verifiedByKey.set(key, (map = new BoundedMap(MAX_VERIFIED)));
  return map;
}

/**
 * What a session this process already verified says for this pickup at `now`: true or false,
 * or null when its signature was never checked here (or the value is no session at all).
 */
export function rememberedSession(key: Uint8Array, jwt: string, pickupId: string, now: number): boolean | null {
  if (jwt.length > 2048) return null;
  return remembered(verifiedSessions(key), sessionDigest(jwt), pickupId, now);
}

function remembered(seen: BoundedMap<string, Verified>, digest: string, pickupId: string, now: number): boolean | null {
  // Read without moving it: the oldest verified session goes first, however often it is used.
  const hit = seen.peek(digest);
  return hit ? hit.sub === pickupId && Math.floor(now / 1000) < hit.exp : null;
}

// crypto.hash: one call, no Hash object per request.
const sessionDigest = (jwt: string) => hash('sha256', jwt, 'base64url');

export async function verifySession(key: Uint8Array, jwt: string | undefined, pickupId: string, now: number): Promise<boolean> {
  if (!jwt || jwt.length > 2048) return false;
  const seen = verifiedSessions(key);
  const digest = sessionDigest(jwt);
  const known = remembered(seen, digest, pickupId, now);
  if (known !== null) return known;
  try {
    const { payload } = await jwtVerify(jwt, await hmacKey(key), { algorithms: ['HS256'], subject: pickupId, currentDate: new Date(now) });
    if (payload.scope !== 'download' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return false;
    seen.set(digest, { sub: payload.sub, exp: payload.exp });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a cookie value, unverified, names this pickup: a cheap sieve before the signature
 * check, so cookies planted ahead of the real one cost nothing and cannot crowd it out.
 */
export function namesPickup(jwt: string, pickupId: string): boolean {
  if (jwt.length > 2048) return false;
  try {
    return decodeJwt(jwt).sub === pickupId;
  } catch {
    return false;
  }
}
