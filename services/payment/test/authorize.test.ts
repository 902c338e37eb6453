import { PaymentStatus, PaymentTransactionKind } from '@shop/proto/gen/shop/payment/v1/payment';
import { authorizeRequest, card, failure, rid, startHarness, status, TEST_CARD, usd, type Harness } from './support';
import { giveUpDuringProcessorCall } from './support-give-up';

// Each suite starts a server over a fresh database, and the machine is shared: hooks and tests get room.
jest.setTimeout(30_000);

describe('AuthorizePayment through the simulated processor', () => {
  let harness: Harness;

  beforeAll(async () => {
    // The slow card answers no call before its caller gives up.
    harness = await startHarness({ PROCESSOR_SLOW_MS: '600000' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('approves 4242424242424242 and keeps only brand and last 4', async () => {
    const request = authorizeRequest({ amountMinor: 2_500n });
    const { payment } = await harness.payments.authorizePayment(request);
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(payment?.orderId).toBe(request.orderId);
    expect(payment?.authorizedAmount).toEqual(usd(2_500n));
    expect(payment?.capturedAmount).toEqual(usd(0n));
    expect(payment?.card).toEqual({ brand: 'visa', last4: '4242', expMonth: 12, expYear: request.card.expYear });
    expect(payment?.declineCode).toBe('');
    expect(payment?.authorizationExpireTime?.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    expect(payment?.transactions).toHaveLength(1);
    expect(payment?.transactions[0]).toMatchObject({
      kind: PaymentTransactionKind.PAYMENT_TRANSACTION_KIND_AUTHORIZATION,
      amount: usd(2_500n),
      requestId: request.requestId,
    });
  });

  it('approves any other Luhn-valid number', async () => {
    const { payment } = await harness.payments.authorizePayment(authorizeRequest({ cardNumber: TEST_CARD.otherMastercard }));
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(payment?.card?.brand).toBe('mastercard');
    expect(payment?.card?.last4).toBe('4444');
  });

  it.each([
    [TEST_CARD.cardDeclined, 'card_declined'],
    [TEST_CARD.insufficientFunds, 'insufficient_funds'],
  ])('declines %s with %s as a DECLINED payment, not an error', async (number, code) => {
    const request = authorizeRequest({ cardNumber: number, amountMinor: 700n });
    const { payment } = await harness.payments.authorizePayment(request);
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_DECLINED);
    expect(payment?.declineCode).toBe(code);
    expect(payment?.authorizedAmount).toEqual(usd(0n));
    expect(payment?.transactions.map((t) => t.kind)).toEqual([PaymentTransactionKind.PAYMENT_TRANSACTION_KIND_DECLINE]);
    expect(payment?.transactions[0]?.amount).toEqual(usd(700n));
  });

  it('answers a decline again for the same request id without a second payment', async () => {
    const request = authorizeRequest({ cardNumber: TEST_CARD.cardDeclined });
    const first = await harness.payments.authorizePayment(request);
    const again = await harness.payments.authorizePayment(request);
    expect(again.payment?.id).toBe(first.payment?.id);
    expect(again.payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_DECLINED);
    const rows = await harness.query<{ n: string }>('SELECT count(*)::text AS n FROM payments WHERE order_id = $1', [request.orderId]);
    expect(rows[0]?.n).toBe('1');
  });

  it('fails 4000000000000119 transiently with UNAVAILABLE, records nothing, and lets the same request id retry', async () => {
    const request = authorizeRequest({ cardNumber: TEST_CARD.transientFailure });
    const first = await failure(harness.payments.authorizePayment(request));
    expect(first.code).toBe(status.UNAVAILABLE);
    expect(first.reason).toBe('PROCESSOR_UNAVAILABLE');
    const second = await failure(harness.payments.authorizePayment(request));
    expect(second.code).toBe(status.UNAVAILABLE);
    expect(await harness.query('SELECT 1 FROM payments WHERE order_id = $1', [request.orderId])).toHaveLength(0);
    expect(await harness.query('SELECT 1 FROM idempotency_keys WHERE request_id = $1', [request.requestId])).toHaveLength(0);
  });

  it('gives up on 4000000000000259 at the deadline and keeps the request for a retry of the same request id', async () => {
    // The server stops waiting at the caller's deadline (DEADLINE_EXCEEDED); the processor may have approved, so the
    // request stays unfinished (its key and PENDING attempt), with its lease cut short for a retry of the same request id.
    const request = await giveUpDuringProcessorCall(
      harness,
      async () => authorizeRequest({ cardNumber: TEST_CARD.slow }),
      (attempt, settings) => harness.payments.authorizePayment(attempt, settings),
    );
    expect(await harness.query('SELECT state::text AS state FROM idempotency_keys WHERE request_id = $1', [request.requestId])).toEqual([{ state: 'IN_PROGRESS' }]);
    expect(await harness.query("SELECT status::text AS status FROM payments WHERE order_id = $1", [request.orderId])).toEqual([{ status: 'PENDING' }]);
  });

  it.each([
    ['a number failing Luhn', { ...card('4242424242424241') }, 'card.number'],
    ['letters in the number', { ...card('4242abcd42424242') }, 'card.number'],
    ['an expired card', { ...card(), expMonth: 1, expYear: 2020 }, 'card.exp_month'],
    ['month 13', { ...card(), expMonth: 13 }, 'card.exp_month'],
    ['a 2-digit CVC', { ...card(), cvc: '12' }, 'card.cvc'],
    ['a 5-digit CVC', { ...card(), cvc: '12345' }, 'card.cvc'],
  ])('rejects %s with INVALID_ARGUMENT before the processor is called', async (_label, badCard, field) => {
    const request = { ...authorizeRequest(), card: badCard };
    const error = await failure(harness.payments.authorizePayment(request));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fieldViolations.map((v) => v.field)).toContain(field);
    expect(await harness.query('SELECT 1 FROM idempotency_keys WHERE request_id = $1', [request.requestId])).toHaveLength(0);
  });

  it('checks the card before the processor sees it: the transient and slow test cards fail validation, not at the processor', async () => {
    const transient = { ...authorizeRequest(), card: { ...card(TEST_CARD.transientFailure), expYear: 2020 } };
    expect((await failure(harness.payments.authorizePayment(transient))).code).toBe(status.INVALID_ARGUMENT);
    const slow = { ...authorizeRequest(), card: card(TEST_CARD.slow, 'abc') };
    // Within the default deadline (10 s), far below the slow card's processor time: a slow card reaching the
    // processor would answer DEADLINE_EXCEEDED.
    expect((await failure(harness.payments.authorizePayment(slow))).code).toBe(status.INVALID_ARGUMENT);
  });

  it.each([
    ['a zero amount', { amount: usd(0n) }, 'amount.amount_minor'],
    ['a negative amount', { amount: usd(-5n) }, 'amount.amount_minor'],
    ['a lower-case currency', { amount: { currencyCode: 'usd', amountMinor: 100n } }, 'amount.currency_code'],
    ['a missing amount', { amount: undefined }, 'amount'],
    ['a missing card', { card: undefined }, 'card'],
    ['a missing request id', { requestId: '' }, 'request_id'],
    ['a missing order id', { orderId: '' }, 'order_id'],
  ])('rejects %s with INVALID_ARGUMENT', async (_label, override, field) => {
    const error = await failure(harness.payments.authorizePayment({ ...authorizeRequest(), ...override }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fieldViolations.map((v) => v.field)).toContain(field);
  });

  it('requires an authenticated caller on every method', async () => {
    // Signed before any call starts, and every call's failure handled at once: a call that failed while another was
    // awaited would be an unhandled rejection (and fail the test, whatever its code).
    const foreignToken = await harness.token('CUSTOMER', { issuer: 'someone-else' });
    const calls = [
      harness.payments.authorizePayment(authorizeRequest(), { token: null }),
      harness.payments.capturePayment({ requestId: rid(), paymentId: '00000000-0000-4000-8000-000000000000' }, { token: null }),
      harness.payments.voidPayment({ requestId: rid(), paymentId: '00000000-0000-4000-8000-000000000000' }, { token: null }),
      harness.payments.refundPayment({ requestId: rid(), paymentId: '00000000-0000-4000-8000-000000000000', reason: '' }, { token: null }),
      harness.payments.getPayment({ paymentId: '00000000-0000-4000-8000-000000000000' }, { token: null }),
      harness.payments.listPayments({ orderId: 'o', pageSize: 0, pageToken: '' }, { token: null }),
      harness.payments.getPayment({ paymentId: '00000000-0000-4000-8000-000000000000' }, { token: 'not-a-jwt' }),
      harness.payments.getPayment({ paymentId: '00000000-0000-4000-8000-000000000000' }, { token: foreignToken }),
    ];
    const codes = (await Promise.all(calls.map(failure))).map((error) => error.code);
    expect(codes).toEqual(calls.map(() => status.UNAUTHENTICATED));
  });

  it('moves money only for services; admins may read; customers are refused', async () => {
    const customer = await harness.token('CUSTOMER');
    const admin = await harness.token('ADMIN');
    const { payment } = await harness.payments.authorizePayment(authorizeRequest());
    const paymentId = payment!.id;
    // Calls are made one at a time, each awaited at once, so no rejection is ever left unobserved.
    const writes = (token: string) => [
      () => harness.payments.authorizePayment(authorizeRequest(), { token }),
      () => harness.payments.capturePayment({ requestId: rid(), paymentId }, { token }),
      () => harness.payments.voidPayment({ requestId: rid(), paymentId }, { token }),
      () => harness.payments.refundPayment({ requestId: rid(), paymentId, reason: '' }, { token }),
    ];
    for (const call of [...writes(customer), ...writes(admin)]) expect((await failure(call())).code).toBe(status.PERMISSION_DENIED);
    for (const call of [
      () => harness.payments.getPayment({ paymentId }, { token: customer }),
      () => harness.payments.listPayments({ orderId: payment!.orderId, pageSize: 0, pageToken: '' }, { token: customer }),
    ]) {
      expect((await failure(call())).code).toBe(status.PERMISSION_DENIED);
    }
    expect((await harness.payments.getPayment({ paymentId }, { token: admin })).payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect((await harness.payments.listPayments({ orderId: payment!.orderId, pageSize: 0, pageToken: '' }, { token: admin })).payments).toHaveLength(1);
  });
});
