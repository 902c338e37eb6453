// Telemetry first: it patches http and pg, which must not be loaded before it.
import './telemetry';
import { runProcess } from '@shop/platform';
import { loadPaymentConfig } from './config';
import { startPaymentService } from './service';

runProcess({ service: 'payment', loadConfig: () => loadPaymentConfig(), start: (config, logger) => startPaymentService(config, { logger }) });
