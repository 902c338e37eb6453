// Telemetry first: it must patch grpc-js, http and pg before anything else loads them.
import { startTelemetry } from '@shop/platform/telemetry';
const telemetry = startTelemetry('product');

import { createLogger, handleShutdownSignals } from '@shop/platform';
import { loadProductConfig } from './config';
import { startProductService } from './service';

async function main(): Promise<void> {
  const config = loadProductConfig();
  const logger = createLogger({ service: 'product', level: config.LOG_LEVEL });
  const service = await startProductService(config, { logger });
  handleShutdownSignals(
    {
      shutdown: async () => {
        await service.shutdown();
        await telemetry.shutdown();
      },
    },
    logger,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
