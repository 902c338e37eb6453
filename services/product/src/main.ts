// Telemetry first: it patches http and pg, which must not be loaded before it.
import './telemetry';
import { runProcess } from '@shop/platform';
import { loadProductConfig } from './config';
import { startProductService } from './service';

runProcess({ service: 'product', loadConfig: () => loadProductConfig(), start: (config, logger) => startProductService(config, { logger }) });
