import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export type ConnectionWatch = { signal: AbortSignal; stop(): void };

/**
 * A signal that fires when the request's connection closes: the client hung up, or the server cut
 * it (shutdown, idle timeout). The socket is watched rather than the request's own signal from
 * @hono/node-server, which fires only for a request whose answer is due next: one pipelined
 * behind it on the same connection never sees it. `stop()` takes the listener off again: a
 * keep-alive socket serves many requests and must not gather one listener per request.
 */
export function watchConnection(c: Context): ConnectionWatch {
  const controller = new AbortController();
  const abort = () => controller.abort();
  // app.request() in unit tests has no socket.
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  socket?.once('close', abort);
  if (socket?.destroyed) abort();
  return { signal: controller.signal, stop: () => void socket?.off('close', abort) };
}
