// Imported first by main.ts: tracing must patch http and pg before anything else loads them.
import { startTelemetry } from '@shop/platform/telemetry';

startTelemetry('product');
