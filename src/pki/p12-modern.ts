import { createCipheriv, pbkdf2Sync } from 'node:crypto';
import { type Random } from '../lib/random.js';
import { algorithm, integer, octets, oid, seq } from './der.js';
import { type BagEncryptor, type MacSpec } from './p12-asn1.js';

const OIDS = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
};

export const MODERN_ITERATIONS = 10000;

/** Same MAC as OpenSSL 3's default output, with more iterations. */
export const MODERN_MAC: MacSpec = { hash: 'sha256', iterations: MODERN_ITERATIONS, saltBytes: 16 };

/**
 * PBES2 (RFC 8018): PBKDF2-HMAC-SHA256 then AES-256-CBC, fresh 16-byte salt and IV from
 * `random` for every blob. PBKDF2 takes the PIN as UTF-8 bytes, as OpenSSL does, unlike the
 * PKCS#12 KDF which takes BMPString.
 */
export function pbes2Aes256(pin: string, random: Random, iterations = MODERN_ITERATIONS): BagEncryptor {
  return (plaintext) => {
    const salt = Buffer.from(random(16));
    const iv = Buffer.from(random(16));
    const key = pbkdf2Sync(Buffer.from(pin, 'utf8'), salt, iterations, 32, 'sha256');
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const params = seq(
      seq(oid(OIDS.pbkdf2), seq(octets(salt), integer(iterations), algorithm(OIDS.hmacWithSHA256))),
      seq(oid(OIDS.aes256Cbc), octets(iv)),
    );
    return { algorithm: seq(oid(OIDS.pbes2), params), ciphertext };
  };
}
