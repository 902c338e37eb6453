import { status } from '@grpc/grpc-js';

/** A violation of one request field, reported to clients as google.rpc.BadRequest. */
export interface FieldViolation {
  field: string;
  description: string;
}

export interface DomainErrorOptions {
  /** Machine-readable cause in UPPER_SNAKE_CASE, sent as google.rpc.ErrorInfo.reason. */
  reason?: string;
  /** Extra facts for the client (ErrorInfo.metadata), e.g. the ids that were out of stock. Never secrets. */
  metadata?: Record<string, string>;
  fieldViolations?: FieldViolation[];
  /** For RESOURCE_EXHAUSTED / UNAVAILABLE: when the client may try again (google.rpc.RetryInfo). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * An expected failure that domain logic decides on. Its message is written for the client and is sent as is;
 * anything that is not a DomainError reaches clients only as a generic INTERNAL.
 */
export class DomainError extends Error {
  readonly code: status;
  readonly reason: string | undefined;
  readonly metadata: Record<string, string>;
  readonly fieldViolations: FieldViolation[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: status, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.reason = options.reason;
    this.metadata = options.metadata ?? {};
    this.fieldViolations = options.fieldViolations ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const invalidArgument = (message: string, fieldViolations: FieldViolation[] = [], reason = 'INVALID_ARGUMENT') =>
  new DomainError(status.INVALID_ARGUMENT, message, { reason, fieldViolations });

export const notFound = (message: string, metadata?: Record<string, string>) =>
  new DomainError(status.NOT_FOUND, message, { reason: 'NOT_FOUND', metadata });

export const alreadyExists = (message: string, reason = 'ALREADY_EXISTS') =>
  new DomainError(status.ALREADY_EXISTS, message, { reason });

export const failedPrecondition = (reason: string, message: string, metadata?: Record<string, string>) =>
  new DomainError(status.FAILED_PRECONDITION, message, { reason, metadata });

export const aborted = (reason: string, message: string) => new DomainError(status.ABORTED, message, { reason });

export const unauthenticated = (message = 'Authentication is required') =>
  new DomainError(status.UNAUTHENTICATED, message, { reason: 'UNAUTHENTICATED' });

export const permissionDenied = (message = 'You do not have permission to do this') =>
  new DomainError(status.PERMISSION_DENIED, message, { reason: 'PERMISSION_DENIED' });

export const resourceExhausted = (reason: string, message: string, retryAfterSeconds: number) =>
  new DomainError(status.RESOURCE_EXHAUSTED, message, { reason, retryAfterSeconds });

export const unavailable = (reason: string, message: string, retryAfterSeconds?: number) =>
  new DomainError(status.UNAVAILABLE, message, { reason, retryAfterSeconds });

export const deadlineExceeded = (message = 'The operation did not finish in time') =>
  new DomainError(status.DEADLINE_EXCEEDED, message, { reason: 'DEADLINE_EXCEEDED' });
