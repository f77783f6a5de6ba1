import { type Asn1, fromBinary, fromDer } from './der.js';
import { asn1, forgeUtil } from './forge-asn1.js';
import { OIDS, PRIVATE_OIDS } from './oids.js';
import { pemToDer } from './pem.js';

/** The subscriber fields a certificate can hold besides the name, in the order the ready page lists them. */
export const DETAIL_FIELDS = [
  'addressJa', 'birthDate', 'orgName', 'corporateNumber', 'orgRepresentative', 'orgAddress', 'department', 'departmentAddress', 'title',
] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

const SUBJECT_OIDS: Partial<Record<string, DetailField>> = {
  [OIDS.streetAddress]: 'addressJa',
  [OIDS.organizationName]: 'orgName',
  [OIDS.organizationalUnitName]: 'department',
  [OIDS.title]: 'title',
};

const EXTENSION_OIDS: Partial<Record<string, DetailField>> = {
  [PRIVATE_OIDS.corporateNumber]: 'corporateNumber',
  [PRIVATE_OIDS.orgRepresentative]: 'orgRepresentative',
  [PRIVATE_OIDS.orgAddress]: 'orgAddress',
  [PRIVATE_OIDS.departmentAddress]: 'departmentAddress',
};

const kids = (node: Asn1 | undefined): Asn1[] => (node && Array.isArray(node.value) ? node.value : []);
const oidOf = (node: Asn1 | undefined): string => (node && node.type === asn1.Type.OID ? asn1.derToOid(node.value as string) : '');
const text = (node: Asn1): string => (node.type === asn1.Type.UTF8 ? forgeUtil.decodeUtf8(node.value as string) : String(node.value));

/**
 * Reads what the certificate itself says about the subscriber (subject attributes, this CA's
 * private extensions, the date of birth), so the page shows what was signed, not what was asked
 * for. An unreadable certificate yields no details rather than an error page.
 */
export function readSubjectDetails(certPem: string): Partial<Record<DetailField, string>> {
  const out: Partial<Record<DetailField, string>> = {};
  try {
    const tbs = kids(kids(fromDer(pemToDer(certPem, 'CERTIFICATE')))[0]);
    const body = tbs[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? tbs.slice(1) : tbs;
    for (const rdn of kids(body[4])) {
      for (const pair of kids(rdn)) {
        const [type, value] = kids(pair);
        const field = SUBJECT_OIDS[oidOf(type)];
        if (field && value) out[field] = text(value);
      }
    }
    const extWrapper = body.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
    for (const ext of kids(kids(extWrapper)[0])) {
      const parts = kids(ext);
      const id = oidOf(parts[0]);
      const inner = fromDer(fromBinary(parts[parts.length - 1]!.value as string));
      const field = EXTENSION_OIDS[id];
      if (field) out[field] = text(inner);
      if (id === OIDS.subjectDirectoryAttributes) {
        for (const attr of kids(inner)) {
          const [type, values] = kids(attr);
          const first = kids(values)[0];
          if (oidOf(type) === OIDS.dateOfBirth && first) {
            const born = asn1.generalizedTimeToDate(first.value as string);
            out.birthDate = born.toISOString().slice(0, 10);
          }
        }
      }
    }
  } catch {
    return {};
  }
  return out;
}

/** "CN=Demo CA, O=Example, C=JP" -> "Example": an organisation is what a subscriber recognises. */
export function issuerDisplayName(dn: string): string {
  const parts = dn.split(/,\s*(?=[A-Za-z.0-9]+=)/).map((p) => p.split('='));
  const find = (key: string) => parts.find(([k]) => k?.trim().toUpperCase() === key)?.slice(1).join('=').trim();
  return find('O') ?? find('CN') ?? dn;
}
