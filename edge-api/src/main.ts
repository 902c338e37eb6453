// Telemetry first: it patches http, express and grpc-js, which must not be loaded before it.
import { telemetry } from './telemetry';
import { createLogger } from '@shop/platform';
import { loadEdgeConfig } from './config';
import { startEdge } from './server';

async function main(): Promise<void> {
  const config = loadEdgeConfig();
  const logger = createLogger({ service: 'edge-api', level: config.LOG_LEVEL });
  const edge = await startEdge(config, { logger });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    edge
      .shutdown()
      .then(() => telemetry.shutdown())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
