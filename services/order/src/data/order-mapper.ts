import type { OrderLine, OrderRecord, PaymentState } from '../domain/order';
import type { OrderGetPayload } from '../generated/prisma/models/Order';

export const ORDER_INCLUDE = { items: { orderBy: { position: 'asc' } } } as const;

export type OrderRow = OrderGetPayload<{ include: typeof ORDER_INCLUDE }>;

export function toOrderRecord(row: OrderRow): OrderRecord {
  const items: OrderLine[] = row.items.map((item) => ({
    productId: item.productId,
    quantity: item.quantity,
    sku: item.sku,
    name: item.name,
    unitPriceMinor: item.unitPriceMinor,
    lineTotalMinor: item.lineTotalMinor,
  }));
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    statusReason: row.statusReason,
    phase: row.phase,
    step: row.step,
    pendingReason: row.pendingReason,
    currency: row.currency,
    totalMinor: row.totalMinor,
    shipping: {
      name: row.shipName, line1: row.shipLine1, line2: row.shipLine2, city: row.shipCity, postalCode: row.shipPostalCode, country: row.shipCountry,
    },
    payment: row.paymentId
      ? {
          paymentId: row.paymentId,
          status: (row.paymentStatus ?? 'UNSPECIFIED') as PaymentState,
          card: row.cardBrand && row.cardLast4
            ? { brand: row.cardBrand, last4: row.cardLast4, expMonth: row.cardExpMonth ?? 0, expYear: row.cardExpYear ?? 0 }
            : null,
        }
      : null,
    items,
    createTime: row.createTime,
    updateTime: row.updateTime,
  };
}
