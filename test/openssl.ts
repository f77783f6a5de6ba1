import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpFile } from './helpers.js';

/** Opens a PKCS#12 with the real OpenSSL 3 (no -legacy). */
export function openP12(bytes: Uint8Array, pin: string): { ok: boolean; pem: string; stderr: string } {
  const file = tmpFile('CERT.P12');
  fs.writeFileSync(file, bytes);
  const r = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${pin}`, '-nodes'], { encoding: 'utf8' });
  return { ok: r.status === 0, pem: r.stdout, stderr: r.stderr };
}

export function pemBlocks(pem: string, label: string): string[] {
  return pem.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g')) ?? [];
}

/** The public key's SHA-256, from a key or a certificate, for "does this key match" checks. */
export function publicKeyDigest(pem: string, kind: 'key' | 'cert'): string {
  const file = tmpFile(kind === 'key' ? 'k.pem' : 'c.pem');
  fs.writeFileSync(file, pem);
  const pub = kind === 'key' ? execFileSync('openssl', ['pkey', '-in', file, '-pubout']) : execFileSync('openssl', ['x509', '-in', file, '-noout', '-pubkey']);
  const pubFile = tmpFile('pub.pem');
  fs.writeFileSync(pubFile, pub);
  return execFileSync('openssl', ['pkey', '-pubin', '-in', pubFile, '-outform', 'DER']).toString('hex');
}

export function subjectOf(certPem: string): string {
  const file = tmpFile('s.pem');
  fs.writeFileSync(file, certPem);
  return execFileSync('openssl', ['x509', '-in', file, '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus_space']).toString().trim();
}
