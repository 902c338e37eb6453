import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, NoopSpanProcessor, ParentBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What this process does with each signal, read from the standard OTEL_* variables. */
export interface TelemetryPlan {
  /** Spans are recorded (an exporter or an extra processor takes them); otherwise they only carry ids. */
  recordsSpans: boolean;
  exportsMetrics: boolean;
  exportsLogs: boolean;
  /** The NodeSDK options that carry these decisions; whatever is left out, NodeSDK reads from OTEL_* itself. */
  sdk: Partial<NodeSDKConfiguration>;
}

/** OTEL_*_EXPORTER as NodeSDK reads it: comma separated, trimmed, blanks and "null" dropped. */
function exporterNames(value: string | undefined): string[] {
  return (value ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '' && name !== 'null');
}

/**
 * Unlike the OpenTelemetry default (otlp to localhost), an unset OTEL_*_EXPORTER exports nothing here: a process
 * started without telemetry settings must not record spans or aggregate metrics that nobody will ever read.
 *
 * With no trace exporter the sampler is ParentBased(AlwaysOff): spans are not recorded (no attributes, events or
 * timing kept), but the tracer provider still gives each root span a fresh random trace id and each child span its
 * own span id, so logs keep their trace_id and the traceparent still reaches the next hop. A sampled parent from an
 * upstream that does export is still honoured. An explicit OTEL_TRACES_SAMPLER (and _ARG) always wins.
 */
export function telemetryPlan(env: NodeJS.ProcessEnv, extraProcessors: SpanProcessor[]): TelemetryPlan {
  const traceExporters = exporterNames(env.OTEL_TRACES_EXPORTER);
  // NodeSDK's own rule for traces: "none" first means none.
  const exportsTraces = traceExporters.length > 0 && traceExporters[0] !== 'none';
  // NodeSDK's rule for metrics and logs: "none" anywhere means none.
  const metricExporters = exporterNames(env.OTEL_METRICS_EXPORTER);
  const exportsMetrics = metricExporters.length > 0 && !metricExporters.includes('none');
  const logExporters = exporterNames(env.OTEL_LOGS_EXPORTER);
  const exportsLogs = logExporters.length > 0 && !logExporters.includes('none');
  const recordsSpans = exportsTraces || extraProcessors.length > 0;
  const samplerFromEnv = (env.OTEL_TRACES_SAMPLER ?? '').trim() !== '';

  const sdk: Partial<NodeSDKConfiguration> = {};
  if (extraProcessors.length > 0) sdk.spanProcessors = extraProcessors;
  // With no processor at all NodeSDK installs no tracer provider, and without one no span gets a trace id.
  else if (!exportsTraces) sdk.spanProcessors = [new NoopSpanProcessor()];
  // Otherwise spanProcessors stays unset: NodeSDK builds the exporters named by OTEL_TRACES_EXPORTER.
  if (!recordsSpans && !samplerFromEnv) sdk.sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
  // An empty list (not an unset one) stops NodeSDK from falling back to its default otlp exporter: no
  // MeterProvider is built, so instrumentations record no histograms.
  if (!exportsMetrics) sdk.metricReaders = [];
  if (!exportsLogs) sdk.logRecordProcessors = [];
  // The resource (host, process attributes) only describes exported data.
  if (!recordsSpans && !exportsMetrics && !exportsLogs) sdk.autoDetectResources = false;
  return { recordsSpans, exportsMetrics, exportsLogs, sdk };
}
