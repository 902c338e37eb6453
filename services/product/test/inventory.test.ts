import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { ReservationState, StockMovementKind } from '@shop/proto/gen/shop/product/v1/product';
import { failureOf, startHarness, type Harness } from './support/harness';
import { auditStock } from './support/invariants';

let h: Harness;
let customer: string;
/** Reservations are the order service's to make: they need a SERVICE token. */
let service: string;

beforeAll(async () => {
  h = await startHarness();
  customer = await h.token('CUSTOMER');
  service = await h.token('SERVICE');
});

afterAll(async () => {
  await h?.close();
});

const reserve = (reservationId: string, items: Array<{ productId: string; quantity: number }>, ttlSeconds?: number) =>
  h.inventory.reserveStock(
    { reservationId, items, ttl: ttlSeconds === undefined ? undefined : { seconds: BigInt(ttlSeconds), nanos: 0 } },
    { token: service },
  );

describe('stock adjustments', () => {
  it('adjusts on-hand stock with a reason, idempotently by request id, and records the ledger', async () => {
    const product = await h.createProduct();
    const requestId = randomUUID();
    const first = await h.inventory.adjustStock({ productId: product.id, delta: 12, reason: 'delivery', requestId });
    const replay = await h.inventory.adjustStock({ productId: product.id, delta: 12, reason: 'delivery', requestId });
    expect(first.stock).toMatchObject({ onHand: 12, reserved: 0, available: 12 });
    expect(replay.movement).toEqual(first.movement);
    expect(replay.stock!.onHand).toBe(12);
    expect(first.movement).toMatchObject({ kind: StockMovementKind.STOCK_MOVEMENT_KIND_ADJUSTMENT, quantity: 12, reason: 'delivery' });

    const reused = await failureOf(h.inventory.adjustStock({ productId: product.id, delta: 5, reason: 'delivery', requestId }));
    expect(reused.code).toBe(status.FAILED_PRECONDITION);
    expect(reused.reason).toBe('IDEMPOTENCY_KEY_REUSED');

    const { movements } = await h.inventory.listStockMovements({ productId: product.id, pageSize: 0, pageToken: '' });
    expect(movements.map((m) => m.quantity)).toEqual([12]);
    await auditStock(h, product.id);
  });

  it('refuses to take available stock below zero, a missing reason, and unknown products', async () => {
    const product = await h.createProduct({ stock: 5 });
    await reserve(randomUUID(), [{ productId: product.id, quantity: 3 }]);

    const below = await failureOf(h.inventory.adjustStock({ productId: product.id, delta: -3, reason: 'shrinkage', requestId: '' }));
    expect(below.code).toBe(status.FAILED_PRECONDITION);
    expect(below.reason).toBe('INSUFFICIENT_STOCK');
    const ok = await h.inventory.adjustStock({ productId: product.id, delta: -2, reason: 'shrinkage', requestId: '' });
    expect(ok.stock).toMatchObject({ onHand: 3, reserved: 3, available: 0 });

    const noReason = await failureOf(h.inventory.adjustStock({ productId: product.id, delta: 1, reason: ' ', requestId: '' }));
    expect(noReason.code).toBe(status.INVALID_ARGUMENT);
    const unknown = await failureOf(h.inventory.adjustStock({ productId: randomUUID(), delta: 1, reason: 'x', requestId: '' }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    await auditStock(h, product.id);
  });

  it('pages through the ledger newest first', async () => {
    const product = await h.createProduct();
    for (let i = 1; i <= 5; i++) await h.inventory.adjustStock({ productId: product.id, delta: i, reason: `batch ${i}`, requestId: '' });
    const first = await h.inventory.listStockMovements({ productId: product.id, pageSize: 3, pageToken: '' });
    const second = await h.inventory.listStockMovements({ productId: product.id, pageSize: 3, pageToken: first.nextPageToken });
    expect([...first.movements, ...second.movements].map((m) => m.quantity)).toEqual([5, 4, 3, 2, 1]);
    expect(second.nextPageToken).toBe('');
    const customerCall = await failureOf(h.inventory.listStockMovements({ productId: product.id, pageSize: 0, pageToken: '' }, { token: customer }));
    expect(customerCall.code).toBe(status.PERMISSION_DENIED);
  });
});

describe('reservations', () => {
  it('reserves all or nothing, naming the short items', async () => {
    const plenty = await h.createProduct({ stock: 10 });
    const scarce = await h.createProduct({ stock: 1 });
    const id = randomUUID();

    const failure = await failureOf(reserve(id, [{ productId: plenty.id, quantity: 3 }, { productId: scarce.id, quantity: 2 }]));
    expect(failure.code).toBe(status.FAILED_PRECONDITION);
    expect(failure.reason).toBe('OUT_OF_STOCK');
    expect(failure.metadata.product_ids).toBe(scarce.id);
    expect((await auditStock(h, plenty.id)).reserved).toBe(0);
    expect((await auditStock(h, scarce.id)).reserved).toBe(0);
    expect((await failureOf(h.inventory.getReservation({ reservationId: id }, { token: service }))).code).toBe(status.NOT_FOUND);

    // The same id may be used again once the failed attempt left nothing behind.
    const { reservation } = await reserve(id, [{ productId: plenty.id, quantity: 3 }, { productId: scarce.id, quantity: 1 }]);
    expect(reservation!.state).toBe(ReservationState.RESERVATION_STATE_HELD);
    expect(await auditStock(h, plenty.id)).toMatchObject({ reserved: 3, available: 7 });
    expect(await auditStock(h, scarce.id)).toMatchObject({ reserved: 1, available: 0 });
  });

  it('answers NOT_FOUND for unknown products and refuses archived ones', async () => {
    const product = await h.createProduct({ stock: 5 });
    const unknown = randomUUID();
    const missing = await failureOf(reserve(randomUUID(), [{ productId: product.id, quantity: 1 }, { productId: unknown, quantity: 1 }]));
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(missing.metadata.product_ids).toBe(unknown);

    await h.products.archiveProduct({ id: product.id });
    const archived = await failureOf(reserve(randomUUID(), [{ productId: product.id, quantity: 1 }]));
    expect(archived.code).toBe(status.FAILED_PRECONDITION);
    expect(archived.reason).toBe('PRODUCT_UNAVAILABLE');
    expect((await auditStock(h, product.id)).reserved).toBe(0);
  });

  it('replays reserve, commit and release without double counting', async () => {
    const product = await h.createProduct({ stock: 10 });
    const id = randomUUID();
    const items = [{ productId: product.id, quantity: 4 }];

    const first = await reserve(id, items);
    const again = await reserve(id, items);
    expect(again.reservation).toEqual(first.reservation);
    expect(await auditStock(h, product.id)).toMatchObject({ reserved: 4, available: 6 });

    const reused = await failureOf(reserve(id, [{ productId: product.id, quantity: 5 }]));
    expect(reused.reason).toBe('IDEMPOTENCY_KEY_REUSED');

    const committed = await h.inventory.commitReservation({ reservationId: id }, { token: service });
    const committedAgain = await h.inventory.commitReservation({ reservationId: id }, { token: service });
    expect(committed.reservation!.state).toBe(ReservationState.RESERVATION_STATE_COMMITTED);
    expect(committedAgain.reservation).toEqual(committed.reservation);
    expect(await auditStock(h, product.id)).toMatchObject({ onHand: 6, reserved: 0, sold: 4, available: 6 });
    // A reserve replay after the commit still answers with the reservation and moves nothing.
    expect((await reserve(id, items)).reservation!.state).toBe(ReservationState.RESERVATION_STATE_COMMITTED);

    const other = randomUUID();
    await reserve(other, [{ productId: product.id, quantity: 2 }]);
    const released = await h.inventory.releaseReservation({ reservationId: other }, { token: service });
    const releasedAgain = await h.inventory.releaseReservation({ reservationId: other }, { token: service });
    expect(released.reservation!.state).toBe(ReservationState.RESERVATION_STATE_RELEASED);
    expect(releasedAgain.reservation).toEqual(released.reservation);
    expect(await auditStock(h, product.id)).toMatchObject({ onHand: 6, reserved: 0, sold: 4, available: 6 });

    const commitReleased = await failureOf(h.inventory.commitReservation({ reservationId: other }, { token: service }));
    expect(commitReleased.code).toBe(status.FAILED_PRECONDITION);
  });

  it('refuses release after commit, and restocks committed stock once', async () => {
    const product = await h.createProduct({ stock: 5 });
    const id = randomUUID();
    await reserve(id, [{ productId: product.id, quantity: 2 }]);
    await h.inventory.commitReservation({ reservationId: id }, { token: service });

    const release = await failureOf(h.inventory.releaseReservation({ reservationId: id }, { token: service }));
    expect(release.code).toBe(status.FAILED_PRECONDITION);
    expect(release.reason).toBe('INVALID_STATE_TRANSITION');
    expect(await auditStock(h, product.id)).toMatchObject({ onHand: 3, reserved: 0, sold: 2 });

    const restocked = await h.inventory.restockReservation({ reservationId: id }, { token: service });
    const restockedAgain = await h.inventory.restockReservation({ reservationId: id }, { token: service });
    expect(restocked.reservation!.state).toBe(ReservationState.RESERVATION_STATE_RESTOCKED);
    expect(restockedAgain.reservation).toEqual(restocked.reservation);
    expect(await auditStock(h, product.id)).toMatchObject({ onHand: 5, reserved: 0, sold: 0, available: 5 });

    const held = randomUUID();
    await reserve(held, [{ productId: product.id, quantity: 1 }]);
    expect((await failureOf(h.inventory.restockReservation({ reservationId: held }, { token: service }))).code).toBe(status.FAILED_PRECONDITION);
    expect((await failureOf(h.inventory.commitReservation({ reservationId: randomUUID() }, { token: service }))).code).toBe(status.NOT_FOUND);
  });

  it('validates requests', async () => {
    const product = await h.createProduct({ stock: 5 });
    for (const items of [[], [{ productId: product.id, quantity: 0 }], [{ productId: 'nope', quantity: 1 }]]) {
      expect((await failureOf(reserve(randomUUID(), items))).code).toBe(status.INVALID_ARGUMENT);
    }
    expect((await failureOf(reserve('bad id with spaces', [{ productId: product.id, quantity: 1 }]))).code).toBe(status.INVALID_ARGUMENT);
    expect((await failureOf(reserve(randomUUID(), [{ productId: product.id, quantity: 1 }], -5))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('who may move reserved stock', () => {
  it('refuses customers and admins on reservation writes; admins may read a reservation', async () => {
    const product = await h.createProduct({ stock: 5 });
    const admin = await h.token('ADMIN');
    const id = randomUUID();
    for (const token of [customer, admin]) {
      const refused = await failureOf(
        h.inventory.reserveStock({ reservationId: randomUUID(), items: [{ productId: product.id, quantity: 1 }] }, { token }),
      );
      expect(refused.code).toBe(status.PERMISSION_DENIED);
    }
    await reserve(id, [{ productId: product.id, quantity: 1 }]);
    for (const call of [
      () => h.inventory.commitReservation({ reservationId: id }, { token: customer }),
      () => h.inventory.releaseReservation({ reservationId: id }, { token: customer }),
      () => h.inventory.restockReservation({ reservationId: id }, { token: customer }),
      () => h.inventory.getReservation({ reservationId: id }, { token: customer }),
    ]) {
      expect((await failureOf(call())).code).toBe(status.PERMISSION_DENIED);
    }
    expect((await h.inventory.getReservation({ reservationId: id }, { token: admin })).reservation!.state).toBe(ReservationState.RESERVATION_STATE_HELD);
    expect(await auditStock(h, product.id)).toMatchObject({ onHand: 5, reserved: 1, available: 4 });
  });
});
