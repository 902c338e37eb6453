// Telemetry first: it patches http, which must not be loaded before it.
import './telemetry';
import { runProcess } from '@shop/platform';
import { loadEdgeConfig } from './config';
import { startEdge } from './server';

runProcess({ service: 'edge-api', loadConfig: () => loadEdgeConfig(), start: (config, logger) => startEdge(config, { logger }) });
