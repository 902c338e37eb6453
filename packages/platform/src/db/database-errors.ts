import { status } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-error';

// SQLSTATEs and socket codes that mean "the database could not do it now", not "this request is wrong".
const STATEMENT_TIMEOUT = '57014'; // query_canceled: statement_timeout (or a cancel request)
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']); // shutdowns, cannot connect now, too many connections
const CONNECTION_EXCEPTION_CLASS = '08';
// ...except protocol_violation: a client bug that no retry fixes, so it must stay INTERNAL and not feed retries.
const PROTOCOL_VIOLATION = '08P01';
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// pg and pg-pool raise these as plain Errors without a code.
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
];
// What @prisma/adapter-pg makes of socket errors (meta.driverAdapterError.cause.kind).
const UNAVAILABLE_ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

type Kind = 'timeout' | 'unavailable';

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function kindOf(error: unknown): Kind | undefined {
  const code = field(error, 'code') ?? field(error, 'originalCode');
  if (code === STATEMENT_TIMEOUT) return 'timeout';
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || SOCKET_CODES.has(code) || (code.length === 5 && code.startsWith(CONNECTION_EXCEPTION_CLASS) && code !== PROTOCOL_VIOLATION))) {
    return 'unavailable';
  }
  const kind = field(error, 'kind');
  if (typeof kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(kind)) return 'unavailable';
  const message = field(error, 'message');
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((text) => message.startsWith(text))) return 'unavailable';
  return undefined;
}

/** The error, what it wraps (cause) and, for Prisma's errors, the driver adapter's error and its cause. */
function* chain(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    yield current;
    const adapterError = field(field(current, 'meta'), 'driverAdapterError');
    if (adapterError !== undefined) {
      yield adapterError;
      yield field(adapterError, 'cause');
    }
    current = field(current, 'cause');
  }
}

/**
 * The answer for a database failure that is no fault of the request: a statement cut by statement_timeout is
 * DEADLINE_EXCEEDED (DATABASE_TIMEOUT), an unreachable, restarting or saturated server is UNAVAILABLE
 * (DATABASE_UNAVAILABLE). Both are retriable and carry no internals (SQL, hosts). Anything else: undefined.
 * Reads pg's errors, pg-pool's, and Prisma's wrappers of them (meta.driverAdapterError).
 */
export function databaseFailure(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return undefined;
  for (const link of chain(error)) {
    const kind = kindOf(link);
    if (kind === 'timeout') {
      return new DomainError(status.DEADLINE_EXCEEDED, 'The database did not answer in time; try again', {
        reason: 'DATABASE_TIMEOUT', retryAfterSeconds: 1, cause: error,
      });
    }
    if (kind === 'unavailable') {
      return new DomainError(status.UNAVAILABLE, 'The database is unavailable; try again later', {
        reason: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 1, cause: error,
      });
    }
  }
  return undefined;
}
