import { Client, credentials, Metadata, status, type ChannelOptions } from '@grpc/grpc-js';
import type CircuitBreaker from 'opossum';
import { DomainError } from '../errors/domain-error';
import { isRemoteServiceError } from '../errors/grpc-status';
import type { Logger } from '../logger';
import { AUTHORIZATION_HEADER, currentRequestContext, REQUEST_ID_HEADER } from '../request-context';
import { cancelledByCaller, closeCallBreaker, createCallBreaker, toCallError, unaryCallAction, type BreakerOptions, type CallAction, type CallArgs } from './call-breaker';
import type { AnyServiceDefinition, RequestOf, ResponseOf, ServerStreamKeys, UnaryKeys } from './method-types';
import { serverStreamCallAction, type ResponseStream } from './response-stream';

export interface CallOptions {
  /** Overrides the method's default deadline (still capped by the incoming call's remaining deadline). For a
   * server-streaming call, it bounds the whole stream. */
  deadlineMs?: number;
  /** Overrides the forwarded caller's authorization; null sends none. */
  authorization?: string | null;
  /**
   * Cancels the call when aborted: before it is sent, while it waits for its answer or a retry, and (server
   * streaming) before or after the stream's first message. A call, or a stream's open, then rejects at once with
   * CANCELLED (reason CANCELLED); an open stream's iteration ends with grpc-js's CANCELLED. A cancelled call is no
   * error on its span and no failure for the breaker, but for a half-open breaker's single trial call: a unary
   * trial runs to its verdict (the caller still stops waiting at once, and the answer is dropped), and a stream
   * trial cancelled before its first message counts as a failed trial (no callee was heard from).
   */
  signal?: AbortSignal;
}

// The breaker's settings and its business-error test live with the breaker; they stay exported from here, as before.
export { isBusinessError, type BreakerOptions } from './call-breaker';

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

/** Waits `ms`, or less if `signal` aborts first (the attempt that follows then fails CANCELLED). */
const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/**
 * `call`'s outcome, or `cancelled()` from the moment `signal` aborts: whatever the call ended with after that
 * (grpc-js's own CANCELLED, a late answer) is dropped, so the caller sees one error shape whenever it cancelled.
 */
function abortable<T>(call: Promise<T>, signal: AbortSignal, cancelled: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? cancelled() : error);
      },
    );
  });
}

/**
 * The one way to call another service: every call gets a deadline (the caller's remaining one when there is
 * one, else the method default), the request id, the caller's authorization and a CLIENT span per attempt (whose
 * trace context it sends), and goes through an opossum breaker per (service, method). Business errors never trip
 * a breaker; an open breaker fails fast as UNAVAILABLE (reason CIRCUIT_OPEN) without touching the network;
 * idempotent methods are retried on UNAVAILABLE while the deadline allows.
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
  const domain = `shop.${options.service}`;
  const client: Record<string, unknown> = {};
  const created: Array<[string, CircuitBreaker<CallArgs, unknown>]> = [];

  for (const key of Object.keys(definition) as Array<keyof D & string>) {
    const method = definition[key]!;
    // Client-streaming methods have no caller in this system.
    if (method.requestStream) continue;
    const name = `${options.service}.${key}`;
    // Everything that does not depend on the call is settled once, here, not on every call.
    const methodDeadline = options.deadlinesMs?.[key] ?? (method.responseStream ? DEFAULT_STREAM_DEADLINE_MS : defaultDeadline);
    const retriesOnUnavailable = idempotent.has(key) && !method.responseStream ? maxRetries : 0;
    // The breaker's action. Its fourth argument (the attempt number) is only read by the retry below. Each
    // attempt that reaches the network is traced by a CLIENT span of its own, started by the action, whose trace
    // context the action writes into the metadata (see client-span.ts); a call refused by an open breaker or by
    // a deadline already passed makes none.
    const send: CallAction<unknown> = method.responseStream ? serverStreamCallAction(channel, method) : unaryCallAction(channel, method);
    const breaker = createCallBreaker(send, {
      name,
      service: options.service,
      logger: options.logger,
      settings: options.breaker,
      // A counted failure: UNAVAILABLE of an idempotent method is sent again, after a backoff, while the deadline allows.
      onCountedFailure: async (error, request, metadata, deadline, attemptNumber, signal) => {
        const retriable = attemptNumber < retriesOnUnavailable && isRemoteServiceError(error) && error.code === status.UNAVAILABLE;
        if (!retriable || signal?.aborted) throw error;
        const backoff = Math.min(25 * 2 ** attemptNumber + Math.random() * 25, Math.max(0, deadline - Date.now()));
        options.logger.debug({ call: name, attempt: attemptNumber + 1, backoff }, 'retrying idempotent call');
        await sleep(backoff, signal);
        return attempt(request, metadata, deadline, attemptNumber + 1, signal);
      },
    });
    created.push([name, breaker]);

    const attempt = (request: unknown, metadata: Metadata, deadline: number, attemptNumber: number, signal: AbortSignal | undefined): Promise<unknown> => {
      if (signal?.aborted) return Promise.reject(cancelledByCaller(name, domain));
      if (deadline <= Date.now()) {
        return Promise.reject(toCallError(new DomainError(status.DEADLINE_EXCEEDED, `Deadline exceeded before calling ${name}`, { reason: 'DEADLINE_EXCEEDED' }), domain));
      }
      // A cancelled call counts as a success (CANCELLED is a business code), and a half-open breaker closes on
      // its trial's success: the trial must run to its verdict. The caller stops waiting anyway (abortable).
      const trial = breaker.halfOpen && !method.responseStream;
      return breaker.fire(request, metadata, deadline, attemptNumber, trial ? undefined : signal);
    };
    const cancelled = () => cancelledByCaller(name, domain);

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
      } catch (error) {
        // A malformed header value: a rejected call, as from any other failure, never a synchronous throw.
        return Promise.reject(error);
      }
      const signal = callOptions?.signal;
      return signal ? abortable(attempt(request, metadata, deadline, 0, signal), signal, cancelled) : attempt(request, metadata, deadline, 0, undefined);
    };
  }

  client.close = () => {
    for (const [name, breaker] of created) closeCallBreaker(name, breaker);
    channel.close();
  };
  return client as ServiceClient<D>;
}
