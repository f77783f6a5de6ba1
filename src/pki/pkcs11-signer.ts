import { createHash, createPublicKey, randomBytes, verify, type KeyObject, X509Certificate } from 'node:crypto';
import { type CaKeyType, type CaSigner, ecdsaRawToDer } from './ca-signer.js';
import {
  P11, Pkcs11SetupError, ckrName, findObjects, findTokenSlot, loadPkcs11Module, type Pkcs11,
} from './pkcs11-module.js';

export type Pkcs11Settings = {
  module: string;
  tokenLabel: string;
  keyLabel: string;
  /** The user PIN, read from CA_PKCS11_PIN_FILE by the caller; never printed. */
  pin: string;
  /** The certificate of the key in the token; the key must match it. */
  caCertPem: string;
};

/**
 * The token stopped answering for our session (removed, reset, logged out). The rows in
 * flight fail with this; nothing more is signed by this process, and a re-run resumes.
 */
export class CaSignerLostError extends Error {
  override name = 'CaSignerLostError';
  readonly haltsBatch = true;
}

export type Pkcs11Signer = CaSigner & {
  /** Closes our session; the token logs us out when its last session closes. */
  close(): void;
  readonly lost: boolean;
  /** Counted where C_Login and C_Sign are called: one login per process, one signature per certificate. */
  readonly stats: { logins: number; signatures: number };
};

const LOST = new Set([
  'CKR_SESSION_HANDLE_INVALID', 'CKR_SESSION_CLOSED', 'CKR_DEVICE_REMOVED', 'CKR_DEVICE_ERROR', 'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED', 'CKR_USER_NOT_LOGGED_IN', 'CKR_KEY_HANDLE_INVALID', 'CKR_OBJECT_HANDLE_INVALID',
  'CKR_CRYPTOKI_NOT_INITIALIZED', 'CKR_DEVICE_MEMORY',
]);
const P256_PARAMS = '06082a8648ce3d030107';
const CURVE_NAMES: Record<string, string> = { '06052b81040022': 'P-384', '06052b81040023': 'P-521', '06052b8104000a': 'secp256k1' };
const SUPPORTED = 'the portal signs with RSA (2048 bits or more) or EC P-256 keys';

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const ulong = (value: Buffer) => value.readUInt32LE(0);

/**
 * Opens one session on the token, logs in once, finds the CA key and proves it matches the CA
 * certificate, or refuses in one line (Pkcs11SetupError) with nothing signed. The private key
 * is only ever used through C_Sign: no attribute of it beyond the public ones is read.
 */
export async function openPkcs11Signer(s: Pkcs11Settings): Promise<Pkcs11Signer> {
  const module = loadPkcs11Module(s.module);
  const slot = findTokenSlot(module, s.tokenLabel);
  let session: Buffer;
  try {
    session = module.C_OpenSession(slot, P11.CKF_SERIAL_SESSION);
  } catch (err) {
    throw new Pkcs11SetupError(`token "${s.tokenLabel}": cannot open a session (${ckrName(err) ?? (err as Error).message})`);
  }
  try {
    const stats = { logins: 0, signatures: 0 };
    login(module, session, s);
    stats.logins++;
    const key = findKey(module, session, s);
    const cert = new X509Certificate(s.caCertPem);
    const mechanisms = module.C_GetMechanismList(slot);
    const needed = key.type === 'rsa' ? P11.CKM_SHA256_RSA_PKCS : P11.CKM_ECDSA;
    if (!mechanisms.includes(needed)) {
      throw new Pkcs11SetupError(`token "${s.tokenLabel}" does not offer ${key.type === 'rsa' ? 'CKM_SHA256_RSA_PKCS' : 'CKM_ECDSA'}: ${SUPPORTED}`);
    }
    const mismatch = `key "${s.keyLabel}" on token "${s.tokenLabel}" does not match CA_CERT_FILE`;
    if (cert.publicKey.asymmetricKeyType !== key.type) {
      throw new Pkcs11SetupError(`${mismatch} (the key is ${key.type.toUpperCase()}, the certificate's is ${String(cert.publicKey.asymmetricKeyType).toUpperCase()})`);
    }
    if (key.publicKey && !key.publicKey.equals(cert.publicKey)) throw new Pkcs11SetupError(`${mismatch} (the public keys differ)`);
    const signer = makeSigner(module, session, key, stats);
    // Proof by use: a token may hide the public half, and a signature the certificate's key
    // verifies settles the question either way.
    const challenge = randomBytes(32);
    const proof = await signer.sign(challenge).catch((err: Error) => {
      throw new Pkcs11SetupError(`key "${s.keyLabel}" on token "${s.tokenLabel}" cannot sign (${ckrName(err) ?? err.message})`);
    });
    if (!verify('sha256', challenge, cert.publicKey, proof)) throw new Pkcs11SetupError(`${mismatch} (a test signature does not verify)`);
    stats.signatures = 0;
    return signer;
  } catch (err) {
    closeQuietly(module, session);
    throw err;
  }
}

function login(module: Pkcs11, session: Buffer, s: Pkcs11Settings): void {
  try {
    module.C_Login(session, P11.CKU_USER, s.pin);
  } catch (err) {
    const code = ckrName(err);
    if (code === 'CKR_USER_ALREADY_LOGGED_IN') return;
    if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LEN_RANGE') {
      throw new Pkcs11SetupError(`token "${s.tokenLabel}" refused the PIN in CA_PKCS11_PIN_FILE (${code}); the token may lock the PIN after more failures`);
    }
    if (code === 'CKR_PIN_LOCKED') throw new Pkcs11SetupError(`token "${s.tokenLabel}": the user PIN is locked (CKR_PIN_LOCKED); the token's security officer must unblock it`);
    throw new Pkcs11SetupError(`token "${s.tokenLabel}": login failed (${code ?? (err as Error).message})`);
  }
}

type TokenKey = { handle: Buffer; type: CaKeyType; signatureBytes: number; publicKey: KeyObject | null };

function findKey(module: Pkcs11, session: Buffer, s: Pkcs11Settings): TokenKey {
  const found = findObjects(module, session, [{ type: P11.CKA_CLASS, value: P11.CKO_PRIVATE_KEY }, { type: P11.CKA_LABEL, value: s.keyLabel }]);
  if (found.length === 0) throw new Pkcs11SetupError(`CA_PKCS11_KEY_LABEL "${s.keyLabel}": no private key with this label on token "${s.tokenLabel}"`);
  if (found.length > 1) throw new Pkcs11SetupError(`CA_PKCS11_KEY_LABEL "${s.keyLabel}": ${found.length} private keys on token "${s.tokenLabel}" carry this label`);
  const handle = found[0]!;
  const [keyType, canSign, id] = module.C_GetAttributeValue(session, handle, [
    { type: P11.CKA_KEY_TYPE }, { type: P11.CKA_SIGN }, { type: P11.CKA_ID },
  ]).map((a) => a.value);
  if (!canSign![0]) throw new Pkcs11SetupError(`key "${s.keyLabel}" on token "${s.tokenLabel}" may not sign (CKA_SIGN is false)`);
  if (ulong(keyType!) === P11.CKK_RSA) {
    const [modulus, exponent] = module.C_GetAttributeValue(session, handle, [{ type: P11.CKA_MODULUS }, { type: P11.CKA_PUBLIC_EXPONENT }]).map((a) => a.value);
    const n = modulus!.subarray(modulus!.findIndex((b) => b !== 0));
    if (n.length * 8 < 2048) throw new Pkcs11SetupError(`key "${s.keyLabel}" is RSA-${n.length * 8}: ${SUPPORTED}`);
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(exponent!) }, format: 'jwk' });
    return { handle, type: 'rsa', signatureBytes: n.length, publicKey };
  }
  if (ulong(keyType!) === P11.CKK_EC) {
    const params = module.C_GetAttributeValue(session, handle, [{ type: P11.CKA_EC_PARAMS }])[0]!.value.toString('hex');
    if (params !== P256_PARAMS) throw new Pkcs11SetupError(`key "${s.keyLabel}" is on curve ${CURVE_NAMES[params] ?? params}: ${SUPPORTED}`);
    return { handle, type: 'ec', signatureBytes: 64, publicKey: ecPublicKey(module, session, id!.length > 0 ? id! : null, s.keyLabel) };
  }
  throw new Pkcs11SetupError(`key "${s.keyLabel}" has key type 0x${ulong(keyType!).toString(16)}: ${SUPPORTED}`);
}

/** The public half of an EC key lives in its own object; null when the token keeps none. */
function ecPublicKey(module: Pkcs11, session: Buffer, id: Buffer | null, label: string): KeyObject | null {
  const [handle] = findObjects(module, session, [
    { type: P11.CKA_CLASS, value: P11.CKO_PUBLIC_KEY },
    id ? { type: P11.CKA_ID, value: id } : { type: P11.CKA_LABEL, value: label },
  ]);
  if (!handle) return null;
  let point = module.C_GetAttributeValue(session, handle, [{ type: P11.CKA_EC_POINT }])[0]!.value;
  // The standard wraps the point in a DER OCTET STRING; some tokens hand it over bare.
  if (point.length === 67 && point[0] === 0x04 && point[1] === 65) point = point.subarray(2);
  if (point.length !== 65 || point[0] !== 0x04) return null;
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) }, format: 'jwk' });
}

function makeSigner(module: Pkcs11, session: Buffer, key: TokenKey, stats: { logins: number; signatures: number }): Pkcs11Signer {
  let lostCode: string | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const lostError = (code: string) => new CaSignerLostError(
    `the HSM session was lost (${code}): not signed; run the same command again once the token is back`);

  // One operation at a time on the session: C_SignInit and C_Sign must not interleave.
  async function signNow(tbsDer: Buffer): Promise<Buffer> {
    if (lostCode) throw lostError(lostCode);
    try {
      if (key.type === 'rsa') {
        module.C_SignInit(session, { mechanism: P11.CKM_SHA256_RSA_PKCS }, key.handle);
        const signature = await module.C_SignAsync(session, tbsDer, Buffer.alloc(key.signatureBytes));
        stats.signatures++;
        return Buffer.from(signature);
      }
      module.C_SignInit(session, { mechanism: P11.CKM_ECDSA }, key.handle);
      const raw = await module.C_SignAsync(session, createHash('sha256').update(tbsDer).digest(), Buffer.alloc(key.signatureBytes));
      stats.signatures++;
      return ecdsaRawToDer(raw);
    } catch (err) {
      const code = ckrName(err);
      if (code && LOST.has(code)) {
        lostCode = code;
        throw lostError(code);
      }
      throw new Error(`the token refused to sign (${code ?? (err as Error).message})`);
    }
  }

  return {
    keyType: key.type,
    stats,
    get lost() {
      return lostCode !== null;
    },
    sign(tbsDer) {
      const result = queue.then(() => signNow(tbsDer));
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      lostCode ??= 'closed';
      closeQuietly(module, session);
    },
  };
}

function closeQuietly(module: Pkcs11, session: Buffer): void {
  try {
    module.C_CloseSession(session);
  } catch {
    // Already gone with the token: nothing left to close.
  }
}
