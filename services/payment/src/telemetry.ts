// Imported first by main.ts: tracing must patch pg before anything else loads it.
import { startTelemetry } from '@shop/platform/telemetry';

startTelemetry('payment');
