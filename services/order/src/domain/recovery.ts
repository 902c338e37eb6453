import type { ServiceTokenSource } from '@shop/platform';
import type { CheckoutSaga, SagaLog } from './checkout-saga';
import { LeaseLostError } from './dependency-errors';
import { recordOutcome, type IdempotencyStore } from './idempotency';
import type { OrderRecord } from './order';
import type { OrderRepository } from './ports';

export interface RecoverySettings {
  owner: string;
  batchSize: number;
  intervalMs: number;
  /** How long a claimed order that failed unexpectedly waits before anyone retries it. */
  retryDelayMs: number;
}

/**
 * Finishes every order whose saga stopped (crash, restart, dependency outage): claims orders whose lease ran
 * out (SKIP LOCKED, so replicas never share one), runs the saga from the stored state, records the answer on
 * the idempotency key, and deletes expired keys.
 */
export class RecoveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly repo: OrderRepository,
    private readonly store: IdempotencyStore,
    private readonly saga: CheckoutSaga,
    /** The order service's own credential: recovery acts on no caller's behalf. */
    private readonly serviceTokens: ServiceTokenSource,
    private readonly settings: RecoverySettings,
    private readonly log: SagaLog & { error(fields: object, message: string): void },
  ) {}

  start(): void {
    this.stopped = false;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  private async tick(): Promise<void> {
    if (this.pass || this.stopped) return;
    this.pass = this.runOnce()
      .then(() => undefined)
      .catch((error: unknown) => this.log.error({ err: error }, 'recovery pass failed'))
      .finally(() => {
        this.pass = undefined;
      });
    await this.pass;
  }

  /** One pass; answers how many orders it worked on. Public so that tests and operators can drive it. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      if (this.stopped) break;
      const claimed = await this.repo.claimStale(this.settings.owner, this.settings.batchSize);
      if (claimed.length === 0) break;
      let authorization: string;
      try {
        authorization = await this.serviceTokens.authorization();
      } catch (error) {
        // No credential, no calls: give the orders back for the next pass.
        this.log.error({ err: error }, 'recovery could not get a service token');
        const retryAt = new Date(Date.now() + this.settings.retryDelayMs);
        for (const order of claimed) await this.repo.releaseLease(order.id, this.settings.owner, retryAt);
        break;
      }
      for (const order of claimed) {
        handled += 1;
        await this.recover(order, authorization);
      }
      if (claimed.length < this.settings.batchSize) break;
    }
    const expired = await this.store.deleteExpired(new Date());
    if (handled > 0 || expired > 0) this.log.info({ orders: handled, expiredKeys: expired }, 'recovery pass');
    return handled;
  }

  private async recover(order: OrderRecord, authorization: string): Promise<void> {
    const orderId = order.id;
    try {
      const outcome = await this.saga.run(order, { owner: this.settings.owner, authorization });
      if (outcome.kind !== 'unfinished') await recordOutcome(this.store, outcome);
      this.log.info({ orderId, outcome: outcome.kind, status: outcome.order.status, reason: outcome.order.statusReason }, 'order recovered');
    } catch (error) {
      if (error instanceof LeaseLostError) return;
      this.log.error({ err: error, orderId }, 'order recovery failed');
      await this.repo.releaseLease(orderId, this.settings.owner, new Date(Date.now() + this.settings.retryDelayMs)).catch(() => undefined);
    }
  }
}
