import './telemetry';
import { createLogger, handleShutdownSignals } from '@shop/platform';
import { loadUserConfig } from './config';
import { startUserService } from './service';

async function main(): Promise<void> {
  const config = loadUserConfig();
  const logger = createLogger({ service: 'user', level: config.LOG_LEVEL });
  try {
    const service = await startUserService(config, { logger });
    handleShutdownSignals(service, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'user service failed to start');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  // Configuration errors arrive before there is a logger.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
