import type { CardInput, CardSummary, OrderLine, OrderRecord, PaymentState, SagaPhase, SagaStep, OrderStatus, OrderPaymentSummary, ShippingAddress } from './order';

/**
 * What the saga needs from the outside world. Calls throw DependencyUnavailableError (transient) or
 * DependencyRefusedError (final); `authorization` is the bearer token the call is made with.
 */

export interface CatalogProduct {
  id: string;
  sku: string;
  name: string;
  priceMinor: bigint;
  currency: string;
  active: boolean;
}

export interface Catalog {
  /** In the order of `ids`; refused with NOT_FOUND when any id is unknown. */
  batchGetProducts(ids: string[], authorization: string): Promise<CatalogProduct[]>;
}

export type ReservationState = 'HELD' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'RESTOCKED' | 'UNKNOWN';

export interface Inventory {
  /** All or nothing; refused with reason OUT_OF_STOCK when any item is short. */
  reserve(reservationId: string, items: Array<{ productId: string; quantity: number }>, authorization: string): Promise<void>;
  commit(reservationId: string, authorization: string): Promise<void>;
  release(reservationId: string, authorization: string): Promise<void>;
  restock(reservationId: string, authorization: string): Promise<void>;
  /** null when no such reservation exists. */
  getState(reservationId: string, authorization: string): Promise<ReservationState | null>;
}

export interface PaymentView {
  id: string;
  status: PaymentState;
  declineCode: string;
  card: CardSummary | null;
}

export interface Payments {
  authorize(
    input: { requestId: string; orderId: string; amountMinor: bigint; currency: string; card: CardInput },
    authorization: string,
  ): Promise<PaymentView>;
  capture(requestId: string, paymentId: string, authorization: string): Promise<PaymentView>;
  void(requestId: string, paymentId: string, authorization: string): Promise<PaymentView>;
  refund(requestId: string, paymentId: string, reason: string, authorization: string): Promise<PaymentView>;
  listForOrder(orderId: string, authorization: string): Promise<PaymentView[]>;
}

/** A change of the order's saga state, written together with one row of the saga log. */
export interface OrderTransition {
  status?: OrderStatus;
  statusReason?: string;
  phase?: SagaPhase;
  step?: SagaStep;
  pendingReason?: string | null;
  payment?: OrderPaymentSummary;
  priced?: { currency: string; totalMinor: bigint; items: OrderLine[] };
  /**
   * Also stores the order as changed as the answer of its CreateOrder idempotency key (if that key is still
   * IN_PROGRESS), in the same write: the confirmation and its replayable answer are one statement, not two.
   */
  answer?: true;
  event: string;
  detail?: string;
}

export interface NewOrder {
  id: string;
  userId: string;
  shipping: ShippingAddress;
  items: Array<{ productId: string; quantity: number }>;
}

export interface OrderRepository {
  get(orderId: string): Promise<OrderRecord | null>;
  /**
   * Applies a transition if `owner` still holds the lease, and extends it; throws LeaseLostError otherwise.
   * A transition to phase DONE clears the lease. Answers `order` with the change. With `change.answer` the
   * changed order is also stored on the order's IN_PROGRESS idempotency key, in the same atomic write.
   */
  transition(order: OrderRecord, owner: string, change: OrderTransition): Promise<OrderRecord>;
  /** Gives the order back to the recovery worker, which may claim it again after `retryAt`. */
  releaseLease(orderId: string, owner: string, retryAt: Date): Promise<void>;
  /**
   * Takes the lease of a CONFIRMED order to cancel it, or null if the order is not CONFIRMED or someone else
   * holds its lease.
   */
  claimForCancel(orderId: string, owner: string, reason: string): Promise<OrderRecord | null>;
  /** Claims up to `limit` unfinished orders whose lease ran out (safe across replicas). */
  claimStale(owner: string, limit: number): Promise<OrderRecord[]>;
}
