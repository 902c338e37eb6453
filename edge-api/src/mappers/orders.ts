import type { z } from 'zod';
import { OrderStatus, type Order, type Address, type CreateOrderRequest } from '@shop/proto/gen/shop/order/v1/order';
import { paymentStatusToJSON, type PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import type { CreateOrderBody, ORDER_STATUSES, OrderSchema } from '../schemas/orders';
import { moneyToJson, stripEnumPrefix, timestampToJson } from './common';

type OrderJson = z.input<typeof OrderSchema>;

const STATUS: Record<OrderStatus, OrderJson['status']> = {
  [OrderStatus.ORDER_STATUS_UNSPECIFIED]: 'UNSPECIFIED',
  [OrderStatus.ORDER_STATUS_PENDING]: 'PENDING',
  [OrderStatus.ORDER_STATUS_CONFIRMED]: 'CONFIRMED',
  [OrderStatus.ORDER_STATUS_CANCELLED]: 'CANCELLED',
};

const STATUS_FILTER: Record<(typeof ORDER_STATUSES)[number], OrderStatus> = {
  PENDING: OrderStatus.ORDER_STATUS_PENDING,
  CONFIRMED: OrderStatus.ORDER_STATUS_CONFIRMED,
  CANCELLED: OrderStatus.ORDER_STATUS_CANCELLED,
};

export const orderStatusFromJson = (value: (typeof ORDER_STATUSES)[number] | undefined): OrderStatus =>
  value === undefined ? OrderStatus.ORDER_STATUS_UNSPECIFIED : STATUS_FILTER[value];

function paymentStatusName(value: PaymentStatus): string {
  try {
    return stripEnumPrefix(paymentStatusToJSON(value), 'PAYMENT_STATUS_');
  } catch {
    return 'UNSPECIFIED';
  }
}

const addressToJson = (address: Address | undefined): OrderJson['shippingAddress'] => ({
  name: address?.name ?? '',
  line1: address?.line1 ?? '',
  ...(address?.line2 ? { line2: address.line2 } : {}),
  city: address?.city ?? '',
  postalCode: address?.postalCode ?? '',
  country: address?.country ?? '',
});

/** Only the card summary (brand, last 4) ever leaves: the number and CVC are never echoed. */
export const orderToJson = (order: Order | undefined): OrderJson => {
  if (!order) throw new Error('order service answered without an order');
  const payment = order.payment;
  return {
    id: order.id,
    userId: order.userId,
    status: STATUS[order.status] ?? 'UNSPECIFIED',
    statusReason: order.statusReason,
    items: order.items.map((item) => ({
      productId: item.productId,
      sku: item.sku,
      name: item.name,
      unitPrice: moneyToJson(item.unitPrice),
      quantity: item.quantity,
      lineTotal: moneyToJson(item.lineTotal),
    })),
    total: moneyToJson(order.total),
    shippingAddress: addressToJson(order.shippingAddress),
    payment: payment
      ? {
          id: payment.paymentId,
          status: paymentStatusName(payment.status),
          card: payment.card
            ? { brand: payment.card.brand, last4: payment.card.last4, expMonth: payment.card.expMonth, expYear: payment.card.expYear }
            : null,
        }
      : null,
    createdAt: timestampToJson(order.createTime),
    updatedAt: timestampToJson(order.updateTime),
  };
};

export const createOrderRequest = (requestId: string, body: z.output<typeof CreateOrderBody>): CreateOrderRequest => ({
  requestId,
  items: body.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
  card: {
    // Spaces are a display convenience; the processor wants digits only.
    number: body.card.number.replace(/ /g, ''),
    expMonth: body.card.expMonth,
    expYear: body.card.expYear,
    cvc: body.card.cvc,
  },
  shippingAddress: {
    name: body.shippingAddress.name,
    line1: body.shippingAddress.line1,
    line2: body.shippingAddress.line2 ?? '',
    city: body.shippingAddress.city,
    postalCode: body.shippingAddress.postalCode,
    country: body.shippingAddress.country,
  },
});
