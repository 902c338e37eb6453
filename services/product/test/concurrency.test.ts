import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { parseServiceError } from '@shop/platform';
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
