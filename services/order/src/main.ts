import { telemetry } from './instrumentation';
import { createLogger, handleShutdownSignals } from '@shop/platform';
import { loadOrderConfig } from './config';
import { startOrderService } from './service';

async function main(): Promise<void> {
  const config = loadOrderConfig();
  const logger = createLogger({ service: 'order', level: config.LOG_LEVEL });
  try {
    const service = await startOrderService(config, { logger });
    handleShutdownSignals(
      {
        async shutdown() {
          await service.shutdown();
          await telemetry.shutdown();
        },
      },
      logger,
    );
  } catch (error) {
    logger.fatal({ err: error }, 'order service failed to start');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  // Configuration errors arrive before there is a logger.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
