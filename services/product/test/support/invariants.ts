import type { Harness } from './harness';

export interface StockAudit {
  onHand: number;
  reserved: number;
  sold: number;
  available: number;
}

/**
 * Reads one product's stock straight from the database and checks it against the constraints, the movement
 * ledger and the held reservations; returns the counters for further assertions.
 */
export async function auditStock(h: Harness, productId: string): Promise<StockAudit> {
  const [row] = await h.query<{ on_hand: number; reserved: number; sold: number }>(
    'SELECT on_hand, reserved, sold FROM stock WHERE product_id = $1',
    [productId],
  );
  if (!row) throw new Error(`no stock row for ${productId}`);
  const ledger = await h.query<{ kind: string; total: number }>(
    'SELECT kind::text AS kind, sum(quantity)::int AS total FROM stock_movements WHERE product_id = $1 GROUP BY kind',
    [productId],
  );
  const sum = (kind: string) => ledger.find((entry) => entry.kind === kind)?.total ?? 0;
  const sold = -(sum('COMMIT') + sum('RESTOCK')) || 0; // `|| 0` turns -0 into 0 for toBe
  const [held] = await h.query<{ total: number }>(
    `SELECT coalesce(sum(i.quantity), 0)::int AS total FROM reservation_items i JOIN reservations r ON r.id = i.reservation_id
     WHERE i.product_id = $1 AND r.state = 'HELD'`,
    [productId],
  );
  const available = row.on_hand - row.reserved;

  expect(available).toBeGreaterThanOrEqual(0);
  expect(row.reserved).toBeGreaterThanOrEqual(0);
  expect(row.sold).toBeGreaterThanOrEqual(0);
  // on_hand moves by adjustments, commits (negative) and restocks; reserved by reserve/release/expire/commit.
  expect(row.on_hand).toBe(sum('ADJUSTMENT') + sum('COMMIT') + sum('RESTOCK'));
  expect(row.reserved).toBe(sum('RESERVE') + sum('RELEASE') + sum('EXPIRE') + sum('COMMIT'));
  expect(row.sold).toBe(sold);
  expect(row.reserved).toBe(held!.total);

  const { stock } = await h.inventory.getStock({ productId });
  expect(stock).toMatchObject({ onHand: row.on_hand, reserved: row.reserved, sold: row.sold, available });
  expect(stock!.onHand).toBe(stock!.available + stock!.reserved);
  return { onHand: row.on_hand, reserved: row.reserved, sold: row.sold, available };
}
