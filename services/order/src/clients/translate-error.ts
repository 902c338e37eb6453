import { status } from '@grpc/grpc-js';
import { isRemoteServiceError, parseServiceError } from '@shop/platform';
import { DependencyRefusedError, DependencyUnavailableError, type Dependency } from '../domain/dependency-errors';

// The callee may be unwell and the request may or may not have taken effect.
const TRANSIENT = new Set<status>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.UNKNOWN, status.INTERNAL, status.RESOURCE_EXHAUSTED]);
// Not an answer about the order: our own credentials were refused (an expired or rotated service token), or an
// earlier attempt with the same idempotency key is still running. Either clears up by itself, so the saga
// waits for recovery instead of treating them as final refusals.
const TRANSIENT_REFUSALS = new Set<status>([status.UNAUTHENTICATED, status.PERMISSION_DENIED]);
const TRANSIENT_REASONS = new Set<string>(['REQUEST_IN_PROGRESS']);

/** Turns a failed gRPC call into the saga's vocabulary; anything that is not a gRPC failure is rethrown. */
export function translateCallError(dependency: Dependency, error: unknown): never {
  if (!isRemoteServiceError(error)) throw error;
  const remote = parseServiceError(error);
  if (TRANSIENT.has(remote.code) || TRANSIENT_REFUSALS.has(remote.code) || TRANSIENT_REASONS.has(remote.reason ?? '')) {
    // Both fail before anything is sent: an open breaker, and a deadline already spent before the call.
    const notSent = remote.reason === 'CIRCUIT_OPEN' || remote.message.startsWith('Deadline exceeded before calling');
    throw new DependencyUnavailableError(dependency, `${dependency}: ${remote.message}`, {
      notSent, retryAfterSeconds: remote.retryAfterSeconds, cause: error,
    });
  }
  throw new DependencyRefusedError(dependency, {
    code: remote.code, message: remote.message, reason: remote.reason, metadata: remote.metadata, fieldViolations: remote.fieldViolations,
  });
}

/** Runs one call and translates its failure. */
export async function call<T>(dependency: Dependency, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    return translateCallError(dependency, error);
  }
}
