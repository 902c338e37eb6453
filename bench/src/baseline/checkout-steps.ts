import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { CheckoutRefused, type CheckoutBody, type PricedLine } from './checkout-types';

/** BEGIN ... COMMIT on one pooled connection, ROLLBACK on any error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Order database: idempotency key, order row, its items and the first saga step, in one transaction. */
export function createOrder(order: Pool, orderId: string, userId: string, requestId: string, fingerprint: string, body: CheckoutBody): Promise<void> {
  const ship = body.shippingAddress;
  return inTransaction(order, async (tx) => {
    const key = await tx.query(
      `INSERT INTO idempotency_keys (user_id, request_id, fingerprint, order_id, expires_at)
       VALUES ($1, $2, $3, $4::uuid, now() + interval '24 hours') ON CONFLICT DO NOTHING`,
      [userId, requestId, fingerprint, orderId],
    );
    if (key.rowCount === 0) throw new CheckoutRefused(409, 'REQUEST_IN_PROGRESS');
    await tx.query(
      `INSERT INTO orders (id, user_id, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_country, lease_owner, lease_until)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, 'baseline', now() + interval '30 seconds')`,
      [orderId, userId, ship.name, ship.line1, ship.line2 ?? '', ship.city, ship.postalCode, ship.country],
    );
    await tx.query(
      `INSERT INTO order_items (order_id, product_id, position, quantity)
       SELECT $1::uuid, x.product_id, x.position, x.quantity FROM unnest($2::text[], $3::int[], $4::int[]) AS x(product_id, position, quantity)`,
      [orderId, body.items.map((item) => item.productId), body.items.map((_, index) => index), body.items.map((item) => item.quantity)],
    );
    await tx.query(`INSERT INTO saga_steps (order_id, phase, step, event) VALUES ($1::uuid, 'FORWARD', 'CREATED', 'CREATED')`, [orderId]);
  });
}

/** Product database: prices and currency from the catalog, never from the client. */
export async function priceItems(product: Pool, items: CheckoutBody['items']): Promise<{ currency: string; lines: PricedLine[] }> {
  const result = await product.query<{ id: string; sku: string; name: string; price_minor: string; currency: string; active: boolean }>({
    name: 'baseline_price',
    text: 'SELECT id::text AS id, sku, name, price_minor, currency, active FROM products WHERE id = ANY($1::uuid[])',
    values: [items.map((item) => item.productId)],
  });
  const byId = new Map(result.rows.map((row) => [row.id, row]));
  const lines = items.map((item) => {
    const row = byId.get(item.productId.toLowerCase());
    if (!row?.active) throw new CheckoutRefused(400, 'PRODUCT_UNAVAILABLE');
    const unitPriceMinor = BigInt(row.price_minor);
    return { ...item, sku: row.sku, name: row.name, unitPriceMinor, lineTotalMinor: unitPriceMinor * BigInt(item.quantity) };
  });
  const currencies = new Set(result.rows.map((row) => row.currency));
  if (currencies.size !== 1) throw new CheckoutRefused(400, 'CURRENCY_MISMATCH');
  return { currency: [...currencies][0] ?? 'USD', lines };
}

/** Product database: the reservation, conditional stock holds (all or nothing) and their ledger rows. */
export function reserveStock(product: Pool, reservationId: string, lines: PricedLine[]): Promise<void> {
  const sorted = [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  return inTransaction(product, async (tx) => {
    await tx.query(`INSERT INTO reservations (id, state, expire_time) VALUES ($1, 'HELD', now() + interval '900 seconds')`, [reservationId]);
    for (const line of sorted) {
      const held = await tx.query(
        `UPDATE stock s SET reserved = s.reserved + $2::int, update_time = now() FROM products p
         WHERE s.product_id = $1::uuid AND p.id = s.product_id AND p.active AND s.on_hand - s.reserved >= $2::int`,
        [line.productId, line.quantity],
      );
      if (held.rowCount === 0) throw new CheckoutRefused(409, 'OUT_OF_STOCK');
    }
    const ids = sorted.map((line) => line.productId);
    const quantities = sorted.map((line) => line.quantity);
    await tx.query(
      `INSERT INTO reservation_items (reservation_id, product_id, quantity)
       SELECT $1, x.product_id, x.quantity FROM unnest($2::uuid[], $3::int[]) AS x(product_id, quantity)`,
      [reservationId, ids, quantities],
    );
    await tx.query(
      `INSERT INTO stock_movements (product_id, kind, quantity, reservation_id)
       SELECT x.product_id, 'RESERVE', x.quantity, $1 FROM unnest($2::uuid[], $3::int[]) AS x(product_id, quantity)`,
      [reservationId, ids, quantities],
    );
  });
}

/** Payment database: idempotency key, payment row and its AUTHORIZATION ledger row. Returns the payment id. */
export function authorizePayment(payment: Pool, orderId: string, currency: string, amountMinor: bigint, card: CheckoutBody['card']): Promise<string> {
  const paymentId = randomUUID();
  const requestId = `${orderId}:authorize`;
  const digits = card.number.replace(/[\s-]/g, '');
  return inTransaction(payment, async (tx) => {
    await tx.query(
      `INSERT INTO idempotency_keys (request_id, operation, fingerprint, state, locked_until, updated_at)
       VALUES ($1, 'authorize', $2, 'IN_PROGRESS', now() + interval '60 seconds', now())`,
      [requestId, orderId],
    );
    await tx.query(
      `INSERT INTO payments (id, order_id, status, currency, requested_minor, card_brand, card_last4, card_exp_month, card_exp_year,
                             processor_reference, authorization_expires_at, updated_at)
       VALUES ($1::uuid, $2, 'AUTHORIZED', $3, $4::bigint, 'visa', $5, $6, $7, $8, now() + interval '7 days', now())`,
      [paymentId, orderId, currency, amountMinor.toString(), digits.slice(-4), card.expMonth, card.expYear, `sim_auth_${randomUUID()}`],
    );
    await tx.query(
      `INSERT INTO payment_transactions (id, payment_id, kind, amount_minor, currency, request_id)
       VALUES ($1::uuid, $2::uuid, 'AUTHORIZATION', $3::bigint, $4, $5)`,
      [randomUUID(), paymentId, amountMinor.toString(), currency, requestId],
    );
    await tx.query(`UPDATE idempotency_keys SET state = 'COMPLETED', payment_id = $2::uuid, updated_at = now() WHERE request_id = $1`, [requestId, paymentId]);
    return paymentId;
  });
}

/** Product database: reservation HELD -> COMMITTED, held stock becomes sold, ledger rows. */
export function commitReservation(product: Pool, reservationId: string): Promise<void> {
  return inTransaction(product, async (tx) => {
    const moved = await tx.query(`UPDATE reservations SET state = 'COMMITTED', update_time = now() WHERE id = $1 AND state = 'HELD'`, [reservationId]);
    if (moved.rowCount === 0) throw new CheckoutRefused(409, 'RESERVATION_EXPIRED');
    await tx.query(
      `UPDATE stock s SET on_hand = s.on_hand - ri.quantity, reserved = s.reserved - ri.quantity, sold = s.sold + ri.quantity, update_time = now()
       FROM reservation_items ri WHERE ri.reservation_id = $1 AND s.product_id = ri.product_id`,
      [reservationId],
    );
    await tx.query(
      `INSERT INTO stock_movements (product_id, kind, quantity, reservation_id)
       SELECT product_id, 'COMMIT', -quantity, reservation_id FROM reservation_items WHERE reservation_id = $1 ORDER BY product_id`,
      [reservationId],
    );
  });
}

/** Payment database: the payment row locked, a CAPTURE ledger row, status CAPTURED, idempotency key. */
export function capturePayment(payment: Pool, orderId: string, paymentId: string, currency: string, amountMinor: bigint): Promise<void> {
  const requestId = `${orderId}:capture`;
  return inTransaction(payment, async (tx) => {
    await tx.query(
      `INSERT INTO idempotency_keys (request_id, operation, fingerprint, state, locked_until, updated_at)
       VALUES ($1, 'capture', $2, 'IN_PROGRESS', now() + interval '60 seconds', now())`,
      [requestId, paymentId],
    );
    await tx.query('SELECT id FROM payments WHERE id = $1::uuid FOR UPDATE', [paymentId]);
    await tx.query(
      `INSERT INTO payment_transactions (id, payment_id, kind, amount_minor, currency, request_id)
       VALUES ($1::uuid, $2::uuid, 'CAPTURE', $3::bigint, $4, $5)`,
      [randomUUID(), paymentId, amountMinor.toString(), currency, requestId],
    );
    await tx.query(`UPDATE payments SET status = 'CAPTURED', updated_at = now() WHERE id = $1::uuid`, [paymentId]);
    await tx.query(`UPDATE idempotency_keys SET state = 'COMPLETED', payment_id = $2::uuid, updated_at = now() WHERE request_id = $1`, [requestId, paymentId]);
  });
}
