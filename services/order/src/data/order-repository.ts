import type { Pool } from 'pg';
import { LeaseLostError } from '../domain/dependency-errors';
import type { OrderRecord } from '../domain/order';
import type { OrderRepository, OrderTransition } from '../domain/ports';
import { orderColumns, orderFromRow, type OrderSqlRow } from './order-row';
import { snapshotText } from './order-snapshot';
import { statement } from './statement';
import { transitionStatement } from './transition-statement';

const GET_ORDER = `SELECT ${orderColumns('o')} FROM orders o WHERE o.id = $1::uuid`;

// The claim, its log row and the claimed order in one statement.
const CLAIM_FOR_CANCEL = `WITH c AS (
    UPDATE orders
       SET phase = 'CANCELLING', pending_reason = $3, lease_owner = $2, lease_until = $5, update_time = $4
     WHERE id = $1::uuid AND status = 'CONFIRMED' AND phase IN ('DONE', 'CANCELLING') AND (lease_until IS NULL OR lease_until < $4)
 RETURNING *),
  logged AS (INSERT INTO saga_steps (order_id, phase, step, event, detail) SELECT id, 'CANCELLING', 'CAPTURED', 'CANCEL_REQUESTED', $3 FROM c)
SELECT ${orderColumns('c')} FROM c`;

// SKIP LOCKED: replicas claiming at the same moment take different orders instead of waiting on each other.
const CLAIM_STALE = `WITH c AS (
    UPDATE orders AS o
       SET lease_owner = $1, lease_until = $2, recovery_attempts = o.recovery_attempts + 1
      FROM (SELECT id FROM orders
             WHERE phase <> 'DONE' AND (lease_until IS NULL OR lease_until < $3)
             ORDER BY lease_until NULLS FIRST
             LIMIT $4
             FOR UPDATE SKIP LOCKED) AS stale
     WHERE o.id = stale.id
 RETURNING o.*)
SELECT ${orderColumns('c')} FROM c`;

const RELEASE_LEASE = `UPDATE orders SET lease_until = $3 WHERE id = $1::uuid AND lease_owner = $2 AND phase <> 'DONE'`;

/**
 * Orders and their saga state, in raw SQL on the shared pool (the saga's hot path): every write is one
 * statement, fenced by the lease owner and logged in saga_steps.
 */
export class SqlOrderRepository implements OrderRepository {
  constructor(
    private readonly pool: Pool,
    private readonly leaseMs: number,
  ) {}

  async get(orderId: string): Promise<OrderRecord | null> {
    if (!isUuid(orderId)) return null;
    const { rows } = await this.pool.query<OrderSqlRow>(statement('get_order', GET_ORDER, [orderId]));
    return rows[0] ? orderFromRow(rows[0]) : null;
  }

  async transition(order: OrderRecord, owner: string, change: OrderTransition): Promise<OrderRecord> {
    const now = new Date();
    const leaseUntil = change.phase === 'DONE' ? null : new Date(now.getTime() + this.leaseMs);
    // What is written is known: the answer needs no read back, and a stored answer is this very record.
    const next: OrderRecord = {
      ...order,
      status: change.status ?? order.status,
      statusReason: change.statusReason ?? order.statusReason,
      phase: change.phase ?? order.phase,
      step: change.step ?? order.step,
      pendingReason: change.pendingReason !== undefined ? change.pendingReason : order.pendingReason,
      currency: change.priced?.currency ?? order.currency,
      totalMinor: change.priced?.totalMinor ?? order.totalMinor,
      payment: change.payment ?? order.payment,
      items: change.priced?.items ?? order.items,
      updateTime: now,
    };
    const answer = change.answer ? snapshotText(next) : undefined;
    const { rowCount } = await this.pool.query(transitionStatement(order.id, owner, change, { now, leaseUntil }, answer));
    // No row: another worker holds the lease now.
    if (rowCount !== 1) throw new LeaseLostError(order.id);
    return next;
  }

  async releaseLease(orderId: string, owner: string, retryAt: Date): Promise<void> {
    await this.pool.query(statement('release_lease', RELEASE_LEASE, [orderId, owner, retryAt]));
  }

  async claimForCancel(orderId: string, owner: string, reason: string): Promise<OrderRecord | null> {
    const now = new Date();
    const until = new Date(now.getTime() + this.leaseMs);
    const { rows } = await this.pool.query<OrderSqlRow>(statement('claim_for_cancel', CLAIM_FOR_CANCEL, [orderId, owner, reason, now, until]));
    return rows[0] ? orderFromRow(rows[0]) : null;
  }

  async claimStale(owner: string, limit: number): Promise<OrderRecord[]> {
    const now = new Date();
    const until = new Date(now.getTime() + this.leaseMs);
    const { rows } = await this.pool.query<OrderSqlRow>(statement('claim_stale', CLAIM_STALE, [owner, until, now, limit]));
    return rows.map(orderFromRow);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);
