import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface RsaKeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * RSA key pair from Node's native, non-blocking generator (forge's pure-JS keygen takes
 * seconds and blocks the event loop). Key randomness is OpenSSL's, not an injected Random.
 * Private key: PKCS#8 PEM; public key: SPKI PEM.
 */
export async function generateRsaKeyPair(modulusLength = 2048): Promise<RsaKeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
