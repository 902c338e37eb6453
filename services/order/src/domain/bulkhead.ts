import { resourceExhausted } from '@shop/platform';

export interface BulkheadSettings {
  /** Checkouts running at once. */
  limit: number;
  /** Checkouts waiting for a slot; beyond this a new one is refused at once. */
  maxQueued: number;
  /** Longest wait for a slot. */
  maxWaitMs: number;
  /** Time a checkout needs once started: a caller whose deadline leaves less is refused rather than queued. */
  runBudgetMs: number;
}

/**
 * Caps how many checkouts run at once and queues a bounded number more (first come, first served). Without
 * it a burst of checkouts becomes a burst of calls queueing inside the product and payment services, where
 * they time out and open the breakers. A refusal is RESOURCE_EXHAUSTED (CHECKOUT_BUSY, retry after 1 s) and
 * happens before anything is stored, so retrying with the same request_id is safe.
 */
export class Bulkhead {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly settings: BulkheadSettings) {}

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
    if (this.running < this.settings.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    const callerLeftMs = callerDeadline === undefined ? Number.POSITIVE_INFINITY : callerDeadline - Date.now() - this.settings.runBudgetMs;
    const waitMs = Math.min(this.settings.maxWaitMs, callerLeftMs);
    if (waitMs <= 0 || this.waiting.length >= this.settings.maxQueued) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(busy());
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

const busy = () => resourceExhausted('CHECKOUT_BUSY', 'Too many checkouts right now, try again shortly', 1);
