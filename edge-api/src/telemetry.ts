// Imported first by main.ts. A module of its own because imports are hoisted: a startTelemetry() call written
// between imports in main.ts would run after express, http and grpc-js were already loaded, unpatched.
import { startTelemetry } from '@shop/platform/telemetry';

export const telemetry = startTelemetry('edge-api');
