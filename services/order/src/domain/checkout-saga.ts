import { type DomainError, failedPrecondition, invalidArgument, unavailable } from '@shop/platform';
import { DependencyRefusedError, DependencyUnavailableError, LeaseLostError } from './dependency-errors';
import { CancelReason, reached, type CardInput, type OrderLine, type OrderRecord } from './order';
import type { Catalog, Inventory, OrderRepository, OrderTransition, Payments, PaymentView } from './ports';

export interface SagaDependencies {
  repo: OrderRepository;
  catalog: Catalog;
  inventory: Inventory;
  payments: Payments;
  /** How long an order waits before the recovery worker retries it after a dependency failed. */
  retryDelayMs: number;
  log: SagaLog;
}

/** The two logger methods the saga uses (a pino logger fits). */
export interface SagaLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface SagaRunInput {
  /** Lease owner: the process instance running the saga. */
  owner: string;
  authorization: string;
  /** Present only while the customer's CreateOrder call runs; without it the saga cannot authorize payment. */
  card?: CardInput;
}

/**
 * `confirmed` and `cancelled` are final. `unfinished` means compensation could not reach a dependency: the
 * order stays PENDING and the recovery worker finishes it. `error` is what a live caller is answered.
 */
export type SagaOutcome =
  /** `answered`: this run confirmed the order and stored it as its idempotency key's answer in the same write. */
  | { kind: 'confirmed'; order: OrderRecord; answered: boolean }
  | { kind: 'cancelled'; order: OrderRecord; error: DomainError }
  | { kind: 'unfinished'; order: OrderRecord; error: DomainError };

export const authorizeRequestId = (orderId: string) => `${orderId}:authorize`;
export const captureRequestId = (orderId: string) => `${orderId}:capture`;
export const voidRequestId = (orderId: string) => `${orderId}:void`;
export const refundRequestId = (orderId: string) => `${orderId}:refund`;

// Retriable on purpose: the customer's attempt was undone, so trying again is the right thing to do.
const CANCELLATION_ERROR_FOR_RECOVERY = unavailable(CancelReason.CHECKOUT_INTERRUPTED, 'The checkout was interrupted and undone, try again', 1);

/**
 * The checkout saga and its compensations: one run drives one order as far as it can, persisting every step
 * before and after each remote call, so that any run can be resumed by another process from the stored state.
 */
export class CheckoutSaga {
  constructor(private readonly deps: SagaDependencies) {}

  /** Drives the order from whatever state it is in: forward, compensation or cancellation. */
  async run(order: OrderRecord, input: SagaRunInput): Promise<SagaOutcome> {
    const run = new SagaRun(this.deps, order, input);
    return run.execute();
  }
}

class SagaRun {
  private current: OrderRecord;
  /** The answer for the live caller once compensation is decided. */
  private answer: DomainError = CANCELLATION_ERROR_FOR_RECOVERY;
  /** The *ING step this run wrote itself, so its call is known not to have been sent yet. */
  private intent: 'RESERVING' | 'AUTHORIZING' | undefined;

  constructor(
    private readonly deps: SagaDependencies,
    order: OrderRecord,
    private readonly input: SagaRunInput,
  ) {
    this.current = order;
  }

  private get live(): boolean {
    return this.input.card !== undefined;
  }

  async execute(): Promise<SagaOutcome> {
    try {
      switch (this.current.phase) {
        case 'DONE':
          return this.settled();
        case 'FORWARD':
          return await this.forward();
        case 'COMPENSATING':
          return await this.compensate(this.current.pendingReason ?? CancelReason.CHECKOUT_INTERRUPTED, this.answer);
        case 'CANCELLING':
          return await this.cancelConfirmed();
      }
    } catch (error) {
      if (error instanceof DependencyUnavailableError) return this.postpone(error);
      throw error;
    }
  }

  private settled(): SagaOutcome {
    if (this.current.status === 'CONFIRMED') return { kind: 'confirmed', order: this.current, answered: false };
    return { kind: 'cancelled', order: this.current, error: this.answer };
  }

  /** A dependency is down while undoing (or, in recovery, while going forward): the worker retries later. */
  private async postpone(error: DependencyUnavailableError): Promise<SagaOutcome> {
    const retryAt = new Date(Date.now() + this.deps.retryDelayMs);
    this.deps.log.warn({ orderId: this.current.id, dependency: error.dependency, phase: this.current.phase, step: this.current.step }, 'saga postponed: dependency unavailable');
    await this.deps.repo.releaseLease(this.current.id, this.input.owner, retryAt);
    return { kind: 'unfinished', order: this.current, error: unavailableAnswer(error) };
  }

  private async move(change: OrderTransition): Promise<OrderRecord> {
    this.current = await this.deps.repo.transition(this.current, this.input.owner, change);
    return this.current;
  }

  // ---- forward path -------------------------------------------------------------------------------------

  private async forward(): Promise<SagaOutcome> {
    for (;;) {
      const { step } = this.current;
      const card = this.input.card;
      switch (step) {
        case 'CREATED': {
          const refusal = await this.price();
          if (refusal) return refusal;
          break;
        }
        case 'PRICED':
          await this.move({ step: 'RESERVING', event: 'RESERVE_SENT' });
          this.intent = 'RESERVING';
          break;
        case 'RESERVING': {
          // Written by an earlier run that stopped: the card is gone, so whatever was reserved is undone.
          if (this.intent !== 'RESERVING') return this.compensate(CancelReason.CHECKOUT_INTERRUPTED, CANCELLATION_ERROR_FOR_RECOVERY);
          const refusal = await this.reserve();
          if (refusal) return refusal;
          break;
        }
        case 'RESERVED':
          if (!card) return this.compensate(CancelReason.CHECKOUT_INTERRUPTED, CANCELLATION_ERROR_FOR_RECOVERY);
          await this.move({ step: 'AUTHORIZING', event: 'AUTHORIZE_SENT' });
          this.intent = 'AUTHORIZING';
          break;
        case 'AUTHORIZING': {
          // Sent by this run: do it. Left by an earlier run: whether the authorization happened is unknown, so look it up.
          const refusal = this.intent === 'AUTHORIZING' && card ? await this.authorize(card) : await this.resolveAuthorization();
          if (refusal) return refusal;
          break;
        }
        case 'AUTHORIZED': {
          const refusal = await this.commit();
          if (refusal) return refusal;
          break;
        }
        case 'COMMITTED': {
          const refusal = await this.capture();
          if (refusal) return refusal;
          break;
        }
        case 'CAPTURED': {
          const confirming = this.current.phase !== 'DONE';
          if (confirming) await this.move({ status: 'CONFIRMED', statusReason: '', phase: 'DONE', answer: true, event: 'CONFIRMED' });
          return { kind: 'confirmed', order: this.current, answered: confirming };
        }
      }
    }
  }

  private async price(): Promise<SagaOutcome | undefined> {
    const order = this.current;
    const ids = order.items.map((item) => item.productId);
    let products;
    try {
      products = await this.deps.catalog.batchGetProducts(ids, this.input.authorization);
    } catch (error) {
      if (error instanceof DependencyRefusedError) {
        return this.cancelUntouched(CancelReason.PRODUCT_UNAVAILABLE, invalidArgument(
          `Some products cannot be ordered: ${error.message}`,
          [{ field: 'items', description: error.message }],
          CancelReason.PRODUCT_UNAVAILABLE,
        ));
      }
      if (error instanceof DependencyUnavailableError) return this.cancelUntouched(CancelReason.DEPENDENCY_UNAVAILABLE, unavailableAnswer(error));
      throw error;
    }
    const byId = new Map(products.map((product) => [product.id, product]));
    const inactive = ids.filter((id) => !byId.get(id)?.active);
    if (inactive.length > 0) {
      return this.cancelUntouched(CancelReason.PRODUCT_UNAVAILABLE, invalidArgument(
        `Products not for sale: ${inactive.join(', ')}`,
        inactive.map((id) => ({ field: 'items.product_id', description: `${id} is not for sale` })),
        CancelReason.PRODUCT_UNAVAILABLE,
      ));
    }
    const currencies = new Set(products.map((product) => product.currency));
    if (currencies.size !== 1) {
      return this.cancelUntouched(CancelReason.CURRENCY_MISMATCH, invalidArgument(
        `All items of an order must have one currency, got ${[...currencies].sort().join(', ')}`,
        [{ field: 'items', description: 'items in more than one currency' }],
        CancelReason.CURRENCY_MISMATCH,
      ));
    }
    const items: OrderLine[] = order.items.map((item) => {
      const product = byId.get(item.productId)!;
      return {
        productId: item.productId,
        quantity: item.quantity,
        sku: product.sku,
        name: product.name,
        unitPriceMinor: product.priceMinor,
        lineTotalMinor: product.priceMinor * BigInt(item.quantity),
      };
    });
    const totalMinor = items.reduce((sum, item) => sum + (item.lineTotalMinor ?? 0n), 0n);
    // The snapshots and the intent to reserve are one write: a crash after it makes recovery look the reservation up.
    await this.move({ step: 'RESERVING', priced: { currency: [...currencies][0]!, totalMinor, items }, event: 'PRICED', detail: `total ${totalMinor}` });
    this.intent = 'RESERVING';
    return undefined;
  }

  private async reserve(): Promise<SagaOutcome | undefined> {
    const order = this.current;
    try {
      await this.deps.inventory.reserve(order.id, order.items.map(({ productId, quantity }) => ({ productId, quantity })), this.input.authorization);
    } catch (error) {
      if (error instanceof DependencyRefusedError && error.reason === CancelReason.OUT_OF_STOCK) {
        // All or nothing: a refused reservation holds nothing, so there is nothing to undo.
        return this.cancelUntouched(CancelReason.OUT_OF_STOCK, failedPrecondition(CancelReason.OUT_OF_STOCK, 'Some items are out of stock', {
          ...error.metadata,
          orderId: order.id,
        }));
      }
      if (error instanceof DependencyRefusedError) {
        return this.compensate(CancelReason.PRODUCT_UNAVAILABLE, invalidArgument(error.message, error.fieldViolations, CancelReason.PRODUCT_UNAVAILABLE));
      }
      if (error instanceof DependencyUnavailableError) {
        if (error.notSent) await this.move({ step: 'PRICED', event: 'RESERVE_NOT_SENT' });
        return this.compensate(CancelReason.DEPENDENCY_UNAVAILABLE, unavailableAnswer(error));
      }
      throw error;
    }
    // With a card at hand the next step is the authorization: record the reservation and that intent at once.
    if (this.input.card) {
      await this.move({ step: 'AUTHORIZING', event: 'RESERVED' });
      this.intent = 'AUTHORIZING';
    } else {
      await this.move({ step: 'RESERVED', event: 'RESERVED' });
    }
    return undefined;
  }

  private async authorize(card: CardInput): Promise<SagaOutcome | undefined> {
    const order = this.current;
    this.intent = undefined;
    let payment: PaymentView;
    try {
      payment = await this.deps.payments.authorize(
        { requestId: authorizeRequestId(order.id), orderId: order.id, amountMinor: order.totalMinor ?? 0n, currency: order.currency ?? '', card },
        this.input.authorization,
      );
    } catch (error) {
      if (error instanceof DependencyRefusedError) {
        // Refused before the processor was asked (invalid card, expired...): no payment exists.
        await this.move({ step: 'RESERVED', event: 'AUTHORIZE_REFUSED', detail: error.reason ?? '' });
        return this.compensate(CancelReason.CARD_INVALID, invalidArgument(error.message, error.fieldViolations, error.reason ?? CancelReason.CARD_INVALID));
      }
      if (error instanceof DependencyUnavailableError) {
        if (error.notSent) await this.move({ step: 'RESERVED', event: 'AUTHORIZE_NOT_SENT' });
        return this.compensate(CancelReason.DEPENDENCY_UNAVAILABLE, unavailableAnswer(error));
      }
      throw error;
    }
    return this.afterAuthorization(payment);
  }

  private async resolveAuthorization(): Promise<SagaOutcome | undefined> {
    const payments = await this.deps.payments.listForOrder(this.current.id, this.input.authorization);
    const payment = payments.find((candidate) => candidate.status !== 'FAILED') ?? payments[0];
    if (!payment) {
      await this.move({ step: 'RESERVED', event: 'AUTHORIZATION_NOT_FOUND' });
      return this.compensate(CancelReason.CHECKOUT_INTERRUPTED, CANCELLATION_ERROR_FOR_RECOVERY);
    }
    return this.afterAuthorization(payment);
  }

  private async afterAuthorization(payment: PaymentView): Promise<SagaOutcome | undefined> {
    const summary = { paymentId: payment.id, status: payment.status, card: payment.card };
    const orderId = this.current.id;
    if (payment.status === 'DECLINED') {
      await this.move({ payment: summary, event: 'PAYMENT_DECLINED', detail: payment.declineCode });
      return this.compensate(CancelReason.PAYMENT_DECLINED, failedPrecondition(CancelReason.PAYMENT_DECLINED, 'The card was declined', {
        orderId,
        declineCode: payment.declineCode,
      }));
    }
    if (payment.status !== 'AUTHORIZED') {
      await this.move({ payment: summary, event: 'PAYMENT_NOT_AUTHORIZED', detail: payment.status });
      return this.compensate(CancelReason.PAYMENT_FAILED, failedPrecondition(CancelReason.PAYMENT_FAILED, 'The payment could not be authorized', { orderId }));
    }
    await this.move({ step: 'AUTHORIZED', payment: summary, event: 'AUTHORIZED' });
    return undefined;
  }

  private async commit(): Promise<SagaOutcome | undefined> {
    const orderId = this.current.id;
    try {
      await this.deps.inventory.commit(orderId, this.input.authorization);
    } catch (error) {
      if (error instanceof DependencyRefusedError) {
        return this.compensate(CancelReason.RESERVATION_EXPIRED, failedPrecondition(CancelReason.RESERVATION_EXPIRED, 'The stock reservation expired before checkout finished', { orderId }));
      }
      // A resumed run keeps going forward later; a live one undoes so that the customer gets a clear answer.
      if (error instanceof DependencyUnavailableError && this.live) return this.compensate(CancelReason.DEPENDENCY_UNAVAILABLE, unavailableAnswer(error));
      throw error;
    }
    await this.move({ step: 'COMMITTED', event: 'COMMITTED' });
    return undefined;
  }

  private async capture(): Promise<SagaOutcome | undefined> {
    const order = this.current;
    const paymentId = order.payment?.paymentId;
    if (!paymentId) return this.compensate(CancelReason.PAYMENT_FAILED, failedPrecondition(CancelReason.PAYMENT_FAILED, 'The payment is missing', { orderId: order.id }));
    let payment: PaymentView;
    try {
      payment = await this.deps.payments.capture(captureRequestId(order.id), paymentId, this.input.authorization);
    } catch (error) {
      if (error instanceof DependencyRefusedError) {
        return this.compensate(CancelReason.PAYMENT_FAILED, failedPrecondition(error.reason ?? CancelReason.PAYMENT_FAILED, error.message, { orderId: order.id }));
      }
      if (error instanceof DependencyUnavailableError && this.live) return this.compensate(CancelReason.DEPENDENCY_UNAVAILABLE, unavailableAnswer(error));
      throw error;
    }
    // The confirmation also stores the customer's answer (the order as confirmed) on its idempotency key.
    await this.move({
      step: 'CAPTURED', status: 'CONFIRMED', statusReason: '', phase: 'DONE',
      payment: { paymentId, status: payment.status, card: payment.card ?? order.payment?.card ?? null }, answer: true, event: 'CONFIRMED',
    });
    return undefined;
  }

  // ---- compensation -------------------------------------------------------------------------------------

  /** Nothing remote was done (or a refusal left nothing behind): the order is cancelled at once. */
  private async cancelUntouched(reason: string, answer: DomainError): Promise<SagaOutcome> {
    this.answer = answer;
    await this.move({ status: 'CANCELLED', statusReason: reason, phase: 'DONE', pendingReason: null, event: 'CANCELLED', detail: reason });
    return { kind: 'cancelled', order: this.current, error: answer };
  }

  /**
   * Undoes whatever the recorded step says may have happened, stock first (so that a payment outage never
   * keeps stock held), then the payment. Throws DependencyUnavailableError when a dependency is down; the
   * order then stays COMPENSATING for the recovery worker.
   */
  private async compensate(reason: string, answer: DomainError): Promise<SagaOutcome> {
    this.answer = answer;
    if (this.current.phase !== 'COMPENSATING') {
      await this.move({ phase: 'COMPENSATING', pendingReason: reason, event: 'COMPENSATE', detail: reason });
    }
    const finalReason = this.current.pendingReason ?? reason;
    try {
      await this.undoStock();
      await this.undoPayment();
    } catch (error) {
      if (error instanceof DependencyUnavailableError) {
        const outcome = await this.postpone(error);
        // The caller learns why the order is being undone; the recovery worker finishes undoing it.
        return { kind: 'unfinished', order: outcome.order, error: answer };
      }
      throw error;
    }
    await this.move({ status: 'CANCELLED', statusReason: finalReason, phase: 'DONE', pendingReason: null, event: 'CANCELLED', detail: finalReason });
    return { kind: 'cancelled', order: this.current, error: answer };
  }

  private async undoStock(): Promise<void> {
    const { id, step } = this.current;
    const auth = this.input.authorization;
    if (!reached(step, 'RESERVING')) return;
    let state = step === 'RESERVING' ? await this.deps.inventory.getState(id, auth) : reached(step, 'COMMITTED') ? 'COMMITTED' : 'HELD';
    if (state === 'HELD') {
      try {
        await this.deps.inventory.release(id, auth);
        await this.move({ event: 'STOCK_RELEASED' });
        return;
      } catch (error) {
        if (!(error instanceof DependencyRefusedError)) throw error;
        // Expired, already released, or committed after all: ask what it is now.
        state = await this.deps.inventory.getState(id, auth);
      }
    }
    if (state === 'COMMITTED') {
      await this.deps.inventory.restock(id, auth);
      await this.move({ event: 'STOCK_RESTOCKED' });
    }
  }

  private async undoPayment(): Promise<void> {
    const order = this.current;
    if (!reached(order.step, 'AUTHORIZING')) return;
    const auth = this.input.authorization;
    let views: PaymentView[] = order.payment
      ? [{ id: order.payment.paymentId, status: order.payment.status, declineCode: '', card: order.payment.card }]
      : await this.deps.payments.listForOrder(order.id, auth);
    for (let attempt = 0; attempt < 2; attempt++) {
      let stale = false;
      for (const view of views) {
        try {
          const settled = await this.settlePayment(view);
          if (settled) await this.move({ payment: { paymentId: settled.id, status: settled.status, card: settled.card ?? order.payment?.card ?? null }, event: `PAYMENT_${settled.status}` });
        } catch (error) {
          if (!(error instanceof DependencyRefusedError)) throw error;
          stale = true;
        }
      }
      if (!stale) return;
      // Our view of the payment was out of date (e.g. a capture whose answer was lost): look again.
      views = await this.deps.payments.listForOrder(order.id, auth);
    }
    if (views.some((view) => SETTLEABLE.has(view.status))) {
      // Never CANCELLED while money is still held or taken: the recovery worker tries again.
      throw new DependencyUnavailableError('payment', 'payment: the payment could not be settled yet', { notSent: false });
    }
  }

  /** Voids an authorization or refunds a capture; undefined when nothing needs doing. */
  private async settlePayment(view: PaymentView): Promise<PaymentView | undefined> {
    const auth = this.input.authorization;
    const orderId = this.current.id;
    if (view.status === 'AUTHORIZED') return this.deps.payments.void(voidRequestId(orderId), view.id, auth);
    if (view.status === 'CAPTURED' || view.status === 'PARTIALLY_REFUNDED') {
      // One fixed reason: it is part of the refund's idempotency fingerprint, and a retried cancel may come
      // with another status reason (customer, then admin) for the same refund.
      return this.deps.payments.refund(refundRequestId(orderId), view.id, REFUND_REASON, auth);
    }
    return undefined;
  }

  // ---- cancellation of a confirmed order ----------------------------------------------------------------

  private async cancelConfirmed(): Promise<SagaOutcome> {
    const order = this.current;
    const reason = order.pendingReason ?? CancelReason.CUSTOMER_CANCELLED;
    const auth = this.input.authorization;
    if (order.payment && SETTLEABLE.has(order.payment.status)) {
      // undoPayment re-reads the payment when our view is stale and refuses to go on while money is held.
      await this.undoPayment();
    }
    await this.deps.inventory.restock(order.id, auth);
    await this.move({ status: 'CANCELLED', statusReason: reason, phase: 'DONE', pendingReason: null, event: 'CANCELLED', detail: reason });
    return { kind: 'cancelled', order: this.current, error: this.answer };
  }
}

/** Payment states that still hold or have taken the customer's money. */
const SETTLEABLE = new Set<string>(['AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED']);
const REFUND_REASON = 'order cancelled';

function unavailableAnswer(error: DependencyUnavailableError): DomainError {
  return unavailable(
    'DEPENDENCY_UNAVAILABLE',
    `The ${error.dependency} service is unavailable; the order was not placed, try again later`,
    error.retryAfterSeconds ?? 1,
  );
}

export { LeaseLostError };
