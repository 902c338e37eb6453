import type { Metadata } from '@grpc/grpc-js';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import { ATTR_GRPC_ERROR_MESSAGE, ATTR_GRPC_ERROR_NAME, ATTR_RPC_GRPC_STATUS_CODE, ATTR_RPC_METHOD, ATTR_RPC_SERVICE, ATTR_RPC_SYSTEM } from './rpc-attributes';

const metadataGetter: TextMapGetter<Metadata> = {
  get(carrier, key) {
    const values = carrier.get(key);
    if (values.length === 0) return undefined;
    return values.length === 1 ? String(values[0]) : values.map(String);
  },
  keys: (carrier) => Object.keys(carrier.getMap()),
};

// A ProxyTracer: it reaches the tracer provider registered by startTelemetry, whenever that happens.
const tracer = trace.getTracer('@shop/platform/grpc-server');

export interface ServerSpanName {
  service: string;
  method: string;
}

/** A SERVER span and the context handlers run in: the caller's trace (from the metadata), this span active. */
export interface ServerCallSpan {
  span: Span;
  context: Context;
}

/**
 * Starts the SERVER span of an incoming call, named and attributed like the gRPC instrumentation's
 * ("grpc.<service>/<method>", rpc.system=grpc), as a child of the trace context the caller sent in the metadata.
 * Without telemetry every call here is a no-op of the OpenTelemetry API.
 */
export function startServerSpan(where: ServerSpanName, metadata: Metadata): ServerCallSpan {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const span = tracer.startSpan(`grpc.${where.service}/${where.method}`, { kind: SpanKind.SERVER }, parent);
  // Attributes only for a span that keeps them: with tracing off (not sampled) they would be built and dropped.
  if (span.isRecording()) {
    span.setAttributes({ [ATTR_RPC_SYSTEM]: 'grpc', [ATTR_RPC_METHOD]: where.method, [ATTR_RPC_SERVICE]: where.service });
  }
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends the span with the call's final status code (0 is OK), as the gRPC instrumentation did. */
export function endServerSpan(span: Span, code: number, error?: { name?: string | undefined; message?: string | undefined }): void {
  if (span.isRecording()) {
    span.setAttribute(ATTR_RPC_GRPC_STATUS_CODE, code);
    if (code === 0) span.setStatus({ code: SpanStatusCode.UNSET });
    else span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message ?? '' });
    if (error) span.setAttributes({ [ATTR_GRPC_ERROR_NAME]: error.name ?? 'Error', [ATTR_GRPC_ERROR_MESSAGE]: error.message ?? '' });
  }
  span.end();
}
