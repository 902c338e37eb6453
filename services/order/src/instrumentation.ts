// Imported first by main.ts, so that tracing patches grpc-js, http and pg before anything else loads them
// (a separate module keeps that order under ESM import hoisting too).
import { startTelemetry } from '@shop/platform/telemetry';

export const telemetry = startTelemetry('order');
