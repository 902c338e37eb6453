import { Server, ServerCredentials, status, type Deadline, type ServerWritableStream } from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { TokenVerifier } from '../auth/token-verifier';
import { DomainError } from '../errors/domain-error';
import { grpcStatusName, isRemoteServiceError, toServiceError } from '../errors/grpc-status';
import type { Logger } from '../logger';
import { runWithRequestContext } from '../request-context';
import { shutdownTelemetry } from '../telemetry/flush';
import { endServerSpan, startServerSpan } from '../telemetry/server-span';
import { createCallContext, requestIdFrom, type CallContext } from './call-context';
import type { CallRunner, ServerStream, ServiceRegistration } from './implement';
import { addReflection, HEALTH_SERVICE_NAME } from './reflection';

export interface GrpcServerOptions {
  /** Short name used in logs and as the ErrorInfo domain, e.g. "product". */
  serviceName: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  services: ServiceRegistration[];
  logger: Logger;
  verifier?: TokenVerifier;
  /** Polled to set health: false or a throw means NOT_SERVING (e.g. the database is unreachable). */
  readiness?: () => Promise<boolean>;
  readinessIntervalMs?: number;
  /** Runs after the server has drained: close the database, stop workers. */
  onShutdown?: () => Promise<void>;
  /** How long shutdown waits for in-flight calls before cancelling them. */
  shutdownGraceMs?: number;
}

export interface GrpcServerHandle {
  port: number;
  /** Number of calls being handled right now. */
  inFlight(): number;
  /** Stops accepting calls, drains in-flight ones (up to the grace period), then runs onShutdown. Idempotent. */
  shutdown(): Promise<void>;
}

const ERROR_LOG_LEVEL: Partial<Record<status, 'warn' | 'info'>> = {
  [status.UNAVAILABLE]: 'warn',
  [status.DEADLINE_EXCEEDED]: 'warn',
  [status.RESOURCE_EXHAUSTED]: 'warn',
};

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const { logger } = options;
  const server = new Server({
    'grpc.keepalive_permit_without_calls': 1,
    // Channelz keeps per-call counters and traces for a debugging service this server does not expose.
    'grpc.enable_channelz': 0,
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
    // Clients re-resolve DNS when a connection ends: ageing connections out spreads load onto new replicas.
    'grpc.max_connection_age_ms': 5 * 60_000,
    'grpc.max_connection_age_grace_ms': 30_000,
  });
  const names = options.services.map((registration) => registration.serviceName);
  let inFlight = 0;

  // One child logger per method, made at its first call: the rpc field never changes, and pino serialises a
  // child's bindings when the child is made. Request and trace ids come from the logger's mixin at write time.
  const methodLoggers = new WeakMap<object, Logger>();
  const loggerFor = (where: { service: string; method: string }): Logger => {
    let methodLogger = methodLoggers.get(where);
    if (!methodLogger) {
      methodLogger = logger.child({ rpc: `${where.service}/${where.method}` });
      methodLoggers.set(where, methodLogger);
    }
    return methodLogger;
  };

  // Open streams, aborted when shutdown starts: a watch stream never ends on its own, so draining would wait
  // out the whole grace period for it.
  const openStreams = new Set<AbortController>();

  const run: CallRunner = {
    unary(where, call, callback, handler) {
      inFlight += 1;
      const requestId = requestIdFrom(call.metadata);
      const deadline = deadlineOf(call);
      const callLogger = loggerFor(where);
      const ctx: CallContext = createCallContext({ metadata: call.metadata, deadline, requestId, logger: callLogger, verifier: options.verifier });
      const traced = startServerSpan(where, call.metadata);
      context.with(traced.context, () => {
        runWithRequestContext({ requestId, authorization: ctx.authorization, deadline }, () => {
          const started = process.hrtime.bigint();
          handler(call.request, ctx).then(
            (response) => {
              inFlight -= 1;
              // The line's fields are only computed when debug lines are written.
              if (callLogger.isLevelEnabled('debug')) callLogger.debug({ code: 'OK', ms: elapsedMs(started) }, 'rpc');
              endServerSpan(traced.span, status.OK);
              callback(null, response);
            },
            (error: unknown) => {
              inFlight -= 1;
              const mapped = toServiceError(error, `shop.${options.serviceName}`);
              logFailure(callLogger, error, mapped.code, elapsedMs(started));
              endServerSpan(traced.span, mapped.code, mapped);
              callback(mapped, null);
            },
          );
        });
      });
    },
    serverStream(where, call, handler) {
      inFlight += 1;
      const requestId = requestIdFrom(call.metadata);
      const deadline = deadlineOf(call);
      const callLogger = loggerFor(where);
      const ctx: CallContext = createCallContext({ metadata: call.metadata, deadline, requestId, logger: callLogger, verifier: options.verifier });
      const controller = new AbortController();
      openStreams.add(controller);
      // grpc-js reports a caller's cancellation, a broken connection and a passed deadline all as 'cancelled'.
      const onCancelled = () => controller.abort(new DomainError(status.CANCELLED, 'The call was cancelled', { reason: 'CANCELLED' }));
      call.on('cancelled', onCancelled);
      const stream: ServerStream<unknown> = { signal: controller.signal, send: (message) => sendOnStream(call, controller.signal, message) };
      const started = process.hrtime.bigint();
      const traced = startServerSpan(where, call.metadata);
      const finish = (error: unknown) => {
        inFlight -= 1;
        openStreams.delete(controller);
        call.off('cancelled', onCancelled);
        const outcome = controller.signal.aborted ? (controller.signal.reason as unknown) : error;
        if (outcome === undefined) {
          if (callLogger.isLevelEnabled('debug')) callLogger.debug({ code: 'OK', ms: elapsedMs(started) }, 'rpc stream ended');
          endServerSpan(traced.span, status.OK);
          call.end();
          return;
        }
        const mapped = toServiceError(outcome, `shop.${options.serviceName}`);
        if (mapped.code !== status.CANCELLED) logFailure(callLogger, outcome, mapped.code, elapsedMs(started));
        endServerSpan(traced.span, mapped.code, mapped);
        // grpc-js turns an 'error' event on a server stream into the call's final status.
        call.emit('error', mapped);
      };
      context.with(traced.context, () => {
        runWithRequestContext({ requestId, authorization: ctx.authorization, deadline }, () => {
          handler(call.request, ctx, stream).then(() => finish(undefined), finish);
        });
      });
    },
  };

  for (const registration of options.services) {
    server.addService(registration.definition, registration.bind(run));
  }

  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  addReflection(server, names);
  const setHealth = (value: ServingStatus) => {
    for (const name of ['', ...names, HEALTH_SERVICE_NAME]) health.setStatus(name, value);
  };

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host ?? '0.0.0.0'}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  let lastReady: boolean | undefined;
  const checkReadiness = async () => {
    let ready = true;
    try {
      ready = options.readiness ? await options.readiness() : true;
    } catch {
      ready = false;
    }
    if (ready !== lastReady) {
      if (lastReady !== undefined) logger[ready ? 'info' : 'warn']({ ready }, 'readiness changed');
      lastReady = ready;
    }
    if (!stopping) setHealth(ready ? 'SERVING' : 'NOT_SERVING');
  };
  let stopping: Promise<void> | undefined;
  await checkReadiness();
  const readinessTimer = setInterval(() => void checkReadiness(), options.readinessIntervalMs ?? 2_000);
  readinessTimer.unref();

  logger.info({ port, services: names }, 'gRPC server listening');

  return {
    port,
    inFlight: () => inFlight,
    shutdown() {
      stopping ??= (async () => {
        clearInterval(readinessTimer);
        setHealth('NOT_SERVING');
        logger.info({ inFlight, streams: openStreams.size }, 'shutting down: ending streams, draining in-flight calls');
        const shuttingDown = new DomainError(status.UNAVAILABLE, 'The server is shutting down, call again', { reason: 'SHUTTING_DOWN' });
        for (const controller of openStreams) controller.abort(shuttingDown);
        await drain(server, options.shutdownGraceMs ?? 10_000, logger);
        if (options.onShutdown) await options.onShutdown();
        logger.info('shutdown complete');
      })();
      return stopping;
    },
  };
}

function drain(server: Server, graceMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn({ graceMs }, 'grace period over: cancelling remaining calls');
      server.forceShutdown();
      resolve();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Writes one message; settles when the transport took it, or rejects once the call is aborted. */
function sendOnStream(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal, message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    call.write(message, (error: Error | null | undefined) => {
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    });
  });
}

function deadlineOf(call: { getDeadline(): Deadline }): number | undefined {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

const elapsedMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

function logFailure(logger: Logger, error: unknown, code: status, ms: number) {
  const name = grpcStatusName(code);
  if (error instanceof DomainError || isRemoteServiceError(error)) {
    const level = ERROR_LOG_LEVEL[code] ?? 'info';
    logger[level]({ code: name, ms, reason: error instanceof DomainError ? error.reason : undefined, msg_detail: error.message }, 'rpc failed');
    return;
  }
  // Only here do internals appear, and only in the server's own log.
  logger.error({ code: name, ms, err: error }, 'rpc failed with an unexpected error');
}

/** Drains, flushes buffered spans and exits on SIGTERM/SIGINT; a second signal exits at once. */
export function handleShutdownSignals(target: { shutdown(): Promise<void> }, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'signal received');
    target
      .shutdown()
      .then(() => shutdownTelemetry().catch((error: unknown) => logger.warn({ err: error }, 'flushing traces failed')))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
