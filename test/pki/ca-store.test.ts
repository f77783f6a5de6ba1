import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import { CaStoreError, loadOrCreateDevCa } from '../../src/pki/ca-store.js';
import { keyMatchesCertificate, summarizeCertificate } from '../../src/pki/certificate.js';
import { NOW, run, tempDir, testSealer } from './support.js';

const FILES = ['issuing.crt.pem', 'issuing.key.jwe', 'root.crt.pem', 'root.key.jwe'];

describe('loadOrCreateDevCa', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dir: string;
  beforeEach(() => {
    tmp = tempDir();
    dir = path.join(tmp.dir, 'data', 'ca');
  });
  afterEach(() => tmp.cleanup());

  it('creates the CA once, stores keys sealed and files 0600, and loads the same CA again', async () => {
    const sealer = testSealer();
    const first = await loadOrCreateDevCa(dir, sealer, NOW, seededRandom(1));
    expect(first.created).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(FILES);
    for (const name of FILES) expect(statSync(path.join(dir, name)).mode & 0o777, name).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    expect(readFileSync(path.join(dir, 'root.crt.pem'), 'utf8')).toBe(first.rootCertPem);
    expect(readFileSync(path.join(dir, 'issuing.crt.pem'), 'utf8')).toBe(first.issuingCertPem);
    for (const name of ['root.key.jwe', 'issuing.key.jwe']) {
      const stored = readFileSync(path.join(dir, name), 'utf8');
      expect(stored).not.toContain('PRIVATE KEY');
      expect(stored.split('.')).toHaveLength(5); // JWE compact serialisation
    }
    expect(keyMatchesCertificate(first.issuingKeyPem, first.issuingCertPem)).toBe(true);
    expect(summarizeCertificate(first.issuingCertPem).subject)
      .toBe('CN=Uketori Development Issuing CA, O=Uketori Development, C=JP');

    const again = await loadOrCreateDevCa(dir, sealer, NOW + 1000, seededRandom(2));
    expect(again).toEqual({ ...first, created: false });

    const verify = run('openssl', ['verify', '-CAfile', tmp.file('root.pem', first.rootCertPem),
      tmp.file('issuing.pem', first.issuingCertPem)]);
    expect(verify.status).toBe(0);
  });

  it('binds each sealed key to its name: swapped files do not open', async () => {
    const sealer = testSealer();
    await loadOrCreateDevCa(dir, sealer, NOW, seededRandom(1));
    const root = readFileSync(path.join(dir, 'root.key.jwe'));
    writeFileSync(path.join(dir, 'root.key.jwe'), readFileSync(path.join(dir, 'issuing.key.jwe')));
    writeFileSync(path.join(dir, 'issuing.key.jwe'), root);
    await expect(loadOrCreateDevCa(dir, sealer, NOW, seededRandom(1))).rejects.toThrow();
  });

  it('does not open with another sealing key', async () => {
    await loadOrCreateDevCa(dir, testSealer(), NOW, seededRandom(1));
    await expect(loadOrCreateDevCa(dir, testSealer(new Uint8Array(32).fill(9)), NOW, seededRandom(1)))
      .rejects.toThrow();
  });

  it('gives racing callers the same CA, created once', async () => {
    const sealer = testSealer();
    const results = await Promise.all([1, 2, 3].map((seed) =>
      loadOrCreateDevCa(dir, sealer, NOW, seededRandom(seed))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    for (const r of results) {
      expect(r.rootCertPem).toBe(results[0]!.rootCertPem);
      expect(r.issuingKeyPem).toBe(results[0]!.issuingKeyPem);
    }
    expect(readdirSync(dir).sort()).toEqual(FILES);
  });

  it('refuses an incomplete CA rather than overwriting what is left', async () => {
    const sealer = testSealer();
    const first = await loadOrCreateDevCa(dir, sealer, NOW, seededRandom(1));
    unlinkSync(path.join(dir, 'issuing.key.jwe'));
    await expect(loadOrCreateDevCa(dir, sealer, NOW, seededRandom(2))).rejects.toThrow(CaStoreError);
    expect(readFileSync(path.join(dir, 'root.crt.pem'), 'utf8')).toBe(first.rootCertPem);
    expect(existsSync(path.join(dir, '.create.lock'))).toBe(false);
  });

  it('waits for a lock holder and names the lock file when it never finishes', async () => {
    const sealer = testSealer();
    const lockDir = path.join(tmp.dir, 'locked');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(path.join(lockDir, '.create.lock'), '');
    await expect(loadOrCreateDevCa(lockDir, sealer, NOW, seededRandom(1), { lockWaitMs: 300 }))
      .rejects.toThrow(/\.create\.lock exists/);
    expect(existsSync(path.join(lockDir, 'root.crt.pem'))).toBe(false);
  });
});
