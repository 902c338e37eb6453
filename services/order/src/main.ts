// Telemetry first: it patches http and pg, which must not be loaded before it.
import './telemetry';
import { runProcess } from '@shop/platform';
import { loadOrderConfig } from './config';
import { startOrderService } from './service';

runProcess({ service: 'order', loadConfig: () => loadOrderConfig(), start: (config, logger) => startOrderService(config, { logger }) });
