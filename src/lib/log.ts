import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs. Nothing secret is ever passed to the logger; the redaction list is a second
 * line of defence for fields that must never appear even by mistake.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['password', 'pin', 'token', 'url', 'cookie', 'req.headers.cookie', '*.password', '*.pin', '*.token', '*.privateKey'],
        censor: '[redacted]',
      },
    },
    // Written with write(2) from the event loop: a line is out before the request it records is
    // answered, so a crash loses none, and no thread-pool job is queued per line (pino's default
    // stream writes through the pool, beside argon2, and cost twice the CPU; docs/benchmarks.md).
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
