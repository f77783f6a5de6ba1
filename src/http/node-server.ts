import http from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener, RequestError } from '@hono/node-server';
import { createApp } from '../app.js';
import type { Deps } from '../deps.js';
import { errorMessage } from '../lib/error-message.js';
import { securityHeaderList, setSecurityHeaders } from './security-headers.js';

export type ServerTimeouts = {
  /** The whole request head must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket that moves no byte either way for this long is closed (a client that stops reading). */
  socketIdleMs: number;
};

export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketIdleMs: 30_000,
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** A host name, IPv4 or bracketed IPv6 address, and an optional port: nothing that could carry a path. */
const VALID_HOST = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export type PortalServer = http.Server & {
  /** Requests whose handler has not finished yet. */
  readonly handling: number;
};

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/**
 * The app as a Node request listener: the Host checked, the security headers set on every
 * response before the app runs, and the adapter's own failures answered without an error message.
 */
export function portalListener(deps: Deps): Listener {
  const headers = securityHeaderList(deps.config.secure);
  const plain = (status: number): Response =>
    new Response(REASONS[status] ?? 'Error', {
      status,
      headers: [...headers, ['Content-Type', 'text/plain; charset=utf-8'], ['Cache-Control', 'no-store']],
    });
  const listener = getRequestListener(createApp(deps).fetch, {
    errorHandler: (err) => {
      if (err instanceof RequestError) return plain(400);
      deps.log.error({ err: { name: (err as Error).name, message: errorMessage(err) } }, 'request failed outside the app');
      return plain(500);
    },
  });
  return async (req, res) => {
    // The adapter builds the request URL from Host, and a Host of one backslash moves the path the
    // app routes on away from the path that was asked for. Nothing else here ever reads Host.
    if (!VALID_HOST.test(req.headers.host ?? '')) {
      res.writeHead(400, { ...Object.fromEntries(headers), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
      res.end(REASONS[400]);
      return;
    }
    setSecurityHeaders(res, req.url ?? '', headers);
    await listener(req, res);
  };
}

/**
 * The HTTP server around the app: Node's timeouts set, and the answers Node or the adapter write
 * before the app runs (malformed request, bad Host, timeout, oversized head) carry the security
 * headers and never an error message.
 */
export function createPortalServer(deps: Deps, timeouts: ServerTimeouts = SERVER_TIMEOUTS): PortalServer {
  const headers = securityHeaderList(deps.config.secure);
  const listener = portalListener(deps);
  let handling = 0;
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeoutMs),
    },
    (req, res) => {
      if (!server.listening) res.setHeader('Connection', 'close');
      handling++;
      void listener(req, res).finally(() => handling--);
    },
  ) as PortalServer;
  Object.defineProperty(server, 'handling', { get: () => handling });
  server.timeout = timeouts.socketIdleMs;

  const head = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
  // No body, as Node's own answers: the request may have been a HEAD, which expects none.
  const refuse = (socket: Socket, status: number) => {
    socket.write(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${head}Cache-Control: no-store\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    socket.destroySoon();
  };
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.writable && socket.bytesWritten === 0 && err.code !== 'ECONNRESET') {
      refuse(socket, err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400);
    } else {
      socket.destroy();
    }
  });
  // Node would drop a CONNECT without a word; this is no proxy.
  server.on('connect', (_req: http.IncomingMessage, socket: Socket) => refuse(socket, 405));
  return server;
}
