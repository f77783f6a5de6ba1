import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { P11, findTokenSlot, loadPkcs11Module, type Pkcs11 } from '../../src/pki/pkcs11-module.js';

/** Debian's softhsm2 (installed by .ci/run) and opensc's pkcs11-tool; nothing else is needed. */
export const SOFTHSM_MODULE = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
].find((file) => fs.existsSync(file)) ?? '/usr/lib/softhsm/libsofthsm2.so';

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
export const haveSoftHsm = fs.existsSync(SOFTHSM_MODULE) && has('softhsm2-util') && has('pkcs11-tool');

export const USER_PIN = '4-TEST-user-PIN';
const SO_PIN = '4-TEST-so-PIN';
const P256 = Buffer.from('06082a8648ce3d030107', 'hex');
const P384 = Buffer.from('06052b81040022', 'hex');

/** certified: a CA certificate is made for the key (default true). */
export type KeySpec = { label: string; id: number; kind: 'rsa-2048' | 'rsa-1024' | 'p256' | 'p384'; certified?: boolean };
export type TokenSpec = { label: string; keys: KeySpec[] };

export type SoftHsm = {
  dir: string;
  module: Pkcs11;
  /** PEM of the root CA (a key file) that certified the token keys. */
  rootPem: string;
  rootFile: string;
  pinFile: string;
  /** The CA certificate of each key label, issued by the root to the key's public half. */
  certFile: (keyLabel: string) => string;
  slot: (tokenLabel: string) => Buffer;
  /** Runs fn in a logged-in session of its own, closed afterwards. */
  withSession: <T>(tokenLabel: string, fn: (session: Buffer) => T) => T;
  file: (name: string, content?: string) => string;
};

function keyTemplates(key: KeySpec): [pkcs11Mechanism: number, publicTemplate: { type: number; value: unknown }[], privateTemplate: { type: number; value: unknown }[]] {
  const id = Buffer.from([key.id]);
  const common = [{ type: P11.CKA_TOKEN, value: true }, { type: P11.CKA_LABEL, value: key.label }, { type: P11.CKA_ID, value: id }];
  // What a CA key should be: made inside, never to leave (sensitive, not extractable).
  const privateTemplate = [...common, { type: P11.CKA_PRIVATE, value: true }, { type: P11.CKA_SIGN, value: true },
    { type: P11.CKA_SENSITIVE, value: true }, { type: P11.CKA_EXTRACTABLE, value: false }];
  if (key.kind.startsWith('rsa')) {
    const bits = key.kind === 'rsa-2048' ? 2048 : 1024;
    return [P11.CKM_RSA_PKCS_KEY_PAIR_GEN, [...common, { type: P11.CKA_VERIFY, value: true }, { type: P11.CKA_MODULUS_BITS, value: bits },
      { type: P11.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }], privateTemplate];
  }
  return [P11.CKM_EC_KEY_PAIR_GEN, [...common, { type: P11.CKA_VERIFY, value: true }, { type: P11.CKA_EC_PARAMS, value: key.kind === 'p256' ? P256 : P384 }], privateTemplate];
}

/**
 * A SoftHSM2 of the test's own: a temporary SOFTHSM2_CONF and token folder (the system's
 * tokens are never touched), tokens initialised by softhsm2-util, CA keys generated inside the
 * token, and for each a CA certificate that a file-based root issued to the key's public half
 * (read out with pkcs11-tool). Must run before anything in the process loads the module.
 */
export function startSoftHsm(tokens: TokenSpec[]): SoftHsm {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uketori-softhsm-'));
  const file = (name: string, content?: string) => {
    const full = path.join(dir, name);
    if (content !== undefined) fs.writeFileSync(full, content, { mode: 0o600 });
    return full;
  };
  fs.mkdirSync(file('tokens'));
  file('softhsm2.conf', `directories.tokendir = ${file('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = file('softhsm2.conf');
  const env = { ...process.env, SOFTHSM2_CONF: file('softhsm2.conf') };
  for (const token of tokens) {
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', token.label, '--so-pin', SO_PIN, '--pin', USER_PIN], { env, stdio: 'pipe' });
  }
  const module = loadPkcs11Module(SOFTHSM_MODULE);
  const slot = (label: string) => findTokenSlot(module, label);
  const withSession = <T>(label: string, fn: (session: Buffer) => T): T => {
    const session = module.C_OpenSession(slot(label), P11.CKF_SERIAL_SESSION | P11.CKF_RW_SESSION);
    try {
      module.C_Login(session, P11.CKU_USER, USER_PIN);
      return fn(session);
    } finally {
      module.C_CloseSession(session);
    }
  };
  for (const token of tokens) {
    withSession(token.label, (session) => {
      for (const key of token.keys) {
        const [mechanism, pub, priv] = keyTemplates(key);
        module.C_GenerateKeyPair(session, { mechanism }, pub as never, priv as never);
      }
    });
  }

  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', env });
  file('ca.ext', 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '7300', '-subj', '/C=JP/O=Uketori Test/CN=Test Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'throwaway.key', '-out', 'throwaway.csr', '-subj', '/CN=placeholder');
  for (const token of tokens) {
    for (const key of token.keys.filter((k) => k.certified !== false)) {
      execFileSync('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', token.label, '--read-object', '--type', 'pubkey', '--label', key.label, '-o', file(`${key.label}.pub.der`)], { env, stdio: 'pipe' });
      openssl('pkey', '-pubin', '-inform', 'DER', '-in', `${key.label}.pub.der`, '-out', `${key.label}.pub.pem`);
      // -force_pubkey certifies the token's public key; the CSR's own key is only a carrier.
      openssl('x509', '-req', '-in', 'throwaway.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-force_pubkey', `${key.label}.pub.pem`,
        '-subj', `/C=JP/O=Uketori Test/CN=Issuing CA ${key.label}`, '-extfile', 'ca.ext', '-days', '3650', '-out', `${key.label}.crt.pem`);
    }
  }
  return {
    dir,
    module,
    rootFile: file('root.pem'),
    rootPem: fs.readFileSync(file('root.pem'), 'utf8'),
    pinFile: file('user.pin', `${USER_PIN}\n`),
    certFile: (label) => file(`${label}.crt.pem`),
    slot,
    withSession,
    file,
  };
}

/** The settings that point the portal at one key of the test token. */
export function hsmEnv(hsm: SoftHsm, tokenLabel: string, keyLabel: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CA_PKCS11_MODULE: SOFTHSM_MODULE,
    CA_PKCS11_TOKEN_LABEL: tokenLabel,
    CA_PKCS11_KEY_LABEL: keyLabel,
    CA_PKCS11_PIN_FILE: hsm.pinFile,
    CA_CERT_FILE: hsm.certFile(keyLabel),
    CA_CHAIN_FILE: hsm.rootFile,
    ...overrides,
  };
}
