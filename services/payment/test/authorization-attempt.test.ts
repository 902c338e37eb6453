import { randomUUID } from 'node:crypto';
import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import { cardFingerprint, requestFingerprint } from '../src/domain/fingerprint';
import { authorizeRequest, eventually, failure, rid, startHarness, status, type Harness, type PaymentCaller } from './support';
import { giveUpDuringProcessorCall } from './support-give-up';

// Each suite starts a server over a fresh database, and the machine is shared: hooks and tests get room.
jest.setTimeout(30_000);

const SECRET = 'test-card-fingerprint-secret';

interface PaymentRow extends Record<string, unknown> {
  id: string;
  status: string;
  card_brand: string;
  card_last4: string;
}

describe('an authorization is recorded before the processor is asked', () => {
  let harness: Harness;
  // Replicas over the same database: one whose processor takes seconds, long enough to look at the database while
  // it works however loaded the machine; one whose processor answers no call before its caller gives up.
  let slow: PaymentCaller;
  let unanswered: PaymentCaller;

  beforeAll(async () => {
    harness = await startHarness({ PROCESSOR_LATENCY_MS: '600', CARD_FINGERPRINT_SECRET: SECRET });
    slow = await harness.replica({ PROCESSOR_LATENCY_MS: '3000', CARD_FINGERPRINT_SECRET: SECRET });
    unanswered = await harness.replica({ PROCESSOR_LATENCY_MS: '600000', CARD_FINGERPRINT_SECRET: SECRET });
  });

  afterAll(async () => {
    await harness.close();
  });

  const paymentsOf = (orderId: string) =>
    harness.query<PaymentRow>('SELECT id, status::text AS status, card_brand, card_last4 FROM payments WHERE order_id = $1', [orderId]);

  it('as a PENDING payment that no read returns, which becomes the payment', async () => {
    const request = authorizeRequest({ amountMinor: 1_500n });
    const call = slow.authorizePayment(request);
    const pending = await eventually(async () => (await paymentsOf(request.orderId))[0], 'the recorded attempt');
    expect(pending).toMatchObject({ status: 'PENDING', card_brand: 'visa', card_last4: '4242' });
    // Not a payment yet: neither GetPayment nor ListPayments shows it, and its key is still in progress.
    expect((await failure(harness.payments.getPayment({ paymentId: pending.id }))).code).toBe(status.NOT_FOUND);
    expect((await harness.payments.listPayments({ orderId: request.orderId, pageSize: 0, pageToken: '' })).payments).toEqual([]);
    expect(await harness.query('SELECT state::text AS state, payment_id FROM idempotency_keys WHERE request_id = $1', [request.requestId]))
      .toEqual([{ state: 'IN_PROGRESS', payment_id: pending.id }]);

    const { payment } = await call;
    expect(payment?.id).toBe(pending.id);
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(await paymentsOf(request.orderId)).toEqual([{ ...pending, status: 'AUTHORIZED' }]);
    expect(await harness.query('SELECT state::text AS state FROM idempotency_keys WHERE request_id = $1', [request.requestId]))
      .toEqual([{ state: 'COMPLETED' }]);
  });

  it('a movement aimed at an attempt finds no payment and leaves the attempt alone', async () => {
    const request = authorizeRequest();
    const call = slow.authorizePayment(request);
    const pending = await eventually(async () => (await paymentsOf(request.orderId))[0], 'the recorded attempt');
    const movements = [
      () => harness.payments.capturePayment({ requestId: rid('cap'), paymentId: pending.id }),
      () => harness.payments.voidPayment({ requestId: rid('void'), paymentId: pending.id }),
      () => harness.payments.refundPayment({ requestId: rid('ref'), paymentId: pending.id, reason: '' }),
    ];
    for (const movement of movements) expect((await failure(movement())).code).toBe(status.NOT_FOUND);
    expect(await paymentsOf(request.orderId)).toEqual([pending]);
    const { payment } = await call;
    expect(payment?.id).toBe(pending.id);
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  });

  it('an attempt a crashed process left is completed by a retry of the same request, on the same payment', async () => {
    const request = authorizeRequest({ amountMinor: 2_000n });
    const paymentId = randomUUID();
    const fingerprint = requestFingerprint({
      operation: 'authorize',
      orderId: request.orderId,
      amount: `${request.amount.amountMinor}`,
      currency: request.amount.currencyCode,
      card: cardFingerprint(SECRET, request.card),
    });
    // What the service leaves if it dies while the processor works: the claim (lease run out) and the attempt.
    const past = new Date(Date.now() - 1_000);
    await harness.query(
      "INSERT INTO idempotency_keys (request_id, operation, fingerprint, state, payment_id, locked_until) VALUES ($1, 'authorize', $2, 'IN_PROGRESS', $3, $4)",
      [request.requestId, fingerprint, paymentId, past],
    );
    await harness.query(
      `INSERT INTO payments (id, order_id, status, currency, requested_minor, card_brand, card_last4, card_exp_month, card_exp_year, authorization_expires_at)
       VALUES ($1, $2, 'PENDING', 'USD', 2000, 'visa', '4242', $3, $4, $5)`,
      [paymentId, request.orderId, request.card.expMonth, request.card.expYear, past],
    );

    const { payment } = await harness.payments.authorizePayment(request);
    expect(payment?.id).toBe(paymentId);
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(payment?.authorizedAmount?.amountMinor).toBe(2_000n);
    expect(await paymentsOf(request.orderId)).toHaveLength(1);
  });

  it('an attempt whose processor call timed out is kept, and a retry of the same request settles it once', async () => {
    // The processor may have approved before the timeout: the attempt and its key stay, the key's lease cut short.
    const request = await giveUpDuringProcessorCall(
      harness,
      async () => authorizeRequest(),
      (attempt, settings) => unanswered.authorizePayment(attempt, settings),
    );
    const [pending] = await paymentsOf(request.orderId);
    expect(pending?.status).toBe('PENDING');
    expect(await harness.query('SELECT state::text AS state FROM idempotency_keys WHERE request_id = $1', [request.requestId]))
      .toEqual([{ state: 'IN_PROGRESS' }]);

    const { payment } = await harness.payments.authorizePayment(request);
    expect(payment?.id).toBe(pending?.id);
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(payment?.transactions).toHaveLength(1);
    expect(await paymentsOf(request.orderId)).toEqual([{ ...pending, status: 'AUTHORIZED' }]);
    // Once settled, the same request answers the same payment.
    expect((await harness.payments.authorizePayment(request)).payment?.id).toBe(pending?.id);
  });
});
