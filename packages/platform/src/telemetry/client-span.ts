import { status as grpcStatus, type Metadata } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type TextMapSetter } from '@opentelemetry/api';
import { ATTR_GRPC_ERROR_MESSAGE, ATTR_GRPC_ERROR_NAME, ATTR_RPC_GRPC_STATUS_CODE, ATTR_RPC_METHOD, ATTR_RPC_SERVICE, ATTR_RPC_SYSTEM } from './rpc-attributes';

// The names the gRPC instrumentation gave the rest of its CLIENT spans' attributes.
const ATTR_SERVER_ADDRESS = 'server.address';
const ATTR_SERVER_PORT = 'server.port';

/** The instrumentation's reading of a channel target ("dns:payment:50054", "127.0.0.1:50051"): host and port. */
const TARGET_HOST_PORT = /(?:([A-Za-z0-9+.-]+):(?:\/\/)?)?(?<name>[A-Za-z0-9+.-]+):(?<port>[0-9+.-]+)$/;

const metadataSetter: TextMapSetter<Metadata> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

// A ProxyTracer: it reaches the tracer provider registered by startTelemetry, whenever that happens.
const tracer = trace.getTracer('@shop/platform/grpc-client');

/**
 * Services whose calls make no span, as the instrumentation was told to skip them (Check, Watch,
 * ServerReflectionInfo): the edge's readiness probe checks every service's health, and probes would drown the traces
 * that matter (the probe's own HTTP request is not traced either, so each check would be a trace of its own).
 */
const UNTRACED_SERVICES = new Set(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']);

/** What every CLIENT span of one method on one channel shares: settled once per method, not per call. */
export interface ClientSpanMethod {
  /** "grpc.<package.Service>/<Method>" */
  readonly name: string;
  readonly attributes: Readonly<Attributes>;
  /** False for health checks and reflection: no span, the caller's trace context is sent as it is. */
  readonly traced: boolean;
}

/**
 * The name and attributes of a method's CLIENT spans, as the gRPC instrumentation gave them: rpc.system=grpc,
 * rpc.service, rpc.method, and server.address / server.port read from the channel's target.
 */
export function clientSpanMethod(path: string, channelTarget: string): ClientSpanMethod {
  const [, service = '', method = ''] = path.split('/');
  const traced = !UNTRACED_SERVICES.has(service);
  const attributes: Attributes = { [ATTR_RPC_SYSTEM]: 'grpc', [ATTR_RPC_METHOD]: method, [ATTR_RPC_SERVICE]: service };
  const peer = TARGET_HOST_PORT.exec(channelTarget)?.groups;
  if (peer?.name !== undefined) attributes[ATTR_SERVER_ADDRESS] = peer.name;
  const port = Number.parseInt(peer?.port ?? '', 10);
  if (Number.isFinite(port)) attributes[ATTR_SERVER_PORT] = port;
  return { name: `grpc.${service}/${method}`, attributes, traced };
}

/**
 * Starts the CLIENT span of one attempt of an outgoing call, a child of the active context, and writes its trace
 * context into the call's metadata (replacing an earlier attempt's), so that the callee's SERVER span is its child.
 * An untraced method gets no span, only the active context in its metadata. Without telemetry every call here is
 * a no-op of the OpenTelemetry API.
 */
export function startClientSpan(method: ClientSpanMethod, metadata: Metadata): Span | undefined {
  const parent = context.active();
  if (!method.traced) {
    propagation.inject(parent, metadata, metadataSetter);
    return undefined;
  }
  // Attributes at the start, where a sampler sees them; they are built once per method, and a span that is not
  // recorded drops them.
  const span = tracer.startSpan(method.name, { kind: SpanKind.CLIENT, attributes: method.attributes }, parent);
  propagation.inject(trace.setSpan(parent, span), metadata, metadataSetter);
  return span;
}

/** An outgoing call's failure as grpc-js reports it (a ServiceError), or anything else a call threw. */
export interface ClientCallError {
  code?: unknown;
  name?: string;
  message?: string;
}

/**
 * Ends the span with the call's outcome, recorded as the gRPC instrumentation recorded it: rpc.grpc.status_code, and
 * for a failure an ERROR status (with the message, which the instrumentation left out of unary calls' status) and
 * the error's name and message (grpc-js's "5 NOT_FOUND: <details>"). Without an error, `code` (OK unless given:
 * a caller's own cancel is CANCELLED, and no failure) is recorded with no error status.
 */
export function endClientSpan(span: Span | undefined, error?: ClientCallError, code: number = grpcStatus.OK): void {
  if (!span) return;
  if (span.isRecording()) {
    if (!error) {
      span.setAttribute(ATTR_RPC_GRPC_STATUS_CODE, code);
    } else {
      if (typeof error.code === 'number') span.setAttribute(ATTR_RPC_GRPC_STATUS_CODE, error.code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message ?? '' });
      span.setAttributes({ [ATTR_GRPC_ERROR_NAME]: error.name ?? 'Error', [ATTR_GRPC_ERROR_MESSAGE]: error.message ?? '' });
    }
  }
  span.end();
}

/** The error grpc-js emits for a stream that ended with this status: its message, for the span. */
export function streamStatusError(code: number, details: string): ClientCallError {
  return { code, name: 'Error', message: `${code} ${grpcStatus[code] ?? ''}: ${details}` };
}
