import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import { authorizeRequest, eventually, failure, rid, startHarness, status, usd, type Harness, type PaymentCaller } from './support';
import { giveUpDuringProcessorCall } from './support-give-up';

// Each suite starts a server over a fresh database, and the machine is shared: hooks and tests get room.
jest.setTimeout(30_000);

interface ClaimRow extends Record<string, unknown> {
  movement_request_id: string | null;
}

const claimOf = async (harness: Harness, paymentId: string): Promise<string | null> =>
  (await harness.query<ClaimRow>('SELECT movement_request_id FROM payments WHERE id = $1', [paymentId]))[0]?.movement_request_id ?? null;

const authorized = async (harness: Harness, amountMinor = 10_000n): Promise<string> => {
  const { payment } = await harness.payments.authorizePayment(authorizeRequest({ amountMinor }));
  if (!payment) throw new Error('no payment');
  return payment.id;
};

describe('captures, voids and refunds hold no transaction or lock while the processor works', () => {
  let harness: Harness;
  let slow: PaymentCaller;

  beforeAll(async () => {
    harness = await startHarness({ PROCESSOR_LATENCY_MS: '600' });
    // A processor call of seconds: the probes below run inside it however loaded the machine.
    slow = await harness.replica({ PROCESSOR_LATENCY_MS: '3000' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('the payment row stays unlocked during a capture\'s processor call; the movement claim marks it instead', async () => {
    const paymentId = await authorized(harness);
    const requestId = rid('cap');
    let settled = false;
    const capture = slow.capturePayment({ requestId, paymentId }).finally(() => {
      settled = true;
    });
    // The request id is claimed before anything else, so the probes below cover the whole processor call.
    await eventually(
      async () => ((await harness.query('SELECT 1 FROM idempotency_keys WHERE request_id = $1', [requestId])).length > 0 ? true : undefined),
      'the capture\'s request id',
    );
    const seen = { probes: 0, locked: 0, openTransactions: 0, claimed: 0 };
    while (!settled) {
      seen.probes += 1;
      // NOWAIT fails at once on a row lock: the old code held one, in an open transaction, across the processor call.
      await harness.query('SELECT id FROM payments WHERE id = $1 FOR UPDATE NOWAIT', [paymentId]).catch((error: { code?: string }) => {
        if (error.code !== '55P03') throw error;
        seen.locked += 1;
      });
      const open = await harness.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
      );
      seen.openTransactions += Number(open[0]?.n);
      if ((await claimOf(harness, paymentId)) === requestId) seen.claimed += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toMatchObject({ locked: 0, openTransactions: 0 });
    expect(seen.claimed).toBeGreaterThan(0);
    const { payment } = await capture;
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(await claimOf(harness, paymentId)).toBeNull();
  });

  it('concurrent refunds wait for each other and never exceed the capture', async () => {
    const paymentId = await authorized(harness, 10_000n);
    await harness.payments.capturePayment({ requestId: rid('cap'), paymentId });
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () => harness.payments.refundPayment({ requestId: rid('ref'), paymentId, amount: usd(4_000n), reason: '' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refused).toHaveLength(1);
    const { payment } = await harness.payments.getPayment({ paymentId });
    expect(payment?.refundedAmount).toEqual(usd(8_000n));
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED);
    expect(await claimOf(harness, paymentId)).toBeNull();
  });

  it('a refused movement leaves no claim behind', async () => {
    const paymentId = await authorized(harness);
    const error = await failure(harness.payments.refundPayment({ requestId: rid('ref'), paymentId, amount: usd(1n), reason: '' }));
    expect(error.reason).toBe('INVALID_STATE_TRANSITION');
    expect(await claimOf(harness, paymentId)).toBeNull();
  });
});

describe('a capture whose caller gave up while the processor worked', () => {
  let harness: Harness;
  let unanswered: PaymentCaller;

  beforeAll(async () => {
    // A movement gives up waiting for another one after 100 ms, well inside its deadline: its answer is that decision.
    harness = await startHarness({ MOVEMENT_WAIT_MS: '100' });
    // A replica whose processor answers no call before its caller gives up.
    unanswered = await harness.replica({ PROCESSOR_LATENCY_MS: '600000' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('keeps its claim for a retry of the same request, which settles it once', async () => {
    const { requestId, paymentId } = await giveUpDuringProcessorCall(
      harness,
      async () => ({ requestId: rid('cap'), paymentId: await authorized(harness) }),
      (request, settings) => unanswered.capturePayment(request, settings),
    );
    // The processor may have captured: the request id is held (see giveUpDuringProcessorCall) and keeps the payment.
    expect(await claimOf(harness, paymentId)).toBe(requestId);
    // Another movement cannot decide on the ledger meanwhile, and keeps nothing.
    const voidId = rid('void');
    const other = await failure(harness.payments.voidPayment({ requestId: voidId, paymentId }));
    expect(other.code).toBe(status.ABORTED);
    expect(other.reason).toBe('REQUEST_IN_PROGRESS');
    expect(await harness.query('SELECT 1 FROM idempotency_keys WHERE request_id = $1', [voidId])).toHaveLength(0);
    expect(await claimOf(harness, paymentId)).toBe(requestId);
    // A retry of the same request id (here on another replica, as after a caller's retry) takes over and settles it.
    const { payment } = await harness.payments.capturePayment({ requestId, paymentId });
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const rows = await harness.query<{ n: string }>("SELECT count(*)::text AS n FROM payment_transactions WHERE payment_id = $1 AND kind = 'CAPTURE'", [paymentId]);
    expect(rows[0]?.n).toBe('1');
    expect(await claimOf(harness, paymentId)).toBeNull();
    expect(await harness.query('SELECT state::text AS state FROM idempotency_keys WHERE request_id = $1', [requestId])).toEqual([{ state: 'COMPLETED' }]);
  });
});

describe('a movement that cannot wait for another one', () => {
  let harness: Harness;
  let slow: PaymentCaller;

  beforeAll(async () => {
    harness = await startHarness({ MOVEMENT_WAIT_MS: '100' });
    // The first movement's processor call spans the other's whole wait (100 ms) with seconds to spare, however
    // loaded the machine; the other runs on the harness's own replica, whose processor answers at once.
    slow = await harness.replica({ PROCESSOR_LATENCY_MS: '3000', MOVEMENT_WAIT_MS: '100' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('gets ABORTED REQUEST_IN_PROGRESS, keeps nothing, and may run again afterwards', async () => {
    const paymentId = await authorized(harness);
    const first = slow.capturePayment({ requestId: rid('cap'), paymentId });
    await eventually(async () => ((await claimOf(harness, paymentId)) !== null ? true : undefined), 'the first capture\'s claim');
    const voidId = rid('void');
    const busy = await failure(harness.payments.voidPayment({ requestId: voidId, paymentId }));
    expect(busy.code).toBe(status.ABORTED);
    expect(busy.reason).toBe('REQUEST_IN_PROGRESS');
    expect(await harness.query('SELECT 1 FROM idempotency_keys WHERE request_id = $1', [voidId])).toHaveLength(0);
    expect((await first).payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const late = await failure(harness.payments.voidPayment({ requestId: voidId, paymentId }));
    expect(late.reason).toBe('INVALID_STATE_TRANSITION');
  });

  it('respects a live claim of a dead process, and takes over one whose lease has run out', async () => {
    const paymentId = await authorized(harness);
    const setClaim = (until: Date) =>
      harness.query("UPDATE payments SET movement_request_id = 'dead-request', movement_until = $2 WHERE id = $1", [paymentId, until]);
    await setClaim(new Date(Date.now() + 60_000));
    const blocked = await failure(harness.payments.capturePayment({ requestId: rid('cap'), paymentId }));
    expect(blocked.reason).toBe('REQUEST_IN_PROGRESS');
    await setClaim(new Date(Date.now() - 1_000));
    const { payment } = await harness.payments.capturePayment({ requestId: rid('cap'), paymentId });
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(await claimOf(harness, paymentId)).toBeNull();
  });
});

describe('a movement whose processor call outlives its lease', () => {
  let harness: Harness;
  let slow: PaymentCaller;

  beforeAll(async () => {
    harness = await startHarness({ IDEMPOTENCY_LEASE_MS: '150' });
    // The lease (request id and movement claim) runs out long before this replica's processor answers: seconds in
    // which the other movement, on the harness's own replica (its processor answers at once), takes over and records.
    slow = await harness.replica({ PROCESSOR_LATENCY_MS: '3000', IDEMPOTENCY_LEASE_MS: '150' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('records nothing once another movement took the payment over, and answers UNAVAILABLE (the request is kept for a retry)', async () => {
    const paymentId = await authorized(harness);
    const firstId = rid('cap');
    const first = failure(slow.capturePayment({ requestId: firstId, paymentId }));
    await eventually(async () => ((await claimOf(harness, paymentId)) === firstId ? true : undefined), 'the first capture\'s claim');
    const second = await harness.payments.capturePayment({ requestId: rid('cap'), paymentId });
    expect(second.payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const error = await first;
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.reason).toBe('MOVEMENT_INTERRUPTED');
    const rows = await harness.query<{ n: string }>("SELECT count(*)::text AS n FROM payment_transactions WHERE payment_id = $1 AND kind = 'CAPTURE'", [paymentId]);
    expect(rows[0]?.n).toBe('1');
    // The processor acted on the first request: it is not released, only a retry of the same request id settles it.
    expect(await harness.query('SELECT state::text AS state FROM idempotency_keys WHERE request_id = $1', [firstId])).toEqual([{ state: 'IN_PROGRESS' }]);
  });
});
