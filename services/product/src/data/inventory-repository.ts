import { failedPrecondition, notFound } from '@shop/platform';
import type { Pool, PoolClient } from 'pg';
import type { InventoryStore } from '../domain/ports';
import type { MovementKind, MovementRecord, StockRecord } from '../domain/stock';
import type { Database } from './database';
import { createReservationRepository } from './reservation-repository';
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

/**
 * Inventory storage: every decision that guards stock is an atomic conditional UPDATE evaluated on the locked
 * row (never read-then-write), and the CHECK constraints in the migration back them up. Reservations are in
 * reservation-repository.ts.
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

    ...createReservationRepository(pool),

    async listMovements(productId, beforeId, limit) {
      const { rows } = await pool.query<MovementRow>(
        `SELECT ${MOVEMENT_COLUMNS} FROM stock_movements
         WHERE product_id = $1::uuid AND ($2::bigint IS NULL OR id < $2::bigint)
         ORDER BY id DESC LIMIT $3`,
        [productId, beforeId ?? null, limit],
      );
      return rows.map(movementFromRow);
    },

  };
}
