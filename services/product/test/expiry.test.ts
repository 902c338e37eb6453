import { randomUUID } from 'node:crypto';
import { ReservationState, StockMovementKind } from '@shop/proto/gen/shop/product/v1/product';
import { failureOf, startHarness, type Harness } from './support/harness';
import { auditStock } from './support/invariants';

let h: Harness;

// A sweeper ticking every 200 ms: this suite checks the timer started by startProductService, not just a function.
beforeAll(async () => {
  h = await startHarness({ RESERVATION_SWEEP_INTERVAL_MS: '200' });
});

afterAll(async () => {
  await h?.close();
});

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('returns the stock of a held reservation once its TTL has passed', async () => {
  const service = await h.token('SERVICE');
  const product = await h.createProduct({ stock: 3 });
  const shortLived = randomUUID();
  const longLived = randomUUID();
  await h.inventory.reserveStock({ reservationId: shortLived, items: [{ productId: product.id, quantity: 2 }], ttl: { seconds: 1n, nanos: 0 } }, { token: service });
  await h.inventory.reserveStock({ reservationId: longLived, items: [{ productId: product.id, quantity: 1 }] }, { token: service });
  expect((await auditStock(h, product.id)).available).toBe(0);

  const expired = await eventually(
    async () => (await h.inventory.getReservation({ reservationId: shortLived }, { token: service })).reservation!,
    (reservation) => reservation.state === ReservationState.RESERVATION_STATE_EXPIRED,
  );
  expect(expired.state).toBe(ReservationState.RESERVATION_STATE_EXPIRED);
  expect(await auditStock(h, product.id)).toMatchObject({ onHand: 3, reserved: 1, available: 2 });

  const { movements } = await h.inventory.listStockMovements({ productId: product.id, pageSize: 0, pageToken: '' });
  expect(movements[0]).toMatchObject({ kind: StockMovementKind.STOCK_MOVEMENT_KIND_EXPIRE, quantity: -2, reservationId: shortLived });

  // Late calls: committing an expired hold is refused; releasing it is a harmless no-op; sweeping again changes nothing.
  const commit = await failureOf(h.inventory.commitReservation({ reservationId: shortLived }, { token: service }));
  expect(commit.reason).toBe('RESERVATION_EXPIRED');
  const release = await h.inventory.releaseReservation({ reservationId: shortLived }, { token: service });
  expect(release.reservation!.state).toBe(ReservationState.RESERVATION_STATE_EXPIRED);
  await h.sweepNow();
  expect(await auditStock(h, product.id)).toMatchObject({ onHand: 3, reserved: 1, available: 2 });
  expect((await h.inventory.getReservation({ reservationId: longLived }, { token: service })).reservation!.state).toBe(ReservationState.RESERVATION_STATE_HELD);
});

it('expires each reservation once when several replicas sweep the same database', async () => {
  const replica = await startHarness({ RESERVATION_SWEEP_INTERVAL_MS: '600000' }, h);
  try {
    const service = await h.token('SERVICE');
    const product = await h.createProduct({ stock: 40 });
    const ids = Array.from({ length: 30 }, () => randomUUID());
    await Promise.all(
      ids.map((reservationId) =>
        h.inventory.reserveStock({ reservationId, items: [{ productId: product.id, quantity: 1 }], ttl: { seconds: 1n, nanos: 0 } }, { token: service }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    // Both replicas race over the same due reservations (plus the first one's timer, ticking every 200 ms).
    // One call per replica: concurrent calls within one process share a single sweep and its count.
    const counts = await Promise.all([h.sweepNow(), replica.sweepNow()]);
    const audit = await eventually(() => auditStock(h, product.id), (a) => a.reserved === 0);
    expect(audit).toMatchObject({ onHand: 40, reserved: 0, available: 40 });
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(ids.length);
    const [expired] = await h.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1 AND kind = 'EXPIRE'",
      [product.id],
    );
    expect(expired!.n).toBe(ids.length);
  } finally {
    await replica.close();
  }
});
