import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import { cardFingerprint, requestFingerprint } from '../src/domain/fingerprint';
import { authorizeRequest, card, eventually, failure, rid, startHarness, status, TEST_CARD, usd, type Harness } from './support';

// Each suite starts a server over a fresh database, and the machine is shared: hooks and tests get room.
jest.setTimeout(30_000);

describe('idempotency by request_id', () => {
  let harness: Harness;

  beforeAll(async () => {
    // Processor latency makes concurrent duplicates overlap for real.
    harness = await startHarness({ PROCESSOR_LATENCY_MS: '150' });
  });

  afterAll(async () => {
    await harness.close();
  });

  const count = async (sql: string, params: unknown[]) => Number((await harness.query<{ n: string }>(sql, params))[0]?.n);

  it('concurrent duplicate authorizations with one request_id produce one payment', async () => {
    const request = authorizeRequest({ amountMinor: 1_234n });
    const results = await Promise.all(Array.from({ length: 8 }, () => harness.payments.authorizePayment(request)));
    const ids = new Set(results.map((r) => r.payment?.id));
    expect(ids.size).toBe(1);
    expect(results.every((r) => r.payment?.status === PaymentStatus.PAYMENT_STATUS_AUTHORIZED)).toBe(true);
    expect(await count('SELECT count(*)::text AS n FROM payments WHERE order_id = $1', [request.orderId])).toBe(1);
    expect(await count('SELECT count(*)::text AS n FROM payment_transactions WHERE request_id = $1', [request.requestId])).toBe(1);
  });

  it('a repeated authorization returns the original payment', async () => {
    const request = authorizeRequest();
    const first = await harness.payments.authorizePayment(request);
    const again = await harness.payments.authorizePayment(request);
    expect(again.payment?.id).toBe(first.payment?.id);
    expect(await count('SELECT count(*)::text AS n FROM payments WHERE order_id = $1', [request.orderId])).toBe(1);
  });

  it.each([
    ['another amount', { amount: usd(1n) }],
    ['another currency', { amount: { currencyCode: 'EUR', amountMinor: 10_000n } }],
    ['another order', { orderId: 'another-order' }],
    ['another card', { card: card(TEST_CARD.otherMastercard) }],
  ])('the same request_id with %s is IDEMPOTENCY_KEY_REUSED', async (_label, change) => {
    const request = authorizeRequest();
    await harness.payments.authorizePayment(request);
    const error = await failure(harness.payments.authorizePayment({ ...request, ...change }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a repeated capture or refund moves money once', async () => {
    const { payment } = await harness.payments.authorizePayment(authorizeRequest({ amountMinor: 5_000n }));
    const paymentId = payment?.id ?? '';
    const captureRequest = { requestId: rid('cap'), paymentId, amount: usd(4_000n) };
    const captures = await Promise.all([harness.payments.capturePayment(captureRequest), harness.payments.capturePayment(captureRequest)]);
    expect(captures.map((c) => c.payment?.capturedAmount)).toEqual([usd(4_000n), usd(4_000n)]);
    const refundRequest = { requestId: rid('ref'), paymentId, amount: usd(1_500n), reason: '' };
    await harness.payments.refundPayment(refundRequest);
    const again = await harness.payments.refundPayment(refundRequest);
    expect(again.payment?.refundedAmount).toEqual(usd(1_500n));
    expect(again.payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED);
    expect(await count('SELECT count(*)::text AS n FROM payment_transactions WHERE payment_id = $1', [paymentId])).toBe(3);
  });

  it('a capture or refund request_id reused with other parameters is rejected', async () => {
    const { payment } = await harness.payments.authorizePayment(authorizeRequest({ amountMinor: 5_000n }));
    const paymentId = payment?.id ?? '';
    const requestId = rid('cap');
    await harness.payments.capturePayment({ requestId, paymentId, amount: usd(5_000n) });
    const otherAmount = await failure(harness.payments.capturePayment({ requestId, paymentId, amount: usd(4_000n) }));
    expect(otherAmount.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    const asRefund = await failure(harness.payments.refundPayment({ requestId, paymentId, amount: usd(5_000n), reason: '' }));
    expect(asRefund.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    const refundId = rid('ref');
    await harness.payments.refundPayment({ requestId: refundId, paymentId, amount: usd(100n), reason: 'damaged' });
    const otherReason = await failure(harness.payments.refundPayment({ requestId: refundId, paymentId, amount: usd(100n), reason: 'late' }));
    expect(otherReason.code).toBe(status.FAILED_PRECONDITION);
    expect(otherReason.reason).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a refused movement does not consume its request_id', async () => {
    const { payment } = await harness.payments.authorizePayment(authorizeRequest({ amountMinor: 1_000n }));
    const paymentId = payment?.id ?? '';
    const requestId = rid('ref');
    const early = await failure(harness.payments.refundPayment({ requestId, paymentId, amount: usd(500n), reason: '' }));
    expect(early.reason).toBe('INVALID_STATE_TRANSITION');
    await harness.payments.capturePayment({ requestId: rid('cap'), paymentId });
    const { payment: refunded } = await harness.payments.refundPayment({ requestId, paymentId, amount: usd(500n), reason: '' });
    expect(refunded?.refundedAmount).toEqual(usd(500n));
  });
});

describe('a duplicate that cannot wait long enough', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ PROCESSOR_LATENCY_MS: '3000', IDEMPOTENCY_WAIT_MS: '100' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('gets ABORTED REQUEST_IN_PROGRESS while the first call runs, and the first call\'s result afterwards', async () => {
    const request = authorizeRequest();
    const first = harness.payments.authorizePayment(request);
    // Let the first call claim the request id before the duplicate arrives (its processor call then lasts 3 s).
    await eventually(
      async () => ((await harness.query('SELECT 1 FROM idempotency_keys WHERE request_id = $1', [request.requestId])).length > 0 ? true : undefined),
      'the first call\'s claim',
    );
    const duplicate = await failure(harness.payments.authorizePayment(request));
    expect(duplicate.code).toBe(status.ABORTED);
    expect(duplicate.reason).toBe('REQUEST_IN_PROGRESS');
    const original = await first;
    const later = await harness.payments.authorizePayment(request);
    expect(later.payment?.id).toBe(original.payment?.id);
  });
});

describe('a request whose first attempt died mid-way', () => {
  const SECRET = 'test-card-fingerprint-secret';
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ CARD_FINGERPRINT_SECRET: SECRET, IDEMPOTENCY_WAIT_MS: '200' });
  });

  afterAll(async () => {
    await harness.close();
  });

  // What the service records when it claims an authorization: the row a crashed process leaves behind.
  const leaveClaim = async (request: ReturnType<typeof authorizeRequest>, lockedUntil: Date) => {
    const fingerprint = requestFingerprint({
      operation: 'authorize',
      orderId: request.orderId,
      amount: `${request.amount.amountMinor}`,
      currency: request.amount.currencyCode,
      card: cardFingerprint(SECRET, request.card),
    });
    await harness.query(
      "INSERT INTO idempotency_keys (request_id, operation, fingerprint, state, locked_until) VALUES ($1, 'authorize', $2, 'IN_PROGRESS', $3)",
      [request.requestId, fingerprint, lockedUntil],
    );
  };

  it('is taken over by a retry once its lease has run out', async () => {
    const request = authorizeRequest();
    await leaveClaim(request, new Date(Date.now() - 1_000));
    const { payment } = await harness.payments.authorizePayment(request);
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    const keys = await harness.query<{ state: string; payment_id: string }>('SELECT state, payment_id FROM idempotency_keys WHERE request_id = $1', [request.requestId]);
    expect(keys).toEqual([{ state: 'COMPLETED', payment_id: payment?.id }]);
  });

  it('blocks retries with ABORTED REQUEST_IN_PROGRESS while its lease holds', async () => {
    const request = authorizeRequest();
    await leaveClaim(request, new Date(Date.now() + 60_000));
    const error = await failure(harness.payments.authorizePayment(request));
    expect(error.code).toBe(status.ABORTED);
    expect(error.reason).toBe('REQUEST_IN_PROGRESS');
    expect(await harness.query('SELECT 1 FROM payments WHERE order_id = $1', [request.orderId])).toHaveLength(0);
  });

  it('still rejects other parameters under the same request id', async () => {
    const request = authorizeRequest();
    await leaveClaim(request, new Date(Date.now() - 1_000));
    const error = await failure(harness.payments.authorizePayment({ ...request, amount: usd(1n) }));
    expect(error.reason).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
