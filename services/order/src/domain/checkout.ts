import { randomUUID } from 'node:crypto';
import { aborted, failedPrecondition } from '@shop/platform';
import { Bulkhead } from './bulkhead';
import { normalizeCheckout, type CheckoutLimits, type CheckoutRequest } from './checkout-request';
import type { CheckoutSaga } from './checkout-saga';
import { checkoutFingerprint } from './fingerprint';
import { recordOutcome, replayError, type IdempotencyStore } from './idempotency';
import type { OrderRecord } from './order';

// What a checkout needs once it starts (a few calls with their deadlines); less left on the caller's clock is refused.
const CHECKOUT_RUN_BUDGET_MS = 5_000;

export interface CheckoutSettings extends CheckoutLimits {
  /** Checkouts running at once in this process, how many may wait for their turn, and how long. */
  maxConcurrent: number;
  maxQueued: number;
  maxQueueWaitMs: number;
  idempotencySecret: string;
  idempotencyTtlMs: number;
  leaseMs: number;
  /** Lease owner name of this process. */
  owner: string;
}

/**
 * CreateOrder: limits, the idempotency key (insert first), then the saga. Answers the confirmed order or
 * throws the DomainError the saga decided on; a replay answers what the first call answered.
 */
export class CheckoutService {
  private readonly bulkhead: Bulkhead;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly saga: CheckoutSaga,
    private readonly settings: CheckoutSettings,
  ) {
    this.bulkhead = new Bulkhead({
      limit: settings.maxConcurrent, maxQueued: settings.maxQueued, maxWaitMs: settings.maxQueueWaitMs, runBudgetMs: CHECKOUT_RUN_BUDGET_MS,
    });
  }

  async createOrder(raw: CheckoutRequest): Promise<OrderRecord> {
    const request = normalizeCheckout(raw, this.settings);
    // Nothing is stored before the turn comes, so a request refused as busy can simply be retried.
    return this.bulkhead.run(() => this.place(request), request.deadline);
  }

  private async place(request: CheckoutRequest): Promise<OrderRecord> {
    const fingerprint = checkoutFingerprint(request, this.settings.idempotencySecret);
    const now = Date.now();
    const begun = await this.store.begin(
      { userId: request.userId, requestId: request.requestId, fingerprint, expiresAt: new Date(now + this.settings.idempotencyTtlMs) },
      { id: randomUUID(), userId: request.userId, shipping: request.shipping, items: request.items },
      { owner: this.settings.owner, until: new Date(now + this.settings.leaseMs) },
    );

    if (begun.kind === 'existing') {
      const { key } = begun;
      if (key.fingerprint !== fingerprint) {
        throw failedPrecondition('IDEMPOTENCY_KEY_REUSED', 'This request_id was already used for a different order request');
      }
      if (key.state === 'IN_PROGRESS' || !key.outcome) {
        throw aborted('REQUEST_IN_PROGRESS', 'An order with this request_id is still being processed, try again shortly');
      }
      if (key.outcome.kind === 'order') return key.outcome.order;
      throw replayError(key.outcome);
    }

    const outcome = await this.saga.run(begun.order, { owner: this.settings.owner, authorization: request.authorization, card: request.card });
    await recordOutcome(this.store, outcome);
    if (outcome.kind === 'confirmed') return outcome.order;
    throw outcome.error;
  }
}
