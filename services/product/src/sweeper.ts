import type { Logger } from '@shop/platform';

export interface Sweeper {
  /** Runs one sweep now (also what the timer does); resolves with the number of reservations expired. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Periodically releases held reservations whose TTL has passed. Safe with several replicas: every expiry is a
 * conditional state update, so two sweepers racing on one reservation release its stock once.
 */
export function startSweeper(options: { intervalMs: number; sweep: () => Promise<number>; logger: Logger }): Sweeper {
  let running: Promise<number> | undefined;
  let stopped = false;

  const runOnce = (): Promise<number> => {
    // One sweep at a time per process: a slow sweep is not overlapped by the next tick.
    running ??= options
      .sweep()
      .then((expired) => {
        if (expired > 0) options.logger.info({ expired }, 'expired held reservations');
        return expired;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    runOnce().catch((error: unknown) => options.logger.warn({ err: error }, 'reservation sweep failed'));
  }, options.intervalMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
