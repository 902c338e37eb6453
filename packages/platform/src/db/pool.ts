import { Pool, type CustomTypesConfig } from 'pg';
import type { Logger } from '../logger';

export interface DatabasePoolOptions {
  connectionString: string;
  /** Most connections the pool opens. */
  max: number;
  /** Logs idle-connection errors (warn): the pool survives them, but an operator must see them. */
  logger: Logger;
  /** How long a query waits for a connection (pool full or server unreachable) before failing; default 10 s. */
  connectionTimeoutMs?: number;
  /**
   * Longest a single statement may run on the server (PostgreSQL's statement_timeout, so the server cancels it
   * and frees its locks); default 15 s. The saga was once bounded by Prisma's transaction timeouts (10 s wait,
   * 15 s run); without this, a stuck database holds a request, and its connection, forever.
   */
  statementTimeoutMs?: number;
  /**
   * How long a connection may sit idle in the pool before it is closed; default 5 minutes. pg's own default (10 s)
   * closes the whole pool after any lull, and the next burst then pays for new sessions on cold server backends
   * (catalog caches, the service's prepared statements): in the bench, the first second after a 10 s pause had a
   * p99 of ~100 ms instead of ~10 ms. Kept under the 350 s after which common cloud load balancers and NATs drop an
   * idle TCP connection.
   */
  idleTimeoutMs?: number;
  /** Column parsers of this pool's connections (e.g. a faster timestamptz parser); pg's own when unset. */
  types?: CustomTypesConfig;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * The one way a service builds its `pg` pool (shared by Prisma's adapter and the raw SQL of its hot paths).
 * A timeout surfaces as an error that `databaseFailure` (and so the gRPC server) answers UNAVAILABLE or
 * DEADLINE_EXCEEDED, never INTERNAL.
 */
export function createDatabasePool(options: DatabasePoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    idleTimeoutMillis: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    // Sent in the startup packet: every connection has it from its first statement, at no extra round trip.
    statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    ...(options.types ? { types: options.types } : {}),
  });
  // An idle client's error (e.g. the server restarting) must not crash the process: the pool drops that client
  // and the next query connects anew. It is still worth a line: a burst of these is a database going away.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle database connection failed'));
  return pool;
}
