import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createLogger, DomainError } from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { createPaymentDatabase, type PaymentDatabase } from '../src/data/client';
import { createPaymentStore } from '../src/data/payment-store';
import { PaymentService, type CallScope } from '../src/domain/payment-service';
import type { PaymentProcessor } from '../src/domain/processor';
import type { PaymentStore } from '../src/domain/ports';
import { createSimulatedProcessor, TEST_CARDS } from '../src/processor/simulated';

jest.setTimeout(30_000);

/** A reset connection, as pg raises it: a database failure the service did not cause. */
const connectionReset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/**
 * Failure injection after the processor answered: the next `failures` record statements (completeAuthorization,
 * recordMovement) fail before reaching the database.
 */
function flakyRecords(store: PaymentStore) {
  let failures = 0;
  const wrapped: PaymentStore = {
    ...store,
    completeAuthorization: async (...args) => {
      if (failures > 0) {
        failures -= 1;
        throw connectionReset();
      }
      return store.completeAuthorization(...args);
    },
    recordMovement: async (...args) => {
      if (failures > 0) {
        failures -= 1;
        throw connectionReset();
      }
      return store.recordMovement(...args);
    },
  };
  return { store: wrapped, failNext: (count: number) => void (failures = count) };
}

/** The simulated processor, counting the calls each idempotency key made of each operation. */
function countingProcessor() {
  const inner = createSimulatedProcessor({ latencyMs: 0, slowMs: 60_000 });
  const calls = new Map<string, number>();
  const count = (operation: string, key: string) => calls.set(`${operation}:${key}`, (calls.get(`${operation}:${key}`) ?? 0) + 1);
  const processor: PaymentProcessor = {
    authorize: (request, signal) => (count('authorize', request.idempotencyKey), inner.authorize(request, signal)),
    capture: (request, signal) => (count('capture', request.idempotencyKey), inner.capture(request, signal)),
    void: (request, signal) => (count('void', request.idempotencyKey), inner.void(request, signal)),
    refund: (request, signal) => (count('refund', request.idempotencyKey), inner.refund(request, signal)),
  };
  return { processor, inner, calls: (operation: string) => [...calls].filter(([key]) => key.startsWith(`${operation}:`)).length, callsOf: (operation: string, key: string) => calls.get(`${operation}:${key}`) ?? 0 };
}

const scope = (deadlineMs?: number): CallScope => ({
  deadline: deadlineMs === undefined ? undefined : Date.now() + deadlineMs,
  signal: new AbortController().signal,
});

const usd = (amountMinor: bigint) => ({ currency: 'USD', amountMinor });
const card = { number: TEST_CARDS.approve, expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: '737' };

async function rejection(call: Promise<unknown>): Promise<DomainError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('a failure after the processor answered', () => {
  let database: TestDatabase;
  let db: PaymentDatabase;
  let flaky: ReturnType<typeof flakyRecords>;
  let counted: ReturnType<typeof countingProcessor>;
  let service: PaymentService;

  beforeAll(async () => {
    database = await createTestDatabase('payment');
    db = createPaymentDatabase({ connectionString: database.url, max: 4, logger: createLogger({ service: 'payment-test', level: 'silent' }) });
    flaky = flakyRecords(createPaymentStore(db));
    counted = countingProcessor();
    service = new PaymentService(flaky.store, counted.processor, {
      authorizationTtlMs: 3_600_000,
      cardFingerprintSecret: 'test-card-fingerprint-secret',
      // A long lease: only a retry of the same request id may take an undecided request over.
      idempotency: { waitMs: 100, leaseMs: 60_000, pollMs: 10 },
      movementWaitMs: 100,
    });
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const keyOf = async (requestId: string) =>
    (await db.pool.query<{ state: string; locked_until: Date }>('SELECT state::text AS state, locked_until FROM idempotency_keys WHERE request_id = $1', [requestId])).rows[0];
  const claimOf = async (paymentId: string) =>
    (await db.pool.query<{ movement_request_id: string | null }>('SELECT movement_request_id FROM payments WHERE id = $1', [paymentId])).rows[0]?.movement_request_id;

  const captured = async (amountMinor: bigint) => {
    const payment = await service.authorize({ requestId: `auth-${randomUUID()}`, orderId: `order-${randomUUID()}`, amount: usd(amountMinor), card }, scope());
    await service.capture({ requestId: `cap-${randomUUID()}`, paymentId: payment.id, amount: undefined }, scope());
    return payment.id;
  };

  it('retries the record statement in-process when the database fails once', async () => {
    const paymentId = await captured(5_000n);
    const requestId = `ref-${randomUUID()}`;
    flaky.failNext(1);
    const payment = await service.refund({ requestId, paymentId, amount: usd(1_000n), reason: '' }, scope());
    expect(payment.transactions.filter((row) => row.kind === 'REFUND')).toHaveLength(1);
    expect(counted.callsOf('refund', requestId)).toBe(1);
    expect((await keyOf(requestId))?.state).toBe('COMPLETED');
  });

  it('keeps an unrecorded refund claimed: no other request decides on the stale ledger, a same-id retry settles it once', async () => {
    const paymentId = await captured(5_000n);
    const requestId = `ref-${randomUUID()}`;
    flaky.failNext(3);
    const error = await rejection(service.refund({ requestId, paymentId, amount: undefined, reason: '' }, scope()));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.reason).toBe('OUTCOME_NOT_RECORDED');
    expect(counted.callsOf('refund', requestId)).toBe(1);

    // The processor refunded everything; the ledger does not show it yet. The request keeps its key and its claim.
    expect((await keyOf(requestId))?.state).toBe('IN_PROGRESS');
    expect(await claimOf(paymentId)).toBe(requestId);
    expect((await service.get(paymentId)).transactions.filter((row) => row.kind === 'REFUND')).toEqual([]);

    // Another request id must not refund again on that ledger: it waits for the claim and gives up.
    const otherId = `ref-${randomUUID()}`;
    const busy = await rejection(service.refund({ requestId: otherId, paymentId, amount: usd(1_000n), reason: '' }, scope()));
    expect(busy.code).toBe(status.ABORTED);
    expect(busy.reason).toBe('REQUEST_IN_PROGRESS');
    expect(counted.callsOf('refund', otherId)).toBe(0);

    // The same request id takes over at once and records the refund the processor already made.
    const settled = await service.refund({ requestId, paymentId, amount: undefined, reason: '' }, scope());
    expect(settled.status).toBe('REFUNDED');
    expect(settled.transactions.filter((row) => row.kind === 'REFUND').map((row) => row.amountMinor)).toEqual([5_000n]);
    expect((await keyOf(requestId))?.state).toBe('COMPLETED');
    expect(await claimOf(paymentId)).toBeNull();

    // A repeat answers the recorded refund; the other request now sees the refunded ledger and is refused.
    expect((await service.refund({ requestId, paymentId, amount: undefined, reason: '' }, scope())).status).toBe('REFUNDED');
    const refused = await rejection(service.refund({ requestId: otherId, paymentId, amount: usd(1_000n), reason: '' }, scope()));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(counted.callsOf('refund', otherId)).toBe(0);
    const rows = await db.pool.query("SELECT 1 FROM payment_transactions WHERE payment_id = $1 AND kind = 'REFUND'", [paymentId]);
    expect(rows.rowCount).toBe(1);
  });

  it('keeps an unrecorded authorization PENDING; a same-id retry records the processor\'s first decision on the same payment', async () => {
    const requestId = `auth-${randomUUID()}`;
    const orderId = `order-${randomUUID()}`;
    const command = { requestId, orderId, amount: usd(2_500n), card };
    flaky.failNext(3);
    const error = await rejection(service.authorize(command, scope()));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.reason).toBe('OUTCOME_NOT_RECORDED');

    const attempts = async () =>
      (await db.pool.query<{ id: string; status: string }>('SELECT id, status::text AS status FROM payments WHERE order_id = $1', [orderId])).rows;
    const [pending] = await attempts();
    expect(pending?.status).toBe('PENDING');
    expect((await keyOf(requestId))?.state).toBe('IN_PROGRESS');

    const payment = await service.authorize(command, scope());
    expect(payment.id).toBe(pending?.id);
    expect(payment.status).toBe('AUTHORIZED');
    // The processor was asked twice with one idempotency key and answered the same authorization both times.
    expect(counted.callsOf('authorize', requestId)).toBe(2);
    const first = await counted.inner.authorize({ idempotencyKey: requestId, amount: usd(2_500n), card }, new AbortController().signal);
    expect(first).toEqual({ approved: true, reference: payment.processorReference });
    expect(await attempts()).toEqual([{ id: payment.id, status: 'AUTHORIZED' }]);
    expect(payment.transactions.map((row) => row.kind)).toEqual(['AUTHORIZATION']);
  });

  it('still releases a request that decided nothing (a refusal)', async () => {
    const paymentId = await captured(1_000n);
    const requestId = `void-${randomUUID()}`;
    const error = await rejection(service.void({ requestId, paymentId }, scope()));
    expect(error.reason).toBe('INVALID_STATE_TRANSITION');
    expect(await keyOf(requestId)).toBeUndefined();
    expect(await claimOf(paymentId)).toBeNull();
  });
});
