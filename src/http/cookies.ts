/**
 * Browsers send up to about 180 cookies for one site, and a planted set can be ordered ahead of
 * the real one, so the cap lies above that; Node's header size limit bounds it anyway.
 */
const MAX_VALUES = 256;

/**
 * Every value sent under `name`, in order. A browser sends several when a sibling service on the
 * same host (or a parent domain) set a cookie of the same name; reading only the first would let
 * such a planted cookie hide the real one.
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    values.push(value);
    if (values.length === MAX_VALUES) break;
  }
  return values;
}
