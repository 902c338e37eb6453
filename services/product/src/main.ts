import { telemetry } from './instrumentation';
import { createLogger, handleShutdownSignals } from '@shop/platform';
import { loadProductConfig } from './config';
import { startProductService } from './service';

async function main(): Promise<void> {
  const config = loadProductConfig();
  const logger = createLogger({ service: 'product', level: config.LOG_LEVEL });
  try {
    const service = await startProductService(config, { logger });
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
    logger.fatal({ err: error }, 'product service failed to start');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  // Configuration errors arrive before there is a logger.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
