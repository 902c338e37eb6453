import type { OrderLine, OrderRecord, OrderStatus, PaymentState, SagaPhase, SagaStep } from '../domain/order';

/** An order as `orderColumns` selects it: bigints as text (exact), items as one JSON array in position order. */
export interface OrderSqlRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  status_reason: string;
  phase: SagaPhase;
  step: SagaStep;
  pending_reason: string | null;
  currency: string | null;
  total_minor: string | null;
  ship_name: string;
  ship_line1: string;
  ship_line2: string;
  ship_city: string;
  ship_postal_code: string;
  ship_country: string;
  payment_id: string | null;
  payment_status: string | null;
  card_brand: string | null;
  card_last4: string | null;
  card_exp_month: number | null;
  card_exp_year: number | null;
  create_time: Date;
  update_time: Date;
  items: ItemJson[];
}

interface ItemJson {
  productId: string;
  quantity: number;
  sku: string | null;
  name: string | null;
  unit: string | null;
  total: string | null;
}

/**
 * The select list of one order row and its items, for a row source aliased `alias` (the table, or a CTE's
 * RETURNING *), so that a claim can answer the order it claimed in the same statement.
 */
export function orderColumns(alias: string): string {
  return `${alias}.id::text AS id, ${alias}.user_id, ${alias}.status, ${alias}.status_reason, ${alias}.phase, ${alias}.step,
    ${alias}.pending_reason, ${alias}.currency, ${alias}.total_minor::text AS total_minor,
    ${alias}.ship_name, ${alias}.ship_line1, ${alias}.ship_line2, ${alias}.ship_city, ${alias}.ship_postal_code, ${alias}.ship_country,
    ${alias}.payment_id, ${alias}.payment_status, ${alias}.card_brand, ${alias}.card_last4, ${alias}.card_exp_month, ${alias}.card_exp_year,
    ${alias}.create_time, ${alias}.update_time,
    COALESCE((SELECT json_agg(json_build_object('productId', i.product_id, 'quantity', i.quantity, 'sku', i.sku, 'name', i.name,
                                                'unit', i.unit_price_minor::text, 'total', i.line_total_minor::text) ORDER BY i.position)
                FROM order_items i WHERE i.order_id = ${alias}.id), '[]'::json) AS items`;
}

const bigintOrNull = (value: string | null): bigint | null => (value === null ? null : BigInt(value));

export function orderFromRow(row: OrderSqlRow): OrderRecord {
  const items: OrderLine[] = row.items.map((item) => ({
    productId: item.productId,
    quantity: item.quantity,
    sku: item.sku,
    name: item.name,
    unitPriceMinor: bigintOrNull(item.unit),
    lineTotalMinor: bigintOrNull(item.total),
  }));
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    statusReason: row.status_reason,
    phase: row.phase,
    step: row.step,
    pendingReason: row.pending_reason,
    currency: row.currency,
    totalMinor: bigintOrNull(row.total_minor),
    shipping: {
      name: row.ship_name, line1: row.ship_line1, line2: row.ship_line2, city: row.ship_city, postalCode: row.ship_postal_code, country: row.ship_country,
    },
    payment: row.payment_id
      ? {
          paymentId: row.payment_id,
          status: (row.payment_status ?? 'UNSPECIFIED') as PaymentState,
          card: row.card_brand && row.card_last4
            ? { brand: row.card_brand, last4: row.card_last4, expMonth: row.card_exp_month ?? 0, expYear: row.card_exp_year ?? 0 }
            : null,
        }
      : null,
    items,
    createTime: row.create_time,
    updateTime: row.update_time,
  };
}
