import type { QueryConfig } from 'pg';
import type { OrderTransition } from '../domain/ports';
import { generatedStatement } from './statement';

/**
 * One saga transition as ONE SQL statement (atomic on its own, one round trip): the order update fenced by the
 * lease owner, the price snapshots when the change prices the order, and the saga_steps row. The step row and
 * the snapshots are written only through the fenced update's RETURNING, so a lost lease writes nothing and the
 * statement reports 0 rows. With `answer` (the changed order's snapshot text), the order's IN_PROGRESS idempotency
 * key is completed with it in the same statement, also only through the fenced update.
 */
export function transitionStatement(
  orderId: string,
  owner: string,
  change: OrderTransition,
  times: { now: Date; leaseUntil: Date | null },
  answer?: string,
): QueryConfig {
  const values: unknown[] = [orderId, owner, times.now, times.leaseUntil === null ? null : owner, times.leaseUntil];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const sets = ['update_time = $3', 'lease_owner = $4', 'lease_until = $5'];
  if (change.status !== undefined) sets.push(`status = ${param(change.status)}::order_status`);
  if (change.statusReason !== undefined) sets.push(`status_reason = ${param(change.statusReason)}`);
  if (change.phase !== undefined) sets.push(`phase = ${param(change.phase)}::saga_phase`);
  if (change.step !== undefined) sets.push(`step = ${param(change.step)}::saga_step`);
  if (change.pendingReason !== undefined) sets.push(`pending_reason = ${param(change.pendingReason)}`);
  if (change.payment) {
    const card = change.payment.card;
    sets.push(
      `payment_id = ${param(change.payment.paymentId)}`,
      `payment_status = ${param(change.payment.status)}`,
      `card_brand = ${param(card?.brand ?? null)}`,
      `card_last4 = ${param(card?.last4 ?? null)}`,
      `card_exp_month = ${param(card?.expMonth ?? null)}::int`,
      `card_exp_year = ${param(card?.expYear ?? null)}::int`,
    );
  }
  let snapshots = '';
  if (change.priced) {
    const { items } = change.priced;
    sets.push(`currency = ${param(change.priced.currency)}`, `total_minor = ${param(change.priced.totalMinor.toString())}::bigint`);
    snapshots = `,
  priced AS (
    UPDATE order_items AS oi
       SET sku = x.sku, name = x.name, unit_price_minor = x.unit, line_total_minor = x.total
      FROM moved,
           unnest(${param(items.map((item) => item.productId))}::text[], ${param(items.map((item) => item.sku))}::text[],
                  ${param(items.map((item) => item.name))}::text[], ${param(items.map((item) => item.unitPriceMinor?.toString() ?? null))}::bigint[],
                  ${param(items.map((item) => item.lineTotalMinor?.toString() ?? null))}::bigint[]) AS x(product_id, sku, name, unit, total)
     WHERE oi.order_id = moved.id AND oi.product_id = x.product_id)`;
  }
  const answered = answer === undefined ? '' : `,
  answered AS (
    UPDATE idempotency_keys SET state = 'COMPLETED', result_code = 0, result_order = ${param(answer)}::jsonb
     WHERE order_id = (SELECT id FROM moved) AND state = 'IN_PROGRESS')`;
  const text = `WITH moved AS (
    UPDATE orders SET ${sets.join(', ')}
     WHERE id = $1::uuid AND lease_owner = $2
 RETURNING id, phase, step)${snapshots}${answered}
INSERT INTO saga_steps (order_id, phase, step, event, detail)
SELECT id, phase, step, ${param(change.event)}, ${param(change.detail ?? '')} FROM moved`;
  return generatedStatement('transition', text, values);
}
