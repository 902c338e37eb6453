import { OrderStatus, type Order } from '@shop/proto/gen/shop/order/v1/order';
import { paymentStatusFromJSON, PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import type { OrderRecord } from '../domain/order';

const STATUS: Record<OrderRecord['status'], OrderStatus> = {
  PENDING: OrderStatus.ORDER_STATUS_PENDING,
  CONFIRMED: OrderStatus.ORDER_STATUS_CONFIRMED,
  CANCELLED: OrderStatus.ORDER_STATUS_CANCELLED,
};

/** The order as clients see it. Deterministic, so that a replayed snapshot encodes to the same bytes. */
export function toProtoOrder(order: OrderRecord): Order {
  const currency = order.currency ?? '';
  const money = (amount: bigint | null) => (amount === null ? undefined : { currencyCode: currency, amountMinor: amount });
  return {
    id: order.id,
    userId: order.userId,
    status: STATUS[order.status],
    statusReason: order.statusReason,
    items: order.items.map((item) => ({
      productId: item.productId,
      sku: item.sku ?? '',
      name: item.name ?? '',
      unitPrice: money(item.unitPriceMinor),
      quantity: item.quantity,
      lineTotal: money(item.lineTotalMinor),
    })),
    total: money(order.totalMinor),
    shippingAddress: { ...order.shipping },
    payment: order.payment
      ? {
          paymentId: order.payment.paymentId,
          status: toPaymentStatus(order.payment.status),
          card: order.payment.card ? { ...order.payment.card } : undefined,
        }
      : undefined,
    createTime: order.createTime,
    updateTime: order.updateTime,
  };
}

function toPaymentStatus(name: string): PaymentStatus {
  try {
    return paymentStatusFromJSON(`PAYMENT_STATUS_${name}`);
  } catch {
    return PaymentStatus.PAYMENT_STATUS_UNSPECIFIED;
  }
}

export const ORDER_STATUS_FILTER: Partial<Record<OrderStatus, OrderRecord['status']>> = {
  [OrderStatus.ORDER_STATUS_PENDING]: 'PENDING',
  [OrderStatus.ORDER_STATUS_CONFIRMED]: 'CONFIRMED',
  [OrderStatus.ORDER_STATUS_CANCELLED]: 'CANCELLED',
};
