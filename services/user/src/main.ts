// Telemetry first: it patches http and pg, which must not be loaded before it.
import './telemetry';
import { runProcess } from '@shop/platform';
import { loadUserConfig } from './config';
import { startUserService } from './service';

runProcess({ service: 'user', loadConfig: () => loadUserConfig(), start: (config, logger) => startUserService(config, { logger }) });
