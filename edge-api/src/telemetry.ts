// Imported first by main.ts: tracing must patch http, express and grpc-js before anything else loads them.
import { startTelemetry } from '@shop/platform/telemetry';

startTelemetry('edge-api');
