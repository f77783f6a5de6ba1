import { runCommand } from './child.js';

/** The kind of key the app puts in its PKCS#12, so the openssl loop makes the same kind. */
export type KeySpec = { label: string; genpkeyArgs: string[] };

/** "rsa:2048", "rsa:3072", "ec:P-256", "ec:P-384", "ed25519". */
export function parseKeySpec(text: string): KeySpec {
  const [kind, param] = text.toLowerCase().split(':');
  if (kind === 'rsa') {
    const bits = Number(param ?? 2048);
    if (!Number.isInteger(bits) || bits < 1024) throw new Error(`bad RSA size in --key ${text}`);
    return { label: `RSA ${bits}`, genpkeyArgs: ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`] };
  }
  if (kind === 'ec') {
    const curve = (param ?? 'P-256').toUpperCase();
    return { label: `EC ${curve}`, genpkeyArgs: ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`] };
  }
  if (kind === 'ed25519') return { label: 'Ed25519', genpkeyArgs: ['-algorithm', 'ED25519'] };
  throw new Error(`unknown key kind in --key ${text} (use rsa:2048, ec:P-256 or ed25519)`);
}

/** Reads the certificate's key type out of openssl's text dump; null when it is not recognised. */
export function keySpecFromCertText(text: string): KeySpec | null {
  const rsa = /Public-Key: \((\d+) bit\)[\s\S]*Modulus/.exec(text);
  if (/rsaEncryption/.test(text) && rsa) return parseKeySpec(`rsa:${rsa[1]}`);
  const curve = /NIST CURVE: (P-\d+)/.exec(text);
  if (/id-ecPublicKey/.test(text) && curve) return parseKeySpec(`ec:${curve[1]}`);
  if (/ED25519/i.test(text)) return parseKeySpec('ed25519');
  return null;
}

/**
 * Opens the P12 with each candidate password (with and without -legacy, for RC2/3DES bags)
 * and returns the key type of its certificate, or null.
 */
export async function keySpecFromP12(p12File: string, passwords: string[]): Promise<KeySpec | null> {
  for (const password of passwords) {
    for (const legacy of [[], ['-legacy']]) {
      const script = 'openssl pkcs12 "$@" -nokeys -clcerts -passin env:P12_PASS | openssl x509 -noout -text';
      const result = await runCommand('sh', ['-c', script, 'sh', '-in', p12File, ...legacy], {
        env: { ...process.env, P12_PASS: password },
        timeoutMs: 10_000,
      });
      if (result.code === 0) return keySpecFromCertText(result.stdout);
    }
  }
  return null;
}
