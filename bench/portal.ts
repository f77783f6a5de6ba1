/** The subscriber's side of a pickup, spoken over HTTP as a browser would. */

export function formHeaders(origin: string, cookie?: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', origin };
  if (cookie !== undefined) headers.cookie = cookie;
  return headers;
}

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  if (res.status !== status) {
    const body = (await res.text()).slice(0, 300);
    throw new Error(`${what}: expected ${status}, got ${res.status}: ${body}`);
  }
}

/** GET the landing page; returns its body size in bytes. */
export async function fetchLanding(url: string): Promise<number> {
  const res = await fetch(url);
  await expectStatus(res, 200, `GET ${url}`);
  return (await res.arrayBuffer()).byteLength;
}

/**
 * POST the password; returns the Cookie header built from whatever Set-Cookie came back. The
 * answer may be the page itself (200) or a redirect to it (303, post/redirect/get).
 */
export async function logIn(url: string, password: string, origin: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: formHeaders(origin),
    body: new URLSearchParams({ password }).toString(),
    redirect: 'manual',
  });
  if (res.status !== 303) await expectStatus(res, 200, `POST ${url} (right password)`);
  await res.arrayBuffer();
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!.trim()).filter(Boolean);
  if (cookies.length === 0) throw new Error(`POST ${url} (right password) set no cookie`);
  return cookies.join('; ');
}

export async function download(url: string, cookie: string, origin: string): Promise<Buffer> {
  const res = await fetch(`${url}/download`, { method: 'POST', headers: formHeaders(origin, cookie), body: '' });
  await expectStatus(res, 200, `POST ${url}/download`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-pkcs12')) throw new Error(`POST ${url}/download returned ${type}, not application/x-pkcs12`);
  return Buffer.from(await res.arrayBuffer());
}

/** The download POST as autocannon sends it: the session cookie, the Origin, an empty form. */
export function downloadTarget(url: string, origin: string, cookie: string): { url: string; method: 'POST'; headers: Record<string, string>; body: string } {
  return { url: `${url}/download`, method: 'POST', headers: { ...formHeaders(origin, cookie), 'content-length': '0' }, body: '' };
}
