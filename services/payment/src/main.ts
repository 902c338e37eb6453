import './telemetry';
import { createLogger, handleShutdownSignals } from '@shop/platform';
import { loadPaymentConfig } from './config';
import { startPaymentService } from './service';

async function main(): Promise<void> {
  const config = loadPaymentConfig();
  const logger = createLogger({ service: 'payment', level: config.LOG_LEVEL });
  try {
    const service = await startPaymentService(config, { logger });
    handleShutdownSignals(service, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'payment service failed to start');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  // Configuration errors arrive before there is a logger.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
