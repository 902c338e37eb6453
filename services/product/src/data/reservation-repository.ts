import { failedPrecondition, notFound } from '@shop/platform';
import type { Pool, PoolClient } from 'pg';
import type { InventoryStore } from '../domain/ports';
import { STOCK_EFFECTS, TRANSITIONS, type ReservationItem, type ReservationRecord, type ReservationState } from '../domain/reservation';
import { LOCK_STOCK, READ_RESERVATION, RESERVE, TRANSITION } from './reservation-sql';
import { withTransaction } from './transaction';

type ReservationStore = Pick<InventoryStore, 'reserve' | 'transition' | 'getReservation' | 'dueForExpiry'>;

interface ReservationRow {
  id: string;
  state: ReservationState;
  expire_time: Date;
  create_time: Date;
  update_time: Date;
}

type ReservationWithItemsRow = ReservationRow & { items: ReservationItem[] | null };

/** RESERVE's one row: the reservation's columns are null when it created none. */
type ReserveOutcomeRow = { [K in keyof ReservationRow]: ReservationRow[K] | null } & { held: number; moved: number };

function createdReservation(outcome: ReserveOutcomeRow): ReservationRow | undefined {
  const { id, state, expire_time, create_time, update_time } = outcome;
  if (id === null || state === null || expire_time === null || create_time === null || update_time === null) return undefined;
  return { id, state, expire_time, create_time, update_time };
}

const reservationFromRow = (row: ReservationRow, items: ReservationItem[]): ReservationRecord => ({
  id: row.id,
  state: row.state,
  items,
  expireTime: row.expire_time,
  createTime: row.create_time,
  updateTime: row.update_time,
});

async function readReservation(pool: Pool, id: string): Promise<ReservationRecord | undefined> {
  const { rows } = await pool.query<ReservationWithItemsRow>({ ...READ_RESERVATION, values: [id] });
  const row = rows[0];
  return row ? reservationFromRow(row, row.items ?? []) : undefined;
}

async function mustRead(pool: Pool, id: string): Promise<ReservationRecord> {
  const reservation = await readReservation(pool, id);
  if (!reservation) throw new Error(`Reservation ${id} vanished after reserve`);
  return reservation;
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
 * The transactional reserve, for when the one-statement path could not hold everything: a replay of an id whose
 * stock has run short since, or a real shortfall (named item by item). Same lock order as RESERVE: the stock rows
 * first, then the reservation row, whose primary key serialises replays of the same id.
 */
async function reserveOrExplain(pool: Pool, id: string, items: readonly ReservationItem[], ttlSeconds: number) {
  const productIds = items.map((item) => item.productId);
  const quantities = items.map((item) => item.quantity);
  const created = await withTransaction(pool, async (client) => {
    await client.query({ ...LOCK_STOCK, values: [productIds] });
    const { rowCount } = await client.query(
      `INSERT INTO reservations (id, state, expire_time) VALUES ($1, 'HELD', now() + make_interval(secs => $2::int))
       ON CONFLICT (id) DO NOTHING`,
      [id, ttlSeconds],
    );
    if (rowCount === 0) return false;

    const short: string[] = [];
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
  return { created, reservation: await mustRead(pool, id) };
}

/**
 * Reservation storage. The hot path (a new reservation, a state change that applies) is one statement each (see
 * reservation-sql.ts); replays, refusals and shortfalls take one more read or the transactional path.
 */
export function createReservationRepository(pool: Pool): ReservationStore {
  return {
    async reserve(id, items, ttlSeconds) {
      const productIds = items.map((item) => item.productId);
      const quantities = items.map((item) => item.quantity);
      const { rows } = await pool.query<ReserveOutcomeRow>({ ...RESERVE, values: [id, productIds, quantities, ttlSeconds] });
      const outcome = rows[0]!;
      const created = createdReservation(outcome);
      if (created) {
        // Cannot happen with the rows locked and tested first; said loudly rather than answered as a full hold.
        if (outcome.moved !== items.length) throw new Error(`Reservation ${id} held ${outcome.moved} of ${items.length} items`);
        // Items come sorted by product id, as READ_RESERVATION returns them.
        return { created: true, reservation: reservationFromRow(created, items.map((item) => ({ ...item }))) };
      }
      // Every item could be held but the id existed: a replay, answered with the reservation as it is.
      if (outcome.held === items.length) return { created: false, reservation: await mustRead(pool, id) };
      // Nothing was written: the transactional path tells a replay from a shortfall and names the short items.
      return reserveOrExplain(pool, id, items, ttlSeconds);
    },

    async transition(id, action) {
      const { from, to } = TRANSITIONS[action];
      const effect = STOCK_EFFECTS[action];
      const { rows } = await pool.query<ReservationWithItemsRow>({
        ...TRANSITION,
        values: [id, to, from, action === 'EXPIRE', effect.onHand, effect.reserved, effect.sold, action, effect.ledger],
      });
      const moved = rows[0];
      if (moved) return { applied: true, reservation: reservationFromRow(moved, moved.items ?? []) };
      // Nothing moved: answer the reservation as it is now (a replay, a refusal, or no such reservation).
      const reservation = await readReservation(pool, id);
      return reservation ? { applied: false, reservation } : undefined;
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
