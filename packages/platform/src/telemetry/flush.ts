// Kept apart from start.ts so that code which only needs to flush does not load the OpenTelemetry SDK.
let flushHook: (() => Promise<void>) | undefined;

/** Registered by startTelemetry: how to flush and stop tracing when the process ends. */
export function setTelemetryShutdown(hook: (() => Promise<void>) | undefined): void {
  flushHook = hook;
}

/** Exports buffered spans and stops tracing; a no-op when telemetry was never started. Safe to call twice. */
export async function shutdownTelemetry(): Promise<void> {
  const hook = flushHook;
  flushHook = undefined;
  if (hook) await hook();
}
