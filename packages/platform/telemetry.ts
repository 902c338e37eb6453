// Entry point kept outside src/index.ts on purpose: it must run before http and pg are first required, so that the
// OpenTelemetry instrumentations can patch them (gRPC spans are the platform's own). Import it first in every main.ts.
export { startTelemetry, type TelemetryHandle, type TelemetryOptions } from './src/telemetry/start';
