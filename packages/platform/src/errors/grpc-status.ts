import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { Any } from '@shop/proto/gen/google/protobuf/any';
import { BadRequest, ErrorInfo, RetryInfo } from '@shop/proto/gen/google/rpc/error_details';
import { Status } from '@shop/proto/gen/google/rpc/status';
import { databaseFailure } from '../db/database-errors';
import { DomainError, type FieldViolation } from './domain-error';

/** The standard trailer grpc-js clients and grpcurl read google.rpc.Status from. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const TYPE_PREFIX = 'type.googleapis.com/';
const INTERNAL_MESSAGE = 'Internal error';

/** What a caller learns from a failed call: the status plus the decoded google.rpc details. */
export interface RemoteError {
  code: status;
  message: string;
  reason: string | undefined;
  domain: string | undefined;
  metadata: Record<string, string>;
  fieldViolations: FieldViolation[];
  retryAfterSeconds: number | undefined;
}

export const grpcStatusName = (code: status): string => status[code] ?? 'UNKNOWN';

// A failure without an ErrorInfo reason came from the gRPC transport, not from a service's decision; grpc-js's
// messages name addresses, load-balancer state and method paths, which clients must not see.
const TRANSPORT_MESSAGES: Partial<Record<status, string>> = {
  [status.UNAVAILABLE]: 'A service needed for this request is unavailable; try again later',
  [status.DEADLINE_EXCEEDED]: 'A service needed for this request did not answer in time',
  [status.CANCELLED]: 'The request was cancelled',
  [status.UNIMPLEMENTED]: 'This operation is not implemented',
  [status.RESOURCE_EXHAUSTED]: 'The request exceeded a limit',
};

/** The message a client may see for a failed call: a service's own words, or a generic one for transport failures. */
export function publicMessage(error: Pick<RemoteError, 'code' | 'message' | 'reason'>): string {
  if (error.reason !== undefined) return error.message;
  return TRANSPORT_MESSAGES[error.code] ?? error.message;
}

function pack(typeName: string, value: Uint8Array): Any {
  return { typeUrl: TYPE_PREFIX + typeName, value };
}

/**
 * Turns anything a handler threw into the error grpc-js sends. DomainErrors keep their code, message and
 * details; a database timeout or outage becomes DEADLINE_EXCEEDED or UNAVAILABLE (see databaseFailure); everything
 * else becomes INTERNAL with a generic message (the caller logs the original).
 */
export function toServiceError(error: unknown, domain: string): Partial<ServiceError> & { code: status } {
  if (isRemoteServiceError(error)) {
    // An upstream service failed and this service has no better answer: pass its status through,
    // but never INTERNAL details from another process.
    const remote = parseServiceError(error);
    if (remote.code === status.INTERNAL || remote.code === status.UNKNOWN) return internal();
    return encode(remote.code, publicMessage(remote), {
      reason: remote.reason, domain: remote.domain ?? domain, metadata: remote.metadata,
      fieldViolations: remote.fieldViolations, retryAfterSeconds: remote.retryAfterSeconds,
    });
  }
  // A database that timed out or went away is no bug of this service: a retriable status, still without internals.
  const decided = error instanceof DomainError ? error : databaseFailure(error);
  if (decided === undefined) return internal();
  return encode(decided.code, decided.message, {
    reason: decided.reason, domain, metadata: decided.metadata,
    fieldViolations: decided.fieldViolations, retryAfterSeconds: decided.retryAfterSeconds,
  });
}

function internal(): Partial<ServiceError> & { code: status } {
  return encode(status.INTERNAL, INTERNAL_MESSAGE, { reason: 'INTERNAL', domain: 'shop', metadata: {}, fieldViolations: [] });
}

interface Details {
  reason: string | undefined;
  domain: string;
  metadata: Record<string, string>;
  fieldViolations: FieldViolation[];
  retryAfterSeconds?: number | undefined;
}

function encode(code: status, message: string, details: Details): Partial<ServiceError> & { code: status } {
  const packed: Any[] = [];
  if (details.reason) {
    packed.push(pack('google.rpc.ErrorInfo', ErrorInfo.encode({ reason: details.reason, domain: details.domain, metadata: details.metadata }).finish()));
  }
  if (details.fieldViolations.length > 0) {
    packed.push(pack('google.rpc.BadRequest', BadRequest.encode({ fieldViolations: details.fieldViolations }).finish()));
  }
  if (details.retryAfterSeconds !== undefined) {
    const seconds = Math.max(0, Math.ceil(details.retryAfterSeconds));
    packed.push(pack('google.rpc.RetryInfo', RetryInfo.encode({ retryDelay: { seconds: BigInt(seconds), nanos: 0 } }).finish()));
  }
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(Status.encode({ code, message, details: packed }).finish()));
  return { code, details: message, message, metadata };
}

/** True for errors that came back from a gRPC call (as opposed to local exceptions). */
export function isRemoteServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceError>).code === 'number' &&
    (error as Partial<ServiceError>).metadata instanceof Metadata
  );
}

/** Decodes a failed call's status and google.rpc details (ErrorInfo, BadRequest, RetryInfo). */
export function parseServiceError(error: ServiceError): RemoteError {
  const result: RemoteError = {
    code: error.code,
    message: error.details || grpcStatusName(error.code),
    reason: undefined,
    domain: undefined,
    metadata: {},
    fieldViolations: [],
    retryAfterSeconds: undefined,
  };
  const raw = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!Buffer.isBuffer(raw)) return result;
  try {
    const decoded = Status.decode(raw);
    for (const any of decoded.details) {
      const typeName = any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1);
      if (typeName === 'google.rpc.ErrorInfo') {
        const info = ErrorInfo.decode(any.value);
        result.reason = info.reason || undefined;
        result.domain = info.domain || undefined;
        result.metadata = info.metadata;
      } else if (typeName === 'google.rpc.BadRequest') {
        result.fieldViolations = BadRequest.decode(any.value).fieldViolations;
      } else if (typeName === 'google.rpc.RetryInfo') {
        const delay = RetryInfo.decode(any.value).retryDelay;
        if (delay) result.retryAfterSeconds = Number(delay.seconds) + delay.nanos / 1e9;
      }
    }
  } catch {
    // Malformed details from a foreign server: the status code and message still stand.
  }
  return result;
}
