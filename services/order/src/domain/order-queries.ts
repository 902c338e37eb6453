import { aborted, failedPrecondition, notFound, type Principal } from '@shop/platform';
import type { CheckoutSaga } from './checkout-saga';
import { CancelReason, type OrderRecord, type OrderStatus } from './order';
import type { OrderRepository } from './ports';

/** Where a page of a newest-first listing continues. */
export interface OrderCursor {
  createTime: string;
  id: string;
}

export interface OrderPage {
  orders: OrderRecord[];
  next: OrderCursor | undefined;
}

export interface OrderReader {
  listByUser(userId: string, limit: number, after: OrderCursor | undefined): Promise<OrderPage>;
  listAll(status: OrderStatus | undefined, limit: number, after: OrderCursor | undefined): Promise<OrderPage>;
}

/** Reading and cancelling orders, with the ownership rule: another user's order looks exactly like a missing one. */
export class OrderQueries {
  constructor(
    private readonly repo: OrderRepository,
    private readonly reader: OrderReader,
    private readonly saga: CheckoutSaga,
    private readonly owner: string,
  ) {}

  async get(orderId: string, caller: Principal): Promise<OrderRecord> {
    const order = await this.repo.get(orderId);
    if (!order || (order.userId !== caller.userId && caller.role !== 'ADMIN')) throw orderNotFound();
    return order;
  }

  listOwn(caller: Principal, limit: number, after: OrderCursor | undefined): Promise<OrderPage> {
    return this.reader.listByUser(caller.userId, limit, after);
  }

  listAll(status: OrderStatus | undefined, limit: number, after: OrderCursor | undefined): Promise<OrderPage> {
    return this.reader.listAll(status, limit, after);
  }

  /** Refunds and restocks a CONFIRMED order; a CANCELLED one comes back unchanged. */
  async cancel(orderId: string, caller: Principal, authorization: string): Promise<OrderRecord> {
    const order = await this.get(orderId, caller);
    if (order.status === 'CANCELLED') return order;
    if (order.status === 'PENDING') {
      throw failedPrecondition('INVALID_STATE_TRANSITION', 'The order is still being placed and cannot be cancelled yet', { orderId });
    }
    const reason = caller.role === 'ADMIN' && caller.userId !== order.userId ? CancelReason.ADMIN_CANCELLED : CancelReason.CUSTOMER_CANCELLED;
    const claimed = await this.repo.claimForCancel(orderId, this.owner, reason);
    if (!claimed) {
      const latest = await this.repo.get(orderId);
      if (latest?.status === 'CANCELLED') return latest;
      throw aborted('REQUEST_IN_PROGRESS', 'The order is being cancelled right now, try again shortly');
    }
    const outcome = await this.saga.run(claimed, { owner: this.owner, authorization });
    if (outcome.kind === 'unfinished') throw outcome.error;
    return outcome.order;
  }
}

// No id in the message: the answer for another user's order must not differ in any byte from a missing one's.
export const orderNotFound = () => notFound('Order not found');
