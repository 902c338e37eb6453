import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTelemetryShutdown } from './flush';
import { telemetryPlan } from './plan';

export interface TelemetryOptions {
  /** Extra processors, e.g. an in-memory exporter in tests; spans are then recorded as when exporting. */
  spanProcessors?: SpanProcessor[];
  env?: NodeJS.ProcessEnv;
}

export interface TelemetryHandle {
  shutdown(): Promise<void>;
}

let running: TelemetryHandle | undefined;

/**
 * Starts tracing for this process. Exporters are chosen by the standard OTEL_* variables
 * (OTEL_TRACES_EXPORTER=otlp with OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER, ...).
 * Without them nothing is exported and nothing is recorded: spans are non-recording, yet each still carries a
 * trace id, so trace ids still reach the logs and propagate to the next hop (see plan.ts).
 */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): TelemetryHandle {
  if (running) return running;
  const env = options.env ?? process.env;
  const plan = telemetryPlan(env, options.spanProcessors ?? []);

  const configuration: Partial<NodeSDKConfiguration> = {
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    ...plan.sdk,
    instrumentations: [
      new HttpInstrumentation({
        // A token sent in a query string (refused by the edge) must not be kept in a span either.
        redactedQueryParamsServer: ['access_token', 'accessToken', 'id_token', 'token', 'bearer', 'code', 'sig', 'signature'],
        // Health probes would drown the traces that matter.
        ignoreIncomingRequestHook: (request) => request.url === '/healthz' || request.url === '/readyz',
      }),
      // No express instrumentation: the edge opens one span per route itself and names the HTTP server span by its
      // route (edge-api/src/registry/mount.ts); the module's per-layer spans would only repeat that span, at a cost
      // in CPU and garbage on every request (~15% of the edge's CPU per cached read, measured).
      // No gRPC instrumentation: the platform's gRPC server and client make their SERVER and CLIENT spans
      // themselves (grpc/server.ts, grpc/call-breaker.ts, grpc/response-stream.ts), named and attributed as the
      // instrumentation named them, without its per-call rewrapping, emitter binding and debug formatting. Health
      // checks and reflection make no span, as the instrumentation was told (see telemetry/client-span.ts).
      // Statements only, never bound values: parameters can hold personal data. No span per pool checkout: every
      // query would get a second span (and context switch) for what is, but when the pool is exhausted, a no-op;
      // a wait for a connection still shows as the gap before the query's span.
      new PgInstrumentation({ enhancedDatabaseReporting: false, ignoreConnectSpans: true }),
    ],
  };
  const sdk = new NodeSDK(configuration);
  sdk.start();
  const handle: TelemetryHandle = {
    async shutdown() {
      if (running !== handle) return;
      running = undefined;
      setTelemetryShutdown(undefined);
      await sdk.shutdown();
    },
  };
  running = handle;
  setTelemetryShutdown(() => handle.shutdown());
  return handle;
}
