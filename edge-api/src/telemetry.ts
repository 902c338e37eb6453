// Imported first by main.ts: tracing must patch http before anything else loads it.
import { startTelemetry } from '@shop/platform/telemetry';

startTelemetry('edge-api');
