import pg from 'pg';
import { ConfigError, redactedUrl, type DatabaseConfig } from '../../config.js';
import { StoreUnavailableError } from '../store.js';

/**
 * SQLSTATE classes and driver codes that mean "the database is not there right now", as opposed
 * to a bug or a constraint: 08 connection exception, 57P01-57P03 shutdown / cannot connect now,
 * 53300 too many connections, 57014 statement timeout (query_canceled).
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57014', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT']);

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown } | null;
  if (!e) return false;
  if (e.code && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  const message = String(e.message ?? '');
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|server closed the connection/i.test(message)) return true;
  // drizzle wraps the driver's error as `cause` ("Failed query: …").
  return e.cause !== undefined && e.cause !== err && isUnavailable(e.cause);
}

/** Rethrows a connection-level failure as StoreUnavailableError (answered 503); anything else as it was. */
export function translateError(err: unknown): never {
  if (err instanceof StoreUnavailableError) throw err;
  if (isUnavailable(err)) {
    const code = (err as { code?: string }).code ?? ((err as { cause?: { code?: string } }).cause?.code ?? 'connection lost');
    throw new StoreUnavailableError(`PostgreSQL unavailable (${code})`);
  }
  throw err;
}

/**
 * The pool every query goes through. node-postgres reads `sslmode` (and the other libpq URL
 * parameters) from the connection string itself; the statement timeout is set per connection,
 * so a query stuck behind a lock fails instead of holding a request for ever.
 */
export function createPool(config: DatabaseConfig): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    statement_timeout: config.statementTimeoutMs,
    // A transaction left idle (a process frozen mid-request) must not hold its locks for ever.
    idle_in_transaction_session_timeout: Math.max(config.statementTimeoutMs * 2, 10_000),
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    application_name: 'uketori',
  });
  // An idle connection the server closed (PostgreSQL restarted) reports here; without a listener
  // node-postgres would crash the process. The pool drops it and connects anew on the next query.
  pool.on('error', () => undefined);
  // A connection cut while checked out (its transaction rolled back by the server) reports on
  // the client itself after the failed query has been answered; unheard, that would also crash.
  // The pool discards such a client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** One round trip at start-up, so an unreachable database is one readable line, not a failed first request. */
export async function checkReachable(pool: pg.Pool, config: DatabaseConfig): Promise<void> {
  try {
    await pool.query('select 1');
  } catch (err) {
    const e = err as { code?: string; message?: string };
    await pool.end().catch(() => undefined);
    throw new ConfigError(`cannot use the database at DATABASE_URL ${redactedUrl(config.url)}: ${e.code ? `${e.code} ` : ''}${String(e.message ?? '').split('\n')[0]}`);
  }
}
