import type { Deps } from '../deps.js';
import type { P12Profile } from '../pki/p12.js';
import type { Mailing } from '../pki/profiles.js';
import { createPickup, type IssuedPickup } from './create-pickup.js';
import type { CheckedImport } from './import-check.js';

/** What staff add to an imported key and certificate: where mail and letters go, and the file's profile. */
export type ImportHolder = { email: string | null; nameJa: string | null; mailing: Mailing; p12Profile: P12Profile };

/**
 * A pickup for a key and certificate from another CA that passed checkImport: `import` and
 * `import --batch` both end here. The subscriber's name is the certificate's CN, and the 30 days
 * run from the issuance date checkImport settled, never past the certificate's notAfter.
 */
export function importPickup(deps: Deps, material: CheckedImport, holder: ImportHolder): Promise<IssuedPickup> {
  return createPickup(deps, {
    keyPem: material.keyPem,
    certPem: material.certPem,
    chainPems: material.chainPems,
    certType: 'imported',
    nameRomaji: material.name,
    nameJa: holder.nameJa,
    email: holder.email,
    applicationCode: holder.mailing.applicationCode ?? null,
    mailing: Object.keys(holder.mailing).length > 0 ? holder.mailing : null,
    issuedAt: material.issuedAt,
    p12Profile: holder.p12Profile,
  });
}
