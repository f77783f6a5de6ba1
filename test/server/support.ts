import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { expect } from 'vitest';

export { STACK_TRACE } from '../../scripts/fuzz.js';

export type RawResponse = { status: number; headers: Record<string, string>; body: Buffer; raw: Buffer };

/** Splits one HTTP/1.1 response (Content-Length or up to the close) into status, headers and body. */
export function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'];
  const rest = raw.subarray(end + 4);
  return { status: Number(statusLine!.split(' ')[1]), headers, body: length === undefined ? rest : rest.subarray(0, Number(length)), raw };
}

/** A connection on which the test writes exactly the bytes it wants, as a misbehaving client would. */
export function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    connected,
    write: (text: string | Buffer) => new Promise<void>((resolve) => socket.write(text, () => resolve())),
    /** Everything the server sent, once it closed the connection. */
    response: async (): Promise<RawResponse> => {
      await closed;
      return parseResponse(Buffer.concat(chunks));
    },
  };
}

/** Sends one request (`Connection: close` is the caller's job) and reads the answer. */
export async function rawRequest(port: number, text: string | Buffer): Promise<RawResponse> {
  const conn = rawConnection(port);
  await conn.connected;
  await conn.write(text);
  return conn.response();
}

/** Polls until `done()` holds; fails naming `what` after `ms`. For state no event announces. */
export async function until(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`still waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** What every response must carry, whoever wrote it. */
export function expectSecurityHeaders(res: { headers: Record<string, unknown> }, what: string): void {
  expect(res.headers['content-security-policy'], what).toContain("default-src 'none'");
  expect(res.headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['referrer-policy'], what).toBe('no-referrer');
}
