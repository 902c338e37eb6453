import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  authorizePayment,
  capturePayment,
  commitReservation,
  createOrder,
  inTransaction,
  priceItems,
  reserveStock,
} from './checkout-steps';
import { CheckoutRefused, type CheckoutBody, type PlacedOrder } from './checkout-types';
import type { BaselinePools } from './pools';

/**
 * What one baseline checkout writes, in the saga's order and in the same three databases: order + items +
 * idempotency key; pricing read; reservation + stock holds + ledger; payment + AUTHORIZATION row; commit of the
 * reservation; CAPTURE row; order CONFIRMED with its stored answer. Unlike the saga it does not persist the
 * intermediate steps (RESERVING, AUTHORIZING, ...) and makes no gRPC calls: it is the floor of the work.
 */
export async function placeOrder(pools: BaselinePools, userId: string, requestId: string, body: CheckoutBody): Promise<PlacedOrder> {
  const orderId = randomUUID();
  const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  await createOrder(pools.order, orderId, userId, requestId, fingerprint, body);
  try {
    const { currency, lines } = await priceItems(pools.product, body.items);
    const totalMinor = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0n);
    await reserveStock(pools.product, orderId, lines);
    const paymentId = await authorizePayment(pools.payment, orderId, currency, totalMinor, body.card);
    await commitReservation(pools.product, orderId);
    await capturePayment(pools.payment, orderId, paymentId, currency, totalMinor);
    const placed: PlacedOrder = { id: orderId, userId, currency, totalMinor, lines, paymentId, cardLast4: body.card.number.slice(-4) };
    await confirmOrder(pools.order, placed, body);
    return placed;
  } catch (error) {
    if (error instanceof CheckoutRefused) await cancelOrder(pools.order, orderId, error.reason);
    throw error;
  }
}

async function confirmOrder(order: Pool, placed: PlacedOrder, body: CheckoutBody): Promise<void> {
  const card = body.card;
  await inTransaction(order, async (tx) => {
    await tx.query(
      `UPDATE orders SET status = 'CONFIRMED', phase = 'DONE', step = 'CAPTURED', currency = $2, total_minor = $3::bigint,
              payment_id = $4, payment_status = 'CAPTURED', card_brand = 'visa', card_last4 = $5, card_exp_month = $6, card_exp_year = $7,
              lease_owner = NULL, lease_until = NULL, update_time = now()
        WHERE id = $1::uuid`,
      [placed.id, placed.currency, placed.totalMinor.toString(), placed.paymentId, placed.cardLast4, card.expMonth, card.expYear],
    );
    await tx.query(
      `UPDATE order_items oi SET sku = x.sku, name = x.name, unit_price_minor = x.unit, line_total_minor = x.total
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS x(product_id, sku, name, unit, total)
        WHERE oi.order_id = $1::uuid AND oi.product_id = x.product_id`,
      [
        placed.id,
        placed.lines.map((line) => line.productId),
        placed.lines.map((line) => line.sku),
        placed.lines.map((line) => line.name),
        placed.lines.map((line) => line.unitPriceMinor.toString()),
        placed.lines.map((line) => line.lineTotalMinor.toString()),
      ],
    );
    await tx.query(`INSERT INTO saga_steps (order_id, phase, step, event) VALUES ($1::uuid, 'DONE', 'CAPTURED', 'CONFIRMED')`, [placed.id]);
    await tx.query(`UPDATE idempotency_keys SET state = 'COMPLETED', result_code = 0, result_order = $2::jsonb WHERE order_id = $1::uuid`, [
      placed.id,
      JSON.stringify(orderJson(placed)),
    ]);
  });
}

async function cancelOrder(order: Pool, orderId: string, reason: string): Promise<void> {
  await order.query(
    `UPDATE orders SET status = 'CANCELLED', status_reason = $2, phase = 'DONE', lease_owner = NULL, lease_until = NULL, update_time = now() WHERE id = $1::uuid`,
    [orderId, reason],
  );
  await order.query(`UPDATE idempotency_keys SET state = 'COMPLETED', result_code = 9, error_message = $2 WHERE order_id = $1::uuid`, [orderId, reason]);
}

/** The answer's shape, close to the edge's order JSON. */
export function orderJson(placed: PlacedOrder): Record<string, unknown> {
  const money = (minor: bigint) => ({ amountMinor: Number(minor), currency: placed.currency });
  return {
    id: placed.id,
    userId: placed.userId,
    status: 'CONFIRMED',
    statusReason: '',
    items: placed.lines.map((line) => ({
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      unitPrice: money(line.unitPriceMinor),
      quantity: line.quantity,
      lineTotal: money(line.lineTotalMinor),
    })),
    total: money(placed.totalMinor),
    payment: { id: placed.paymentId, status: 'CAPTURED', cardLast4: placed.cardLast4 },
  };
}
