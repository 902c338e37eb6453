import { status } from '@grpc/grpc-js';
import { grpcStatusName, publicMessage, type RemoteError } from './grpc-status';

/** The one table from gRPC status to HTTP status. Anything not listed is 500. */
export const HTTP_STATUS_BY_GRPC_CODE: Readonly<Partial<Record<status, number>>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.FAILED_PRECONDITION]: 400,
  [status.OUT_OF_RANGE]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.ABORTED]: 409,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.CANCELLED]: 499,
  [status.UNIMPLEMENTED]: 501,
  [status.UNAVAILABLE]: 503,
  [status.DEADLINE_EXCEEDED]: 504,
};

/**
 * Reasons whose HTTP meaning is more specific than their gRPC code's. Kept beside the table so that the
 * mapping stays in one place.
 */
export const HTTP_STATUS_BY_REASON: Readonly<Record<string, number>> = {
  // Same Idempotency-Key with a different body (draft-ietf-httpapi-idempotency-key-header).
  IDEMPOTENCY_KEY_REUSED: 422,
};

/** Seconds a client is told to wait on 503 when the server gave no better figure. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** RFC 9457 problem details, as the edge sends them (application/problem+json). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The gRPC status name, e.g. "FAILED_PRECONDITION". */
  code: string;
  reason?: string;
  /** ErrorInfo metadata, e.g. { productIds: "..." }. */
  metadata?: Record<string, string>;
  errors?: Array<{ field: string; description: string }>;
  instance?: string;
  requestId?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 499: 'Client Closed Request', 500: 'Internal Server Error',
  501: 'Not Implemented', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export const httpTitle = (httpStatus: number): string => TITLES[httpStatus] ?? 'Error';

export function httpStatusFor(error: Pick<RemoteError, 'code' | 'reason'>): number {
  if (error.reason && HTTP_STATUS_BY_REASON[error.reason] !== undefined) return HTTP_STATUS_BY_REASON[error.reason]!;
  return HTTP_STATUS_BY_GRPC_CODE[error.code] ?? 500;
}

export interface HttpProblem {
  status: number;
  body: ProblemDetails;
  /** Retry-After header value in whole seconds, where the client should wait. */
  retryAfterSeconds: number | undefined;
}

/** Builds the HTTP answer for a failed gRPC call. A 500 never carries the upstream message. */
export function problemFromRemoteError(error: RemoteError): HttpProblem {
  const httpStatus = httpStatusFor(error);
  const internal = httpStatus === 500;
  const body: ProblemDetails = {
    type: 'about:blank',
    title: httpTitle(httpStatus),
    status: httpStatus,
    detail: internal ? 'An unexpected error occurred' : publicMessage(error),
    code: internal ? 'INTERNAL' : grpcStatusName(error.code),
  };
  if (!internal && error.reason) body.reason = error.reason;
  if (!internal && Object.keys(error.metadata).length > 0) body.metadata = error.metadata;
  if (!internal && error.fieldViolations.length > 0) body.errors = error.fieldViolations;
  let retryAfterSeconds = error.retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterSeconds));
  if (httpStatus === 503 && retryAfterSeconds === undefined) retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
  if (httpStatus !== 503 && httpStatus !== 429) retryAfterSeconds = undefined;
  return { status: httpStatus, body, retryAfterSeconds };
}
