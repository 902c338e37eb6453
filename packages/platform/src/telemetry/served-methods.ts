// Kept apart from start.ts so that the gRPC server can use it without loading the OpenTelemetry SDK.

/**
 * Methods whose SERVER spans the platform's gRPC server makes itself (see server-span.ts), by method name as the
 * gRPC instrumentation matches them. The instrumentation skips these: for the same span, its server side rewraps
 * each call's sendMetadata, binds the call's emitter to the context and formats a debug line whether or not debug is
 * on (with the pool-checkout spans, OpenTelemetry's share of the product service's CPU per uncached read went from
 * ~15% to ~7% in a profile).
 *
 * The instrumentation gives its ignore rule only the method's name, for client and server calls alike: a process
 * that calls a method with the name of one it serves makes no CLIENT span for that call. No two services here have
 * a method of the same name (grpc-server-span.test.ts checks it).
 */
const served = new Set<string>();

export function markServedByPlatform(method: string): void {
  served.add(method.toLowerCase());
}

export const servedByPlatform = (method: string): boolean => served.has(method.toLowerCase());
