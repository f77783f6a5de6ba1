/** Binds a sealed value to its purpose and record, so a blob cannot be moved to another record. */
export interface SealContext {
  purpose: string;
  id: string;
}

/** Authenticated encryption for secrets at rest (implemented in src/secrets/sealer.ts). */
export interface Sealer {
  seal(plaintext: Uint8Array, aad: SealContext): Promise<string>;
  open(jwe: string, aad: SealContext): Promise<Uint8Array>;
}
