/**
 * An error's message, fit for a log line or a terminal. drizzle wraps a failed query as "Failed
 * query: <sql>\nparams: <every bound value>", and those values are what the database stores:
 * password hashes, sealed files, e-mail addresses, token hashes. Only the driver's own message
 * (the database's reason, with no values in it) is kept.
 */
export function errorMessage(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown } } | null;
  const message = String(e?.message ?? err);
  if (!message.startsWith('Failed query:')) return message;
  const reason = e?.cause?.message;
  return `a database query failed: ${typeof reason === 'string' ? reason.split('\n')[0] : 'no reason given'}`;
}
