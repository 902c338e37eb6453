// Entry point kept outside src/index.ts on purpose: it must run before grpc-js, express, http and pg are first
// required, so that the OpenTelemetry instrumentations can patch them. Import it first in every main.ts.
export { startTelemetry, type TelemetryHandle, type TelemetryOptions } from './src/telemetry/start';
