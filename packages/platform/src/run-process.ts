import { createLogger, type Logger } from './logger';
import { handleShutdownSignals } from './grpc/server';

export interface ProcessDefinition<C extends { LOG_LEVEL: string }> {
  /** Service name in logs, e.g. "product". */
  service: string;
  /** Reads and validates the environment; throws with a message naming every bad variable. */
  loadConfig(): C;
  start(config: C, logger: Logger): Promise<{ shutdown(): Promise<void> }>;
}

/**
 * The one way a process of this system starts: configuration, logger, start, then SIGTERM/SIGINT handling that
 * drains, flushes traces and exits. Telemetry must already be running: main.ts imports its telemetry module first.
 */
export function runProcess<C extends { LOG_LEVEL: string }>(definition: ProcessDefinition<C>): void {
  let config: C;
  try {
    config = definition.loadConfig();
  } catch (error) {
    // Configuration errors arrive before there is a logger.
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const logger = createLogger({ service: definition.service, level: config.LOG_LEVEL });
  definition.start(config, logger).then(
    (running) => handleShutdownSignals(running, logger),
    (error: unknown) => {
      logger.fatal({ err: error }, `${definition.service} failed to start`);
      process.exit(1);
    },
  );
}
