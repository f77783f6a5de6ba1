import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CERT_FIELD_MAP, renderFieldTable } from '../../src/pki/cert-fields.js';
import { PRIVATE_ARC, PRIVATE_OIDS } from '../../src/pki/oids.js';
import { TEXT_FIELDS } from '../../src/pki/subscriber-fields.js';

describe('CERT_FIELD_MAP and FIELDS.md', () => {
  it('FIELDS.md contains the table generated from CERT_FIELD_MAP', () => {
    const doc = readFileSync(new URL('../../src/pki/FIELDS.md', import.meta.url), 'utf8');
    expect(doc).toContain(`${renderFieldTable()}\n`);
  });

  it('places every subscriber field exactly once', () => {
    const fields = CERT_FIELD_MAP.map((e) => e.field);
    expect(new Set(fields).size).toBe(fields.length);
    expect([...fields].sort()).toEqual([...TEXT_FIELDS, 'type', 'includeEmail', 'validityYears'].sort());
  });

  it('gives each located field a distinct OID, private ones under the placeholder arc', () => {
    const oids = CERT_FIELD_MAP.map((e) => e.oid).filter((oid) => oid !== null);
    expect(new Set(oids).size).toBe(oids.length);
    for (const entry of CERT_FIELD_MAP.filter((e) => e.location === 'private extension')) {
      expect(entry.oid!.startsWith(`${PRIVATE_ARC}.1.`)).toBe(true);
    }
    expect(new Set(Object.values(PRIVATE_OIDS)).size).toBe(Object.keys(PRIVATE_OIDS).length);
  });
});
