export class PemFormatError extends Error {
  override name = 'PemFormatError';
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export function derToPem(der: Uint8Array, label: string): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** All blocks with the given label, in order, as DER. */
export function pemBlocks(pem: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  for (const match of pem.matchAll(BLOCK)) {
    if (match[1] !== label) continue;
    const body = match[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new PemFormatError(`${label}: invalid base64`);
    out.push(Buffer.from(body, 'base64'));
  }
  return out;
}

export function pemToDer(pem: string, label: string): Buffer {
  const [first] = pemBlocks(pem, label);
  if (!first) throw new PemFormatError(`no ${label} block found`);
  return first;
}
