import { Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import CircuitBreaker from 'opossum';
import { DomainError } from '../errors/domain-error';
import { isRemoteServiceError, toServiceError } from '../errors/grpc-status';
import type { Logger } from '../logger';
import { clientSpanMethod, endClientSpan, startClientSpan } from '../telemetry/client-span';
import { breakerState, registerBreaker, unregisterBreaker } from './breaker-registry';
import type { AnyMethodDefinition } from './method-types';

export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** Calls in the window before the percentage is judged. */
  volumeThreshold?: number;
  rollingCountTimeoutMs?: number;
  /** Time an open breaker waits before letting one trial call through. */
  resetTimeoutMs?: number;
}

/**
 * What a call breaker wraps: one attempt of a call, given its metadata, its deadline (epoch ms), attempt number and
 * the caller's abort signal, if any (see cancelledByCaller).
 */
export type CallAction<R> = (request: unknown, metadata: Metadata, deadline: number, attempt: number, signal: AbortSignal | undefined) => Promise<R>;
export type CallArgs = Parameters<CallAction<unknown>>;
/** A failure that counted against the breaker, with the call's arguments: settle it (retry) or rethrow it. */
export type CountedFailureHandler<R> = (error: unknown, ...args: CallArgs) => Promise<R>;

export interface CallBreakerOptions<R> {
  /** "<service>.<method>": the breaker's name in logs and breakerSnapshots. */
  name: string;
  /** The callee, e.g. "payment": the breaker's group, and named in the CIRCUIT_OPEN error. */
  service: string;
  logger: Logger;
  settings?: BreakerOptions;
  /** Rethrows when not given. */
  onCountedFailure?: CountedFailureHandler<R>;
}

/** Statuses that are the callee's answer about the request, not a sign that the callee is unwell. */
const BUSINESS_CODES = new Set<status>([
  status.OK,
  status.CANCELLED,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.PERMISSION_DENIED,
  status.FAILED_PRECONDITION,
  status.ABORTED,
  status.OUT_OF_RANGE,
  status.UNAUTHENTICATED,
  status.RESOURCE_EXHAUSTED,
  // The callee runs but lacks the method (an older version): retrying harder will not help, and it is not unwell.
  status.UNIMPLEMENTED,
]);

export const isBusinessError = (error: unknown): boolean =>
  isRemoteServiceError(error) && BUSINESS_CODES.has(error.code);

/** A DomainError as the ServiceError a remote callee would have answered with. */
export function toCallError(domainError: DomainError, domain: string): ServiceError {
  const mapped = toServiceError(domainError, domain);
  return Object.assign(new Error(domainError.message), {
    code: mapped.code,
    details: domainError.message,
    metadata: mapped.metadata ?? new Metadata(),
  });
}

const rethrow = (error: unknown): Promise<never> => Promise.reject(error);

/**
 * What a caller gets for a call it cancelled (CallOptions.signal), before it was sent or while it waited: CANCELLED,
 * as grpc-js answers a call cancelled on the way, with reason CANCELLED. CANCELLED is a business code: no failure
 * for a breaker, but for a half-open breaker's trial (see createCallBreaker's errorFilter).
 */
export function cancelledByCaller(name: string, domain: string): ServiceError {
  return toCallError(new DomainError(status.CANCELLED, `${name} was cancelled by its caller`, { reason: 'CANCELLED' }), domain);
}

const NOTHING_TO_STOP = (): void => undefined;

/**
 * Calls `cancel` when `signal` aborts (at once if it already has), until the returned function is called once the
 * call ended: the listener must not outlive the call, since a long-lived signal (a watcher's) serves many calls.
 */
export function cancelOnAbort(signal: AbortSignal | undefined, cancel: () => void): () => void {
  if (!signal) return NOTHING_TO_STOP;
  if (signal.aborted) {
    cancel();
    return NOTHING_TO_STOP;
  }
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/**
 * The action of a unary method: one grpc-js unary request on `channel`, traced by a CLIENT span of its own (one
 * per attempt, as the gRPC instrumentation made them; see client-span.ts). Settled once per method, so that a call
 * costs the request and its span and nothing more.
 */
export function unaryCallAction(channel: Client, method: AnyMethodDefinition): CallAction<unknown> {
  const { path, requestSerialize, responseDeserialize } = method;
  const spanMethod = clientSpanMethod(path, channel.getChannel().getTarget());
  return (request, metadata, deadline, _attempt, signal) =>
    new Promise<unknown>((resolve, reject) => {
      const span = startClientSpan(spanMethod, metadata);
      try {
        let stopListening = NOTHING_TO_STOP;
        const call = channel.makeUnaryRequest(path, requestSerialize, responseDeserialize, request, metadata, { deadline }, (error, response) => {
          stopListening();
          // The caller's own cancel is no failure of the call: CANCELLED, without an error status.
          if (error && signal?.aborted && error.code === status.CANCELLED) endClientSpan(span, undefined, status.CANCELLED);
          else endClientSpan(span, error ?? undefined);
          if (error) reject(error);
          else resolve(response);
        });
        if (signal) stopListening = cancelOnAbort(signal, () => call.cancel());
      } catch (error) {
        // Thrown before the request left (the executor's throw rejects the promise): the span still ends.
        endClientSpan(span, error instanceof Error ? error : { message: String(error) });
        throw error;
      }
    });
}

/**
 * The circuit breaker of one (service, method), as every service client builds it: opossum around `action`,
 * registered for breakerSnapshots, its state changes logged. Business errors never count against it; an open
 * breaker fails fast as UNAVAILABLE (reason CIRCUIT_OPEN) without calling the action. Close it with
 * closeCallBreaker.
 */
export function createCallBreaker<R>(action: CallAction<R>, options: CallBreakerOptions<R>): CircuitBreaker<CallArgs, R> {
  const { name, service, logger } = options;
  const settings = options.settings ?? {};
  const resetTimeout = settings.resetTimeoutMs ?? 5_000;
  const breaker: CircuitBreaker<CallArgs, R> = new CircuitBreaker<CallArgs, R>(action, {
    name,
    group: service,
    // The gRPC deadline bounds each call; a second timer in the breaker would only race it.
    timeout: false,
    errorThresholdPercentage: settings.errorThresholdPercentage ?? 50,
    volumeThreshold: settings.volumeThreshold ?? 5,
    rollingCountTimeout: settings.rollingCountTimeoutMs ?? 10_000,
    resetTimeout,
    // A call its own caller cancelled gave no verdict on the callee, and CANCELLED is a business code: no failure.
    // Except as a half-open breaker's trial, where a success would close the breaker on a callee never heard
    // from: there it counts as a failed trial, and the breaker stays open until the next one.
    // Opossum hands the filter the call's arguments after the error; the fifth is the caller's signal.
    errorFilter: (error: unknown, ...args: unknown[]) => isBusinessError(error) && !(breaker.halfOpen && (args[4] as AbortSignal | undefined)?.aborted === true),
    // Only the counts decide and are reported (breakerSnapshots): no per-call latency list to keep and sort,
    // and no timer summing the window every second for 'snapshot' events nobody listens to.
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  });
  const logState = () => logger.warn({ breaker: name, state: breakerState(breaker) }, 'circuit breaker state changed');
  let openedAt = 0;
  breaker.on('open', () => {
    openedAt = Date.now();
    logState();
  });
  breaker.on('halfOpen', logState);
  breaker.on('close', logState);

  const onCountedFailure = options.onCountedFailure ?? rethrow;
  const domain = `shop.${service}`;
  // Opossum calls the fallback for the failures that count against the breaker (after counting them) and for
  // calls an open breaker refused, never for business errors, which reach the caller as they are. Handling
  // those failures here keeps the successful path to the breaker's own promise, with no wrapper around it.
  breaker.fallback(async (request: unknown, metadata: Metadata, deadline: number, attempt: number, signal: AbortSignal | undefined, error: unknown) => {
    if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
      throw toCallError(
        new DomainError(status.UNAVAILABLE, `The ${service} service is unavailable, try again later`, {
          reason: 'CIRCUIT_OPEN',
          metadata: { service },
          retryAfterSeconds: Math.max(1, Math.ceil((openedAt + resetTimeout - Date.now()) / 1000)),
        }),
        domain,
      );
    }
    return onCountedFailure(error, request, metadata, deadline, attempt, signal);
  });
  registerBreaker(name, breaker);
  return breaker;
}

/** Stops the breaker's timers and removes it from breakerSnapshots. */
export function closeCallBreaker(name: string, breaker: CircuitBreaker<CallArgs, unknown>): void {
  breaker.shutdown();
  unregisterBreaker(name, breaker);
}
