import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import { MINUTE } from '../lib/clock.js';

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

export async function verifySession(key: Uint8Array, jwt: string | undefined, pickupId: string, now: number): Promise<boolean> {
  if (!jwt || jwt.length > 2048) return false;
  try {
    const { payload } = await jwtVerify(jwt, await hmacKey(key), { algorithms: ['HS256'], subject: pickupId, currentDate: new Date(now) });
    return payload.scope === 'download';
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
