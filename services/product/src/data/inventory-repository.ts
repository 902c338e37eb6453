import { failedPrecondition, notFound } from '@shop/platform';
import type { Pool, PoolClient } from 'pg';
import type { InventoryStore } from '../domain/ports';
import { STOCK_EFFECTS, TRANSITIONS, type ReservationItem, type ReservationRecord, type ReservationState } from '../domain/reservation';
import type { MovementKind, MovementRecord, StockRecord } from '../domain/stock';
import type { Database } from './database';
import { withTransaction } from './transaction';

type Queryable = Pool | PoolClient;

interface StockRow {
  product_id: string;
  on_hand: number;
  reserved: number;
  sold: number;
  update_time: Date;
}

interface MovementRow {
  // bigserial: `pg` returns int8 as a string, which is also the proto's id type.
  id: string;
  product_id: string;
  kind: MovementKind;
  quantity: number;
  reason: string;
  reservation_id: string | null;
  create_time: Date;
}

interface ReservationRow {
  id: string;
  state: ReservationState;
  expire_time: Date;
  create_time: Date;
  update_time: Date;
  items: ReservationItem[] | null;
}

const STOCK_COLUMNS = 'product_id, on_hand, reserved, sold, update_time';
const MOVEMENT_COLUMNS = 'id, product_id, kind, quantity, reason, reservation_id, create_time';

const stockFromRow = (row: StockRow): StockRecord => ({
  productId: row.product_id,
  onHand: row.on_hand,
  reserved: row.reserved,
  sold: row.sold,
  updateTime: row.update_time,
});

const movementFromRow = (row: MovementRow): MovementRecord => ({
  id: row.id,
  productId: row.product_id,
  kind: row.kind,
  quantity: row.quantity,
  reason: row.reason,
  reservationId: row.reservation_id,
  createTime: row.create_time,
});

async function readStock(db: Queryable, productId: string): Promise<StockRecord | undefined> {
  const { rows } = await db.query<StockRow>(`SELECT ${STOCK_COLUMNS} FROM stock WHERE product_id = $1::uuid`, [productId]);
  return rows[0] ? stockFromRow(rows[0]) : undefined;
}

async function readReservation(db: Queryable, id: string): Promise<ReservationRecord | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT r.id, r.state, r.expire_time, r.create_time, r.update_time,
            (SELECT json_agg(json_build_object('productId', i.product_id, 'quantity', i.quantity) ORDER BY i.product_id)
             FROM reservation_items i WHERE i.reservation_id = r.id) AS items
     FROM reservations r WHERE r.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    state: row.state,
    items: row.items ?? [],
    expireTime: row.expire_time,
    createTime: row.create_time,
    updateTime: row.update_time,
  };
}

/** After a conditional update missed: which of these products are unknown, inactive, or just short. */
async function explainShortfall(client: PoolClient, productIds: string[]): Promise<never> {
  const { rows } = await client.query<{ id: string; active: boolean }>('SELECT id, active FROM products WHERE id = ANY($1::uuid[])', [productIds]);
  const known = new Map(rows.map((row) => [row.id, row.active]));
  const missing = productIds.filter((id) => !known.has(id));
  if (missing.length > 0) throw notFound(`Unknown products: ${missing.join(', ')}`, { product_ids: missing.join(',') });
  const inactive = productIds.filter((id) => known.get(id) === false);
  if (inactive.length > 0) {
    throw failedPrecondition('PRODUCT_UNAVAILABLE', `Products no longer for sale: ${inactive.join(', ')}`, { product_ids: inactive.join(',') });
  }
  throw failedPrecondition('OUT_OF_STOCK', `Not enough stock for: ${productIds.join(', ')}`, { product_ids: productIds.join(',') });
}

/**
 * Inventory storage: every decision that guards stock is an atomic conditional UPDATE evaluated on the locked
 * row (never read-then-write), and the CHECK constraints in the migration back them up.
 */
export function createInventoryRepository(db: Database): InventoryStore {
  const { pool } = db;

  return {
    getStock: (productId) => readStock(pool, productId),

    adjust: (input) =>
      withTransaction(pool, async (client) => {
        const { rows: existing } = await client.query<{ n: number }>('SELECT 1 AS n FROM stock WHERE product_id = $1::uuid', [input.productId]);
        if (existing.length === 0) throw notFound(`Product ${input.productId} does not exist`, { product_id: input.productId });
        // The ledger row goes in first: its unique request id makes a retry, even a concurrent one, a replay.
        const { rows: inserted } = await client.query<MovementRow>(
          `INSERT INTO stock_movements (product_id, kind, quantity, reason, request_id)
           VALUES ($1::uuid, 'ADJUSTMENT', $2::int, $3, $4)
           ON CONFLICT (request_id) DO NOTHING RETURNING ${MOVEMENT_COLUMNS}`,
          [input.productId, input.delta, input.reason, input.requestId],
        );
        const movement = inserted[0];
        if (!movement) {
          const { rows } = await client.query<MovementRow>(`SELECT ${MOVEMENT_COLUMNS} FROM stock_movements WHERE request_id = $1`, [input.requestId]);
          const earlier = rows[0]!;
          return { applied: false, stock: (await readStock(client, earlier.product_id))!, movement: movementFromRow(earlier) };
        }
        // Conditional on available stock staying >= 0, judged on the locked row.
        const { rows: updated } = await client.query<StockRow>(
          `UPDATE stock SET on_hand = on_hand + $2::int, update_time = now()
           WHERE product_id = $1::uuid AND on_hand + $2::int >= reserved RETURNING ${STOCK_COLUMNS}`,
          [input.productId, input.delta],
        );
        if (!updated[0]) {
          const current = await readStock(client, input.productId);
          throw failedPrecondition('INSUFFICIENT_STOCK', 'The adjustment would take available stock below zero', {
            product_id: input.productId,
            available: String(current ? current.onHand - current.reserved : 0),
          });
        }
        return { applied: true, stock: stockFromRow(updated[0]), movement: movementFromRow(movement) };
      }),

    async listMovements(productId, beforeId, limit) {
      const { rows } = await pool.query<MovementRow>(
        `SELECT ${MOVEMENT_COLUMNS} FROM stock_movements
         WHERE product_id = $1::uuid AND ($2::bigint IS NULL OR id < $2::bigint)
         ORDER BY id DESC LIMIT $3`,
        [productId, beforeId ?? null, limit],
      );
      return rows.map(movementFromRow);
    },

    async reserve(id, items, ttlSeconds) {
      const productIds = items.map((item) => item.productId);
      const quantities = items.map((item) => item.quantity);
      const created = await withTransaction(pool, async (client) => {
        // The reservation row first: its primary key serialises replays of the same id, even concurrent ones
        // (a twin waits on the key, then finds the row; if this transaction rolls back, the twin proceeds).
        const { rowCount } = await client.query(
          `INSERT INTO reservations (id, state, expire_time) VALUES ($1, 'HELD', now() + make_interval(secs => $2::int))
           ON CONFLICT (id) DO NOTHING`,
          [id, ttlSeconds],
        );
        if (rowCount === 0) return false;

        const short: string[] = [];
        // Items arrive sorted by product id, so concurrent reservations lock stock rows in one order (no deadlock).
        for (const item of items) {
          const { rowCount: hit } = await client.query(
            `UPDATE stock s SET reserved = s.reserved + $2::int, update_time = now()
             FROM products p
             WHERE s.product_id = $1::uuid AND p.id = s.product_id AND p.active AND s.on_hand - s.reserved >= $2::int`,
            [item.productId, item.quantity],
          );
          if (hit === 0) short.push(item.productId);
        }
        // Throwing rolls back every hold made above and the reservation row: all or nothing.
        if (short.length > 0) await explainShortfall(client, short);

        await client.query(
          `WITH x AS (SELECT * FROM unnest($2::uuid[], $3::int[]) AS x(product_id, quantity)),
                items AS (INSERT INTO reservation_items (reservation_id, product_id, quantity) SELECT $1, product_id, quantity FROM x)
           INSERT INTO stock_movements (product_id, kind, quantity, reservation_id) SELECT product_id, 'RESERVE', quantity, $1 FROM x`,
          [id, productIds, quantities],
        );
        return true;
      });
      const reservation = await readReservation(pool, id);
      if (!reservation) throw new Error(`Reservation ${id} vanished after reserve`);
      return { created, reservation };
    },

    async transition(id, action) {
      const { from, to } = TRANSITIONS[action];
      const effect = STOCK_EFFECTS[action];
      const applied = await withTransaction(pool, async (client) => {
        // The state change is the guard: of concurrent callers (replays, sweepers on several replicas) exactly
        // one sees its row updated; the others change nothing.
        const { rowCount } = await client.query(
          `UPDATE reservations SET state = $2::reservation_state, update_time = now()
           WHERE id = $1 AND state = $3::reservation_state AND ($4::boolean = false OR expire_time <= now())`,
          [id, to, from, action === 'EXPIRE'],
        );
        if (rowCount === 0) return false;
        const { rows: items } = await client.query<{ product_id: string; quantity: number }>(
          'SELECT product_id, quantity FROM reservation_items WHERE reservation_id = $1 ORDER BY product_id',
          [id],
        );
        for (const item of items) {
          await client.query(
            `UPDATE stock SET on_hand = on_hand + $2::int, reserved = reserved + $3::int, sold = sold + $4::int, update_time = now()
             WHERE product_id = $1::uuid`,
            [item.product_id, effect.onHand * item.quantity, effect.reserved * item.quantity, effect.sold * item.quantity],
          );
        }
        await client.query(
          `INSERT INTO stock_movements (product_id, kind, quantity, reservation_id)
           SELECT product_id, $2::movement_kind, quantity * $3::int, reservation_id FROM reservation_items
           WHERE reservation_id = $1 ORDER BY product_id`,
          [id, action, effect.ledger],
        );
        return true;
      });
      const reservation = await readReservation(pool, id);
      return reservation ? { applied, reservation } : undefined;
    },

    getReservation: (id) => readReservation(pool, id),

    async dueForExpiry(limit) {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM reservations WHERE state = 'HELD' AND expire_time <= now() ORDER BY expire_time LIMIT $1`,
        [limit],
      );
      return rows.map((row) => row.id);
    },
  };
}
