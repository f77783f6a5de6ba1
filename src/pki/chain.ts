import { X509Certificate } from 'node:crypto';

export class ChainError extends Error {
  override name = 'ChainError';
}

export type OrderedChain = { leaf: string; chain: string[]; reachesRoot: boolean };

/**
 * Puts an imported leaf's CA certificates in issuing order (issuing CA first, root last), as the
 * PKCS#12 must carry them. Each link is checked by name and signature; a certificate that links
 * to nothing is refused rather than silently packed.
 */
export function orderChain(leafPem: string, candidates: string[]): OrderedChain {
  const leaf = new X509Certificate(leafPem);
  // The same certificate often arrives twice (a full-chain file plus a chain file): keep one.
  const seen = new Set([leaf.fingerprint256]);
  const pool = candidates
    .map((pem) => ({ pem, x: new X509Certificate(pem) }))
    .filter((c) => !seen.has(c.x.fingerprint256) && seen.add(c.x.fingerprint256));
  const chain: string[] = [];
  let current = leaf;
  for (;;) {
    if (current.checkIssued(current) && current.verify(current.publicKey)) return finish(true);
    const next = pool.findIndex((c) => current.checkIssued(c.x) && current.verify(c.x.publicKey));
    if (next < 0) return finish(false);
    const [found] = pool.splice(next, 1);
    chain.push(found!.pem);
    current = found!.x;
  }

  function finish(reachesRoot: boolean): OrderedChain {
    if (pool.length > 0) {
      throw new ChainError(`${pool.length} certificate(s) in the chain do not link to the leaf: ${pool.map((c) => c.x.subject.replaceAll('\n', ', ')).join('; ')}`);
    }
    return { leaf: leafPem, chain, reachesRoot };
  }
}
