import type { Pool } from 'pg';
import type { BeginResult, IdempotencyStore, StoredKey, StoredOutcome } from '../domain/idempotency';
import type { OrderRecord } from '../domain/order';
import type { NewOrder } from '../domain/ports';
import { fromSnapshot, snapshotText } from './order-snapshot';
import { statement } from './statement';

interface ErrorDetails {
  reason?: string;
  metadata?: Record<string, string>;
  fieldViolations?: Array<{ field: string; description: string }>;
}

interface KeyRow {
  fingerprint: string;
  order_id: string;
  state: 'IN_PROGRESS' | 'COMPLETED';
  result_code: number | null;
  result_order: unknown;
  error_message: string | null;
  error_details: ErrorDetails | null;
  replaceable: boolean;
}

/*
 * The key, the order, its items and the first step row in ONE statement (atomic on its own): the order is
 * inserted only from the key's RETURNING, so when the key exists (ON CONFLICT DO NOTHING, which waits for a
 * concurrent inserter to commit first) nothing at all is written. Foreign keys are checked at the end of the
 * statement, when the order row exists.
 */
const INSERT_KEY_AND_ORDER = `WITH k AS (
    INSERT INTO idempotency_keys (user_id, request_id, fingerprint, order_id, expires_at)
    VALUES ($1, $2, $3, $4::uuid, $5)
    ON CONFLICT DO NOTHING
 RETURNING order_id),
  o AS (
    INSERT INTO orders (id, user_id, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_country, lease_owner, lease_until)
    SELECT order_id, $1, $6, $7, $8, $9, $10, $11, $12, $13 FROM k
 RETURNING id, create_time, update_time),
  i AS (
    INSERT INTO order_items (order_id, product_id, position, quantity)
    SELECT o.id, x.product_id, (x.ordinal - 1)::int, x.quantity FROM o, unnest($14::text[], $15::int[]) WITH ORDINALITY AS x(product_id, quantity, ordinal)),
  s AS (INSERT INTO saga_steps (order_id, phase, step, event) SELECT id, 'FORWARD', 'CREATED', 'CREATED' FROM o)
SELECT create_time, update_time FROM o`;

const SELECT_KEY = `SELECT fingerprint, order_id::text AS order_id, state, result_code, result_order, error_message, error_details,
       (state = 'COMPLETED' AND expires_at < now()) AS replaceable
  FROM idempotency_keys WHERE user_id = $1 AND request_id = $2`;

const DELETE_EXPIRED_KEY = `DELETE FROM idempotency_keys WHERE user_id = $1 AND request_id = $2 AND expires_at < now() AND state = 'COMPLETED'`;

const COMPLETE_WITH_ORDER = `UPDATE idempotency_keys SET state = 'COMPLETED', result_code = 0, result_order = $2::jsonb
  WHERE order_id = $1::uuid AND state = 'IN_PROGRESS'`;
const COMPLETE_WITH_ERROR = `UPDATE idempotency_keys SET state = 'COMPLETED', result_code = $2, error_message = $3, error_details = $4::jsonb
  WHERE order_id = $1::uuid AND state = 'IN_PROGRESS'`;
const DISCARD = `DELETE FROM idempotency_keys WHERE order_id = $1::uuid AND state = 'IN_PROGRESS'`;
const DELETE_EXPIRED = `DELETE FROM idempotency_keys WHERE expires_at < $1 AND state = 'COMPLETED'`;

// Each retry needs the key to change under us (deleted or expired between two statements): a few suffice.
const MAX_BEGIN_ATTEMPTS = 5;

/** CreateOrder's idempotency keys, in the same database (and statement) as the order they start. */
export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly pool: Pool) {}

  async begin(
    key: { userId: string; requestId: string; fingerprint: string; expiresAt: Date },
    order: NewOrder,
    lease: { owner: string; until: Date },
  ): Promise<BeginResult> {
    for (let attempt = 1; ; attempt++) {
      const started = await this.insert(key, order, lease);
      if (started) return { kind: 'started', order: started };
      const { rows } = await this.pool.query<KeyRow>(statement('find_key', SELECT_KEY, [key.userId, key.requestId]));
      const existing = rows[0];
      if (existing && !existing.replaceable) return { kind: 'existing', key: toStoredKey(existing) };
      if (attempt >= MAX_BEGIN_ATTEMPTS) throw new Error(`idempotency key of request ${key.requestId} keeps changing`);
      // An expired answer is replaced by this request; a key that vanished (discarded) is simply taken.
      if (existing) await this.pool.query(statement('delete_expired_key', DELETE_EXPIRED_KEY, [key.userId, key.requestId]));
    }
  }

  /** The new order as written, or null when the key exists. */
  private async insert(
    key: { userId: string; requestId: string; fingerprint: string; expiresAt: Date },
    order: NewOrder,
    lease: { owner: string; until: Date },
  ): Promise<OrderRecord | null> {
    const ship = order.shipping;
    const { rows } = await this.pool.query<{ create_time: Date; update_time: Date }>(statement('insert_key_and_order', INSERT_KEY_AND_ORDER, [
      key.userId, key.requestId, key.fingerprint, order.id, key.expiresAt,
      ship.name, ship.line1, ship.line2, ship.city, ship.postalCode, ship.country, lease.owner, lease.until,
      order.items.map((item) => item.productId), order.items.map((item) => item.quantity),
    ]));
    const row = rows[0];
    if (!row) return null;
    // Everything else is what was just inserted (column defaults included): no read back.
    return {
      id: order.id,
      userId: order.userId,
      status: 'PENDING',
      statusReason: '',
      phase: 'FORWARD',
      step: 'CREATED',
      pendingReason: null,
      currency: null,
      totalMinor: null,
      shipping: { ...ship },
      payment: null,
      items: order.items.map((item) => ({ productId: item.productId, quantity: item.quantity, sku: null, name: null, unitPriceMinor: null, lineTotalMinor: null })),
      createTime: row.create_time,
      updateTime: row.update_time,
    };
  }

  async complete(orderId: string, outcome: StoredOutcome): Promise<void> {
    if (outcome.kind === 'order') {
      await this.pool.query(statement('complete_with_order', COMPLETE_WITH_ORDER, [orderId, snapshotText(outcome.order)]));
      return;
    }
    const details: ErrorDetails = { ...(outcome.reason ? { reason: outcome.reason } : {}), metadata: outcome.metadata, fieldViolations: outcome.fieldViolations };
    await this.pool.query(statement('complete_with_error', COMPLETE_WITH_ERROR, [orderId, outcome.code, outcome.message, JSON.stringify(details)]));
  }

  async discard(orderId: string): Promise<void> {
    await this.pool.query(statement('discard_key', DISCARD, [orderId]));
  }

  async deleteExpired(now: Date): Promise<number> {
    // In-progress keys stay until their order is finished, however old, so that no answer is lost.
    const { rowCount } = await this.pool.query(statement('delete_expired_keys', DELETE_EXPIRED, [now]));
    return rowCount ?? 0;
  }
}

function toStoredKey(row: KeyRow): StoredKey {
  return { fingerprint: row.fingerprint, orderId: row.order_id, state: row.state, outcome: row.state === 'COMPLETED' ? toOutcome(row) : null };
}

function toOutcome(row: KeyRow): StoredOutcome | null {
  if (row.result_code === 0 && row.result_order !== null) return { kind: 'order', order: fromSnapshot(row.result_order) };
  if (row.result_code === null) return null;
  const details = row.error_details ?? {};
  return {
    kind: 'error',
    code: row.result_code,
    message: row.error_message ?? '',
    reason: details.reason,
    metadata: details.metadata ?? {},
    fieldViolations: details.fieldViolations ?? [],
  };
}
