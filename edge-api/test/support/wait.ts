import { memoryLogger as platformMemoryLogger } from '@shop/platform/testing';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the condition holds; only the test's own (jest) timeout bounds it, so nothing here is timed. */
export async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(5);
}

/** The platform's memory logger, named for the edge by default. */
export const memoryLogger = (service = 'edge-api') => platformMemoryLogger(service);
