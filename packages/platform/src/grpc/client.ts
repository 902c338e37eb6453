import { Client, credentials, Metadata, status, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { context, propagation } from '@opentelemetry/api';
import CircuitBreaker from 'opossum';
import { DomainError } from '../errors/domain-error';
import { isRemoteServiceError, toServiceError } from '../errors/grpc-status';
import type { Logger } from '../logger';
import { AUTHORIZATION_HEADER, currentRequestContext, REQUEST_ID_HEADER } from '../request-context';
import { breakerState, registerBreaker, unregisterBreaker } from './breaker-registry';
import type { AnyServiceDefinition, RequestOf, ResponseOf, ServerStreamKeys, UnaryKeys } from './method-types';
import { openResponseStream, type ResponseStream } from './response-stream';

export interface CallOptions {
  /** Overrides the method's default deadline (still capped by the incoming call's remaining deadline). For a
   * server-streaming call, it bounds the whole stream. */
  deadlineMs?: number;
  /** Overrides the forwarded caller's authorization; null sends none. */
  authorization?: string | null;
}

export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** Calls in the window before the percentage is judged. */
  volumeThreshold?: number;
  rollingCountTimeoutMs?: number;
  /** Time an open breaker waits before letting one trial call through. */
  resetTimeoutMs?: number;
}

export interface ServiceClientOptions<D extends AnyServiceDefinition> {
  /** Short peer name for breaker names and logs, e.g. "payment". */
  service: string;
  /** host:port, or a gRPC target such as dns:///payment:50054 (spread over all addresses, round robin). */
  target: string;
  logger: Logger;
  /** Deadline of a unary call (2 s unless set). */
  defaultDeadlineMs?: number;
  /** Per method; a server-streaming method without one gets 5 minutes for the whole stream. */
  deadlinesMs?: Partial<Record<keyof D, number>>;
  /** Methods that are safe to send twice; only these are retried, and only on UNAVAILABLE. */
  idempotentMethods?: ReadonlyArray<keyof D>;
  maxRetries?: number;
  breaker?: BreakerOptions;
  channelOptions?: ChannelOptions;
}

export type ServiceClient<D extends AnyServiceDefinition> = {
  [K in UnaryKeys<D>]: (request: RequestOf<D[K]>, options?: CallOptions) => Promise<ResponseOf<D[K]>>;
} & {
  /** Settles once the stream's first message arrived (see openResponseStream); never retried. */
  [K in ServerStreamKeys<D>]: (request: RequestOf<D[K]>, options?: CallOptions) => Promise<ResponseStream<ResponseOf<D[K]>>>;
} & {
  /** Closes the channel; calls afterwards fail. */
  close(): void;
};

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

const metadataSetter = {
  set(carrier: Metadata, key: string, value: string) {
    carrier.set(key, value);
  },
};

/** The channel settings of every service client (ServiceClientOptions.channelOptions adds to them). */
export const SERVICE_CHANNEL_OPTIONS: Readonly<ChannelOptions> = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  // Channelz keeps per-call counters and traces for a debugging service nobody here serves: pure per-call cost.
  'grpc.enable_channelz': 0,
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};

/** A stream's deadline bounds the whole stream, so its default is long; a watcher opens a new one before it passes. */
const DEFAULT_STREAM_DEADLINE_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function toError(domainError: DomainError, domain: string): ServiceError {
  const mapped = toServiceError(domainError, domain);
  return Object.assign(new Error(domainError.message), {
    code: mapped.code,
    details: domainError.message,
    metadata: mapped.metadata ?? new Metadata(),
  });
}

/**
 * The one way to call another service: every call gets a deadline (the caller's remaining one when there is
 * one, else the method default), the request id, the caller's authorization and the trace context, and goes
 * through an opossum breaker per (service, method). Business errors never trip a breaker; an open breaker fails
 * fast as UNAVAILABLE (reason CIRCUIT_OPEN) without touching the network; idempotent methods are retried on
 * UNAVAILABLE while the deadline allows.
 */
export function createServiceClient<D extends AnyServiceDefinition>(
  definition: D,
  options: ServiceClientOptions<D>,
): ServiceClient<D> {
  const channelOptions: ChannelOptions = { ...SERVICE_CHANNEL_OPTIONS, ...options.channelOptions };
  const channel = new Client(options.target, credentials.createInsecure(), channelOptions);
  const defaultDeadline = options.defaultDeadlineMs ?? 2_000;
  const maxRetries = options.maxRetries ?? 2;
  const idempotent = new Set<keyof D>(options.idempotentMethods ?? []);
  const breakerSettings = options.breaker ?? {};
  const domain = `shop.${options.service}`;
  const client: Record<string, unknown> = {};
  const created: Array<[string, CircuitBreaker]> = [];

  for (const key of Object.keys(definition) as Array<keyof D & string>) {
    const method = definition[key]!;
    // Client-streaming methods have no caller in this system.
    if (method.requestStream) continue;
    const name = `${options.service}.${key}`;
    // Everything that does not depend on the call is settled once, here, not on every call.
    const { path, requestSerialize, responseDeserialize } = method;
    const methodDeadline = options.deadlinesMs?.[key] ?? (method.responseStream ? DEFAULT_STREAM_DEADLINE_MS : defaultDeadline);
    const retriesOnUnavailable = idempotent.has(key) && !method.responseStream ? maxRetries : 0;
    // The breaker's action. Its fourth argument (the attempt number) is only read by the fallback below.
    const send = method.responseStream
      ? (request: unknown, metadata: Metadata, deadline: number, _attempt: number) =>
          openResponseStream(channel, method, request, metadata, deadline)
      : (request: unknown, metadata: Metadata, deadline: number, _attempt: number) =>
          new Promise<unknown>((resolve, reject) => {
            channel.makeUnaryRequest(path, requestSerialize, responseDeserialize, request, metadata, { deadline }, (error, response) =>
              error ? reject(error) : resolve(response),
            );
          });
    const resetTimeout = breakerSettings.resetTimeoutMs ?? 5_000;
    const breaker = new CircuitBreaker(send, {
      name,
      group: options.service,
      // The gRPC deadline bounds each call; a second timer in the breaker would only race it.
      timeout: false,
      errorThresholdPercentage: breakerSettings.errorThresholdPercentage ?? 50,
      volumeThreshold: breakerSettings.volumeThreshold ?? 5,
      rollingCountTimeout: breakerSettings.rollingCountTimeoutMs ?? 10_000,
      resetTimeout,
      errorFilter: isBusinessError,
      // Only the counts decide and are reported (breakerSnapshots): no per-call latency list to keep and sort,
      // and no timer summing the window every second for 'snapshot' events nobody listens to.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
    const logState = () => options.logger.warn({ breaker: name, state: breakerState(breaker) }, 'circuit breaker state changed');
    let openedAt = 0;
    breaker.on('open', () => {
      openedAt = Date.now();
      logState();
    });
    breaker.on('halfOpen', logState);
    breaker.on('close', logState);
    registerBreaker(name, breaker);
    created.push([name, breaker]);

    const attempt = (request: unknown, metadata: Metadata, deadline: number, attemptNumber: number): Promise<unknown> =>
      deadline <= Date.now()
        ? Promise.reject(toError(new DomainError(status.DEADLINE_EXCEEDED, `Deadline exceeded before calling ${name}`, { reason: 'DEADLINE_EXCEEDED' }), domain))
        : breaker.fire(request, metadata, deadline, attemptNumber);

    // Opossum calls the fallback for the failures that count against the breaker (after counting them) and for
    // calls an open breaker refused, never for business errors, which reach the caller as they are. Handling
    // those failures here keeps the successful path to the breaker's own promise, with no wrapper around it.
    breaker.fallback(async (request: unknown, metadata: Metadata, deadline: number, attemptNumber: number, error: unknown) => {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        throw toError(
          new DomainError(status.UNAVAILABLE, `The ${options.service} service is unavailable, try again later`, {
            reason: 'CIRCUIT_OPEN',
            metadata: { service: options.service },
            retryAfterSeconds: Math.max(1, Math.ceil((openedAt + resetTimeout - Date.now()) / 1000)),
          }),
          domain,
        );
      }
      const retriable = attemptNumber < retriesOnUnavailable && isRemoteServiceError(error) && error.code === status.UNAVAILABLE;
      if (!retriable) throw error;
      const backoff = Math.min(25 * 2 ** attemptNumber + Math.random() * 25, Math.max(0, deadline - Date.now()));
      options.logger.debug({ call: name, attempt: attemptNumber + 1, backoff }, 'retrying idempotent call');
      await sleep(backoff);
      return attempt(request, metadata, deadline, attemptNumber + 1);
    });

    client[key] = (request: unknown, callOptions?: CallOptions): Promise<unknown> => {
      let metadata: Metadata;
      let deadline: number;
      try {
        const requestContext = currentRequestContext();
        const inherited = requestContext?.deadline;
        deadline = Date.now() + (callOptions?.deadlineMs ?? methodDeadline);
        if (inherited !== undefined && inherited < deadline) deadline = inherited;
        metadata = new Metadata();
        if (requestContext?.requestId) metadata.set(REQUEST_ID_HEADER, requestContext.requestId);
        const authorization = callOptions?.authorization === undefined ? requestContext?.authorization : callOptions.authorization;
        if (authorization) metadata.set(AUTHORIZATION_HEADER, authorization);
        propagation.inject(context.active(), metadata, metadataSetter);
      } catch (error) {
        // A malformed header value: a rejected call, as from any other failure, never a synchronous throw.
        return Promise.reject(error);
      }
      return attempt(request, metadata, deadline, 0);
    };
  }

  client.close = () => {
    for (const [name, breaker] of created) {
      breaker.shutdown();
      unregisterBreaker(name, breaker);
    }
    channel.close();
  };
  return client as ServiceClient<D>;
}
