import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createLogger, databaseFailure } from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { openOrderDatabase, type OrderDatabase } from '../src/data/database';
import { SqlIdempotencyStore } from '../src/data/idempotency-store';
import { SqlOrderRepository } from '../src/data/order-repository';
import { LeaseLostError } from '../src/domain/dependency-errors';
import type { OrderRecord } from '../src/domain/order';
import type { NewOrder } from '../src/domain/ports';

jest.setTimeout(60_000);

/**
 * The raw SQL data layer on its own: the records it answers without reading back must be exactly what a read
 * returns, and every write is fenced by the lease (a lost lease writes nothing, not even the step row).
 */
let database: TestDatabase;
let db: OrderDatabase;
let repo: SqlOrderRepository;
let store: SqlIdempotencyStore;

beforeAll(async () => {
  database = await createTestDatabase('order');
  db = openOrderDatabase({ connectionString: database.url, max: 4, logger: createLogger({ service: 'order', level: 'silent' }) });
  repo = new SqlOrderRepository(db.pool, 30_000);
  store = new SqlIdempotencyStore(db.pool);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const OWNER = 'owner-a';
const CARD = { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099 };

function newOrder(): NewOrder {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    shipping: { name: 'Ada', line1: '1 Way', line2: 'Flat 2', city: 'London', postalCode: 'N1', country: 'GB' },
    items: [{ productId: 'p-2', quantity: 3 }, { productId: 'p-1', quantity: 1 }],
  };
}

async function begin(order: NewOrder = newOrder(), requestId = randomUUID(), fingerprint = 'fp'): Promise<OrderRecord> {
  const result = await store.begin(
    { userId: order.userId, requestId, fingerprint, expiresAt: new Date(Date.now() + 86_400_000) },
    order,
    { owner: OWNER, until: new Date(Date.now() + 30_000) },
  );
  if (result.kind !== 'started') throw new Error('expected a new order');
  return result.order;
}

async function events(orderId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ event: string }>('SELECT event FROM saga_steps WHERE order_id = $1 ORDER BY id', [orderId]);
  return rows.map((row) => row.event);
}

describe('SqlIdempotencyStore and SqlOrderRepository', () => {
  it('answers, after each write, exactly the order that a read returns', async () => {
    let order = await begin();
    expect(await repo.get(order.id)).toEqual(order);

    order = await repo.transition(order, OWNER, {
      step: 'RESERVING', event: 'PRICED', detail: 'total 1100',
      priced: {
        currency: 'EUR', totalMinor: 1100n,
        items: [
          { productId: 'p-2', quantity: 3, sku: 'SKU-2', name: 'Two', unitPriceMinor: 300n, lineTotalMinor: 900n },
          { productId: 'p-1', quantity: 1, sku: 'SKU-1', name: 'One', unitPriceMinor: 200n, lineTotalMinor: 200n },
        ],
      },
    });
    expect(await repo.get(order.id)).toEqual(order);

    order = await repo.transition(order, OWNER, { step: 'AUTHORIZED', payment: { paymentId: 'pay-1', status: 'AUTHORIZED', card: CARD }, event: 'AUTHORIZED' });
    expect(await repo.get(order.id)).toEqual(order);

    order = await repo.transition(order, OWNER, {
      step: 'CAPTURED', status: 'CONFIRMED', statusReason: '', phase: 'DONE', payment: { paymentId: 'pay-1', status: 'CAPTURED', card: null }, event: 'CONFIRMED',
    });
    expect(await repo.get(order.id)).toEqual(order);
    expect(order).toMatchObject({ status: 'CONFIRMED', phase: 'DONE', totalMinor: 1100n, payment: { status: 'CAPTURED', card: null } });
    expect(order.items.map((item) => item.productId)).toEqual(['p-2', 'p-1']);
    expect(await events(order.id)).toEqual(['CREATED', 'PRICED', 'AUTHORIZED', 'CONFIRMED']);
    // DONE holds no lease.
    const { rows } = await db.pool.query('SELECT lease_owner, lease_until FROM orders WHERE id = $1', [order.id]);
    expect(rows[0]).toEqual({ lease_owner: null, lease_until: null });
  });

  it('writes nothing for a transition whose lease another owner holds', async () => {
    const order = await begin();
    await db.pool.query("UPDATE orders SET lease_owner = 'owner-b' WHERE id = $1", [order.id]);

    await expect(repo.transition(order, OWNER, {
      step: 'RESERVING', event: 'PRICED',
      priced: { currency: 'USD', totalMinor: 5n, items: order.items.map((item) => ({ ...item, sku: 'S', name: 'N', unitPriceMinor: 1n, lineTotalMinor: 1n })) },
    })).rejects.toBeInstanceOf(LeaseLostError);

    const stored = await repo.get(order.id);
    expect(stored).toMatchObject({ step: 'CREATED', currency: null, totalMinor: null });
    expect(stored?.items.every((item) => item.sku === null && item.unitPriceMinor === null)).toBe(true);
    expect(await events(order.id)).toEqual(['CREATED']);
  });

  it('starts one order per key and answers the stored key to a repeated begin', async () => {
    const order = newOrder();
    const requestId = randomUUID();
    const first = await begin(order, requestId, 'fp-1');

    const again = await store.begin(
      { userId: order.userId, requestId, fingerprint: 'fp-2', expiresAt: new Date(Date.now() + 86_400_000) },
      { ...order, id: randomUUID() },
      { owner: OWNER, until: new Date(Date.now() + 30_000) },
    );

    expect(again).toEqual({ kind: 'existing', key: { fingerprint: 'fp-1', orderId: first.id, state: 'IN_PROGRESS', outcome: null } });
    const { rows } = await db.pool.query('SELECT count(*)::int AS count FROM orders WHERE user_id = $1', [order.userId]);
    expect(rows[0]).toEqual({ count: 1 });
  });

  it('stores an answer once and replaces a key only when that answer expired', async () => {
    const order = newOrder();
    const requestId = randomUUID();
    const first = await begin(order, requestId);
    await store.complete(first.id, { kind: 'error', code: 9, message: 'no', reason: 'OUT_OF_STOCK', metadata: { orderId: first.id }, fieldViolations: [] });
    // Only an IN_PROGRESS key takes an answer.
    await store.complete(first.id, { kind: 'order', order: first });

    const replay = await store.begin(
      { userId: order.userId, requestId, fingerprint: 'fp', expiresAt: new Date(Date.now() + 86_400_000) }, { ...order, id: randomUUID() }, { owner: OWNER, until: new Date() },
    );
    expect(replay).toEqual({
      kind: 'existing',
      key: { fingerprint: 'fp', orderId: first.id, state: 'COMPLETED', outcome: { kind: 'error', code: 9, message: 'no', reason: 'OUT_OF_STOCK', metadata: { orderId: first.id }, fieldViolations: [] } },
    });

    await db.pool.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE order_id = $1", [first.id]);
    const second = await begin({ ...order, id: randomUUID() }, requestId);
    expect(second.id).not.toBe(first.id);
  });

  it('stores the confirmed order as its key\'s answer in the confirming write, only while it holds the lease', async () => {
    const order = newOrder();
    const requestId = randomUUID();
    const started = await begin(order, requestId);
    const confirm = { step: 'CAPTURED', status: 'CONFIRMED', statusReason: '', phase: 'DONE', answer: true, event: 'CONFIRMED' } as const;
    const replayOf = () => store.begin(
      { userId: order.userId, requestId, fingerprint: 'fp', expiresAt: new Date(Date.now() + 86_400_000) }, { ...order, id: randomUUID() }, { owner: OWNER, until: new Date() },
    );

    await db.pool.query("UPDATE orders SET lease_owner = 'owner-b' WHERE id = $1", [started.id]);
    await expect(repo.transition(started, OWNER, confirm)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await replayOf()).toEqual({ kind: 'existing', key: { fingerprint: 'fp', orderId: started.id, state: 'IN_PROGRESS', outcome: null } });

    await db.pool.query('UPDATE orders SET lease_owner = $2 WHERE id = $1', [started.id, OWNER]);
    const confirmed = await repo.transition(started, OWNER, confirm);
    expect(await replayOf()).toEqual({ kind: 'existing', key: { fingerprint: 'fp', orderId: started.id, state: 'COMPLETED', outcome: { kind: 'order', order: confirmed } } });
    expect(await repo.get(started.id)).toEqual(confirmed);
    // A later answer (e.g. recovery's) does not overwrite it.
    await store.complete(started.id, { kind: 'error', code: 9, message: 'no', reason: 'X', metadata: {}, fieldViolations: [] });
    expect(await replayOf()).toMatchObject({ key: { state: 'COMPLETED', outcome: { kind: 'order' } } });
  });

  it('claims a confirmed order for cancellation once, with its log row, and only when no lease is held', async () => {
    let order = await begin();
    order = await repo.transition(order, OWNER, { step: 'CAPTURED', status: 'CONFIRMED', statusReason: '', phase: 'DONE', event: 'CONFIRMED' });

    const claimed = await repo.claimForCancel(order.id, 'canceller', 'CUSTOMER_CANCELLED');
    expect(claimed).toEqual(await repo.get(order.id));
    expect(claimed).toMatchObject({ phase: 'CANCELLING', pendingReason: 'CUSTOMER_CANCELLED', status: 'CONFIRMED' });
    expect(await repo.claimForCancel(order.id, 'another', 'ADMIN_CANCELLED')).toBeNull();
    expect(await events(order.id)).toEqual(['CREATED', 'CONFIRMED', 'CANCEL_REQUESTED']);
  });
});

describe('the order database under a stuck server', () => {
  it('cuts a statement at the statement timeout, through raw SQL and through Prisma, answered DEADLINE_EXCEEDED', async () => {
    const slow = openOrderDatabase({
      connectionString: database.url, max: 2, statementTimeoutMs: 200, logger: createLogger({ service: 'order', level: 'silent' }),
    });
    try {
      const order = await begin();
      // Another session holds the order row: the repository's read waits on nothing (MVCC), but a fenced write waits.
      const blocker = await db.pool.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [order.id]);
        const slowRepo = new SqlOrderRepository(slow.pool, 30_000);
        const raw = await slowRepo.transition(order, OWNER, { step: 'RESERVED', event: 'RESERVED' }).then(() => undefined, (error: unknown) => error);
        expect(databaseFailure(raw)).toMatchObject({ code: status.DEADLINE_EXCEEDED, reason: 'DATABASE_TIMEOUT' });
      } finally {
        await blocker.query('ROLLBACK');
        blocker.release();
      }
      const viaPrisma = await slow.prisma.$queryRaw`SELECT pg_sleep(30)`.then(() => undefined, (error: unknown) => error);
      expect(databaseFailure(viaPrisma)).toMatchObject({ code: status.DEADLINE_EXCEEDED, reason: 'DATABASE_TIMEOUT' });
      // Nothing was written by the cut statement.
      expect(await events(order.id)).toEqual(['CREATED']);
    } finally {
      await slow.close();
    }
  });
});
