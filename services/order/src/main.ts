// Telemetry first: it must patch grpc-js, http and pg before anything else loads them.
import { startTelemetry } from '@shop/platform/telemetry';

const telemetry = startTelemetry('order');

async function main(): Promise<void> {
  const { createLogger, handleShutdownSignals } = await import('@shop/platform');
  const { loadOrderConfig } = await import('./config');
  const { startOrderService } = await import('./service');
  const config = loadOrderConfig();
  const logger = createLogger({ service: 'order', level: config.LOG_LEVEL });
  const service = await startOrderService(config, { logger });
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
