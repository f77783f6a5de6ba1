import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export type ConnectionWatch = { signal: AbortSignal; stop(): void };

/**
 * A signal that fires when the request's connection closes: the client hung up, or the server cut
 * it (shutdown, idle timeout). The request's own signal from @hono/node-server fires only for a
 * request whose answer is due next; one pipelined behind it on the same connection never sees
 * it, so the socket's close is watched as well. `stop()` takes the listeners off again: a
 * keep-alive socket serves many requests and must not gather one listener per request.
 */
export function watchConnection(c: Context): ConnectionWatch {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const request = c.req.raw.signal;
  // app.request() in unit tests has no socket.
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  request.addEventListener('abort', abort, { once: true });
  socket?.once('close', abort);
  if (request.aborted || socket?.destroyed) abort();
  return {
    signal: controller.signal,
    stop: () => {
      request.removeEventListener('abort', abort);
      socket?.off('close', abort);
    },
  };
}
