import { deadlineExceeded, resourceExhausted } from '@shop/platform';

/**
 * Caps how many checkouts run at once and queues the rest (first come, first served). Without it a burst of
 * checkouts becomes a burst of calls that queue inside the product and payment services instead, where
 * they time out and open the breakers; queued here, each call finds its peer responsive.
 */
export class Bulkhead {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Runs `task` when a slot is free; `callerDeadline` (epoch ms) bounds the wait, since nobody listens after it. */
  async run<T>(task: () => Promise<T>, callerDeadline?: number): Promise<T> {
    await this.acquire(callerDeadline);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(callerDeadline: number | undefined): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    const callerLeftMs = callerDeadline === undefined ? Number.POSITIVE_INFINITY : callerDeadline - Date.now();
    const waitMs = Math.max(0, Math.min(this.maxWaitMs, callerLeftMs));
    const refusal = callerLeftMs <= this.maxWaitMs
      ? deadlineExceeded('The checkout could not start before the request deadline')
      : resourceExhausted('CHECKOUT_BUSY', 'Too many checkouts right now, try again shortly', 1);
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(refusal);
      }, waitMs);
      this.waiting.push(grant);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `running` stays the same.
    if (next) next();
    else this.running -= 1;
  }
}
