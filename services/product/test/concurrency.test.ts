import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { ReservationState } from '@shop/proto/gen/shop/product/v1/product';
import { parseServiceError } from '@shop/platform';
import { Client } from 'pg';
import { startHarness, type Harness } from './support/harness';
import { auditStock } from './support/invariants';

// Hundreds of real transactions queue on one stock row on a 2-core machine: correctness, not speed, is asserted.
jest.setTimeout(120_000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

it('200 concurrent reservations of 1 unit against stock 10 reserve exactly 10', async () => {
  const service = await h.token('SERVICE');
  const product = await h.createProduct({ stock: 10 });

  const outcomes = await Promise.allSettled(
    Array.from({ length: 200 }, () =>
      h.inventory.reserveStock({ reservationId: randomUUID(), items: [{ productId: product.id, quantity: 1 }] }, { token: service }),
    ),
  );
  const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
  const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  expect(won).toHaveLength(10);
  expect(lost).toHaveLength(190);
  for (const failure of lost) {
    const remote = parseServiceError(failure.reason as ServiceError);
    expect(remote.code).toBe(status.FAILED_PRECONDITION);
    expect(remote.reason).toBe('OUT_OF_STOCK');
  }

  expect(await auditStock(h, product.id)).toMatchObject({ onHand: 10, reserved: 10, available: 0, sold: 0 });
  const [held] = await h.query<{ n: number }>("SELECT count(*)::int AS n FROM reservations WHERE state = 'HELD'");
  expect(held!.n).toBe(10);
});

it('concurrent replays of one reservation id reserve once', async () => {
  const service = await h.token('SERVICE');
  const product = await h.createProduct({ stock: 50 });
  const id = randomUUID();
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      h.inventory.reserveStock({ reservationId: id, items: [{ productId: product.id, quantity: 3 }] }, { token: service }),
    ),
  );
  expect(new Set(results.map((r) => r.reservation!.createTime!.getTime())).size).toBe(1);
  expect(await auditStock(h, product.id)).toMatchObject({ onHand: 50, reserved: 3, available: 47 });

  // Concurrent commits and releases of the same reservation: exactly one transition wins.
  const settled = await Promise.allSettled([
    ...Array.from({ length: 5 }, () => h.inventory.commitReservation({ reservationId: id }, { token: service })),
    ...Array.from({ length: 5 }, () => h.inventory.releaseReservation({ reservationId: id }, { token: service })),
  ]);
  expect(settled.some((s) => s.status === 'fulfilled')).toBe(true);
  const audit = await auditStock(h, product.id);
  expect(audit.reserved).toBe(0);
  expect([audit.sold, audit.onHand]).toEqual(audit.sold === 3 ? [3, 47] : [0, 50]);
});

it('multi-item reservations over shared products, with commits, releases and replays racing them, never deadlock or oversell', async () => {
  const service = await h.token('SERVICE');
  const products = await Promise.all(Array.from({ length: 4 }, () => h.createProduct({ stock: 25 })));
  // Deterministic variety: each order takes 2-3 of the 4 products, listed in a rotating (unsorted) order.
  const orders = Array.from({ length: 60 }, (_, n) => ({
    id: randomUUID(),
    items: Array.from({ length: 2 + (n % 2) }, (_, k) => ({ productId: products[(n + k * 3) % 4]!.id, quantity: 1 + ((n + k) % 2) })),
  }));
  const reserveOnce = (order: (typeof orders)[number]) => h.inventory.reserveStock({ reservationId: order.id, items: order.items }, { token: service });

  const outcomes = await Promise.allSettled(
    orders.map(async (order, n) => {
      // Every order is sent twice at once (a client retry), and every other winner is committed or released at once.
      const [first] = await Promise.all([reserveOnce(order), reserveOnce(order)]);
      if (n % 3 === 0) await Promise.all([h.inventory.commitReservation({ reservationId: order.id }, { token: service }), reserveOnce(order)]);
      if (n % 3 === 1) await Promise.all([h.inventory.releaseReservation({ reservationId: order.id }, { token: service }), reserveOnce(order)]);
      return first;
    }),
  );
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') continue;
    // Only a real shortfall may refuse an order: no deadlock, no internal error.
    const remote = parseServiceError(outcome.reason as ServiceError);
    expect([remote.code, remote.reason]).toEqual([status.FAILED_PRECONDITION, 'OUT_OF_STOCK']);
  }
  expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
  expect(outcomes.some((outcome) => outcome.status === 'rejected')).toBe(true);
  for (const product of products) await auditStock(h, product.id);
});

it('a replay answers the reservation even after its stock has run out', async () => {
  const service = await h.token('SERVICE');
  const product = await h.createProduct({ stock: 3 });
  const id = randomUUID();
  const items = [{ productId: product.id, quantity: 3 }];
  const first = await h.inventory.reserveStock({ reservationId: id, items }, { token: service });
  const replay = await h.inventory.reserveStock({ reservationId: id, items }, { token: service });
  expect(replay.reservation).toEqual(first.reservation);
  expect(await auditStock(h, product.id)).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
});

it('locks stock before the reservation row everywhere: a reserve replay and a commit queued on one stock row both finish', async () => {
  const service = await h.token('SERVICE');
  const product = await h.createProduct({ stock: 10 });
  const id = randomUUID();
  const items = [{ productId: product.id, quantity: 2 }];
  await h.inventory.reserveStock({ reservationId: id, items }, { token: service });

  // Hold the stock row, queue a reserve replay on it, then a commit: the commit must not touch the reservation row
  // before it has the stock row, or the replay (holding the stock, then checking the reservation id) deadlocks with it.
  const blocker = new Client({ connectionString: h.databaseUrl });
  await blocker.connect();
  const waiting = async (count: number) => {
    for (;;) {
      const { rows } = await blocker.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (rows[0]!.n >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM stock WHERE product_id = $1 FOR UPDATE', [product.id]);
    const replay = h.inventory.reserveStock({ reservationId: id, items }, { token: service });
    await waiting(1);
    const commit = h.inventory.commitReservation({ reservationId: id }, { token: service });
    await waiting(2);
    await blocker.query('COMMIT');
    const [replayed, committed] = await Promise.all([replay, commit]);
    expect(committed.reservation!.state).toBe(ReservationState.RESERVATION_STATE_COMMITTED);
    expect([ReservationState.RESERVATION_STATE_HELD, ReservationState.RESERVATION_STATE_COMMITTED]).toContain(replayed.reservation!.state);
  } finally {
    await blocker.end();
  }
  expect(await auditStock(h, product.id)).toMatchObject({ onHand: 8, reserved: 0, sold: 2 });
});
