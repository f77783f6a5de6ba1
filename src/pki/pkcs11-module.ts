import fs from 'node:fs';
import pkcs11js from 'pkcs11js';

export type Pkcs11 = pkcs11js.PKCS11;
export const P11 = pkcs11js;

/** A refusal at start-up: the HSM setup cannot sign. One line, nothing secret in it. */
export class Pkcs11SetupError extends Error {
  override name = 'Pkcs11SetupError';
}

// Cryptoki is initialised once per process (a second C_Initialize is an error by the standard),
// so every signer, and a test that talks to the same token, shares one loaded module per path.
const loaded = new Map<string, Pkcs11>();

/** The CKR_* name of a PKCS#11 failure, or null for anything else. */
export function ckrName(err: unknown): string | null {
  const match = /\bCKR_[A-Z_]+/.exec(String((err as Error)?.message ?? ''));
  return match ? match[0] : null;
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0]!.trim();

/** Loads and initialises the vendor's library, or refuses in one line. */
export function loadPkcs11Module(modulePath: string): Pkcs11 {
  const cached = loaded.get(modulePath);
  if (cached) return cached;
  if (!fs.existsSync(modulePath)) {
    throw new Pkcs11SetupError(`CA_PKCS11_MODULE ${modulePath}: no such file (install the HSM's PKCS#11 library or correct the path)`);
  }
  const module = new pkcs11js.PKCS11();
  try {
    module.load(modulePath);
  } catch (err) {
    throw new Pkcs11SetupError(`CA_PKCS11_MODULE ${modulePath}: not a loadable PKCS#11 library (${firstLine(err)})`);
  }
  try {
    // Signatures run on libuv's threads, one at a time: the library may use the OS's locks.
    module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (err) {
    const code = ckrName(err);
    if (code === 'CKR_CANT_LOCK') module.C_Initialize();
    else if (code !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      throw new Pkcs11SetupError(`CA_PKCS11_MODULE ${modulePath}: C_Initialize failed (${code ?? firstLine(err)})`);
    }
  }
  loaded.set(modulePath, module);
  return module;
}

/** PKCS#11 pads labels with blanks to 32 bytes. */
export const trimLabel = (label: string): string => label.replace(/[\s\0]+$/, '');

/** The slot holding the one token with this label; refuses none or several. */
export function findTokenSlot(module: Pkcs11, label: string): Buffer {
  const tokens = module.C_GetSlotList(true).flatMap((slot) => {
    try {
      return [{ slot, label: trimLabel(module.C_GetTokenInfo(slot).label) }];
    } catch {
      // A slot whose token cannot describe itself (unrecognised, mid-removal) holds no usable key.
      return [];
    }
  });
  const matching = tokens.filter((t) => t.label === label);
  if (matching.length === 1) return matching[0]!.slot;
  if (matching.length > 1) throw new Pkcs11SetupError(`CA_PKCS11_TOKEN_LABEL "${label}": ${matching.length} tokens carry this label; give each token its own`);
  const seen = tokens.map((t) => `"${t.label}"`).join(', ') || 'none';
  throw new Pkcs11SetupError(`CA_PKCS11_TOKEN_LABEL "${label}": no such token in ${module.libPath} (tokens present: ${seen})`);
}

/** Every object of the session's view matching the template. */
export function findObjects(module: Pkcs11, session: Buffer, template: pkcs11js.Template): Buffer[] {
  module.C_FindObjectsInit(session, template);
  try {
    return module.C_FindObjects(session, 16);
  } finally {
    module.C_FindObjectsFinal(session);
  }
}
