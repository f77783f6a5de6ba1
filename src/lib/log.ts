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
    destination,
  );
}
