import { count, isNotNull } from 'drizzle-orm';
import type { Db } from './open.js';
import { mailLog, sealedFiles } from './schema.js';

/** How many sealed PKCS#12 files each seal key still protects. */
export function countSealedFilesByKid(db: Db): Map<string, number> {
  const rows = db.select({ kid: sealedFiles.kid, n: count() }).from(sealedFiles).groupBy(sealedFiles.kid).all();
  return new Map(rows.map((r) => [r.kid, r.n]));
}

/** Download URLs kept sealed for `mail --retry`; their key id is in each blob's header. */
export function listSealedMailUrls(db: Db): string[] {
  return db
    .select({ sealedUrl: mailLog.sealedUrl })
    .from(mailLog)
    .where(isNotNull(mailLog.sealedUrl))
    .all()
    .map((r) => r.sealedUrl!);
}
