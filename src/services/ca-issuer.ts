import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type HsmConfig } from '../config.js';
import type { Deps } from '../deps.js';
import { loadOrCreateDevCa } from '../pki/ca-store.js';
import { type CaSigner, keyObjectSigner } from '../pki/ca-signer.js';
import { orderChain } from '../pki/chain.js';
import { parseChain } from '../pki/certificate.js';
import { Pkcs11SetupError } from '../pki/pkcs11-module.js';
import { openPkcs11Signer } from '../pki/pkcs11-signer.js';

/** Who signs: the CA certificate, the certificates above it (issuing CA first, root last), the key. */
export type CaIssuer = { certPem: string; chainPems: string[]; signer: CaSigner & { readonly lost?: boolean }; close: () => void };

/** The CA one process issues with: opened on first use, then shared by every row of a batch. */
export type IssuingCa = {
  /** The issuer, opened now if it is not open yet. Call it before a batch, so a refusal comes first and alone. */
  open(): Promise<CaIssuer>;
  /** Ends the HSM session, if one is open. */
  close(): Promise<void>;
};

export function caDir(deps: Pick<Deps, 'config'>): string {
  return path.join(deps.config.dataDir, 'ca');
}

/**
 * The development CA is unsealed once, and an HSM is logged in to once. A failure is not kept,
 * nor is a signer whose session was lost, so the next attempt (a re-run in the same process)
 * opens afresh. The staff bootstrap opens one per command; the tests one per test app.
 */
export function openIssuingCa(deps: Pick<Deps, 'config' | 'sealer' | 'clock' | 'random'>): IssuingCa {
  let opening: Promise<CaIssuer> | null = null;
  return {
    async open() {
      if (opening) {
        const issuer = await opening.catch(() => null);
        if (issuer && !issuer.signer.lost) return issuer;
      }
      const now = deps.clock();
      const attempt = deps.config.hsm ? openHsmIssuer(deps.config.hsm, now) : openDevIssuer(deps, now);
      opening = attempt;
      attempt.catch(() => {
        if (opening === attempt) opening = null;
      });
      return attempt;
    },
    async close() {
      const open = opening;
      opening = null;
      (await open?.catch(() => null))?.close();
    },
  };
}

async function openDevIssuer(deps: Pick<Deps, 'config' | 'sealer' | 'random'>, now: number): Promise<CaIssuer> {
  const ca = await loadOrCreateDevCa(caDir(deps), deps.sealer, now, deps.random);
  return { certPem: ca.issuingCertPem, chainPems: [ca.rootCertPem], signer: keyObjectSigner(ca.issuingKeyPem), close: () => undefined };
}

function readSetupFile(variable: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`HSM: ${variable} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function certificates(variable: string, file: string): string[] {
  try {
    return parseChain(readSetupFile(variable, file).toString('utf8'));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`HSM: ${variable} ${file}: not a readable PEM certificate (${(err as Error).message})`);
  }
}

async function openHsmIssuer(hsm: HsmConfig, now: number): Promise<CaIssuer> {
  const [certPem, ...extra] = certificates('CA_CERT_FILE', hsm.certFile);
  if (!certPem) throw new ConfigError(`HSM: CA_CERT_FILE ${hsm.certFile} holds no PEM certificate`);
  const cert = new X509Certificate(certPem);
  if (!cert.ca) throw new ConfigError(`HSM: CA_CERT_FILE ${hsm.certFile} is not a CA certificate (basicConstraints CA:TRUE)`);
  if (Date.parse(cert.validTo) <= now || Date.parse(cert.validFrom) > now) {
    throw new ConfigError(`HSM: CA_CERT_FILE ${hsm.certFile} is valid from ${cert.validFrom} to ${cert.validTo}, not now`);
  }
  let chainPems: string[];
  try {
    chainPems = orderChain(certPem, [...extra, ...(hsm.chainFile ? certificates('CA_CHAIN_FILE', hsm.chainFile) : [])]).chain;
  } catch (err) {
    throw new ConfigError(`HSM: CA_CHAIN_FILE: ${(err as Error).message}`);
  }
  const pin = readPin(hsm.pinFile);
  try {
    const signer = await openPkcs11Signer({ module: hsm.module, tokenLabel: hsm.tokenLabel, keyLabel: hsm.keyLabel, pin, caCertPem: certPem });
    return { certPem, chainPems, signer, close: () => signer.close() };
  } catch (err) {
    if (err instanceof Pkcs11SetupError) throw new ConfigError(`HSM: ${err.message}`);
    throw err;
  }
}

/** The file holds the PIN alone; one trailing line break (as editors add) is not part of it. */
function readPin(file: string): string {
  const bytes = readSetupFile('CA_PKCS11_PIN_FILE', file);
  const pin = bytes.toString('utf8').replace(/\r?\n$/, '');
  bytes.fill(0);
  if (pin.length === 0) throw new ConfigError(`HSM: CA_PKCS11_PIN_FILE ${file} is empty`);
  return pin;
}
