import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTelemetryShutdown } from './flush';

export interface TelemetryOptions {
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
  env?: NodeJS.ProcessEnv;
}

export interface TelemetryHandle {
  shutdown(): Promise<void>;
}

let running: TelemetryHandle | undefined;

/**
 * Starts tracing for this process. The exporter is chosen by the standard OTEL_* variables
 * (OTEL_TRACES_EXPORTER=otlp with OTEL_EXPORTER_OTLP_ENDPOINT, ...). Without them nothing is exported, but spans
 * still exist, so trace ids still reach the logs and propagate to the next hop.
 */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): TelemetryHandle {
  if (running) return running;
  const env = options.env ?? process.env;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'none').split(',').map((name) => name.trim());
  const exportFromEnv = !(exporters.length === 1 && exporters[0] === 'none');
  const extra = options.spanProcessors ?? [];

  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    ...spanProcessorsOption(exportFromEnv, extra),
    instrumentations: [
      new HttpInstrumentation({
        // A token sent in a query string (refused by the edge) must not be kept in a span either.
        redactedQueryParamsServer: ['access_token', 'accessToken', 'id_token', 'token', 'bearer', 'code', 'sig', 'signature'],
        // Health probes would drown the traces that matter.
        ignoreIncomingRequestHook: (request) => request.url === '/healthz' || request.url === '/readyz',
      }),
      new ExpressInstrumentation(),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
      // Statements only, never bound values: parameters can hold personal data.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
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

function spanProcessorsOption(exportFromEnv: boolean, extra: SpanProcessor[]): { spanProcessors?: SpanProcessor[] } {
  // Leaving spanProcessors unset lets NodeSDK build exporters from OTEL_TRACES_EXPORTER.
  if (exportFromEnv) return extra.length > 0 ? { spanProcessors: extra } : {};
  // With no processor at all NodeSDK installs no tracer provider; a no-op one keeps trace ids flowing.
  return { spanProcessors: extra.length > 0 ? extra : [new NoopSpanProcessor()] };
}
