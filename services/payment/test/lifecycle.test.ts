import { PaymentStatus, type Payment } from '@shop/proto/gen/shop/payment/v1/payment';
import { authorizeRequest, failure, rid, startHarness, status, TEST_CARD, usd, type Harness } from './support';

// Each suite starts a server over a fresh database, and the machine is shared: hooks and tests get room.
jest.setTimeout(30_000);

const UNKNOWN_ID = '5b0c7c2e-3f7a-4d53-9a55-1d2a7f0e9b11';

describe('payment lifecycle over gRPC', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  const authorize = async (amountMinor = 10_000n, cardNumber: string = TEST_CARD.approve): Promise<Payment> => {
    const { payment } = await harness.payments.authorizePayment(authorizeRequest({ amountMinor, cardNumber }));
    if (!payment) throw new Error('no payment');
    return payment;
  };
  const capture = (paymentId: string, amountMinor?: bigint) =>
    harness.payments.capturePayment({ requestId: rid('cap'), paymentId, amount: amountMinor === undefined ? undefined : usd(amountMinor) });
  const voidIt = (paymentId: string) => harness.payments.voidPayment({ requestId: rid('void'), paymentId });
  const refund = (paymentId: string, amountMinor?: bigint) =>
    harness.payments.refundPayment({ requestId: rid('ref'), paymentId, amount: amountMinor === undefined ? undefined : usd(amountMinor), reason: 'customer request' });

  const expectRefused = async (call: Promise<unknown>, reason: string) => {
    const error = await failure(call);
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe(reason);
  };

  describe('legal transitions', () => {
    it('AUTHORIZED -> CAPTURED captures the full amount when none is given', async () => {
      const payment = await authorize(4_200n);
      const { payment: captured } = await capture(payment.id);
      expect(captured?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
      expect(captured?.capturedAmount).toEqual(usd(4_200n));
      expect(captured?.authorizedAmount).toEqual(usd(4_200n));
    });

    it('AUTHORIZED -> VOIDED', async () => {
      const payment = await authorize();
      const { payment: voided } = await voidIt(payment.id);
      expect(voided?.status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
      expect(voided?.capturedAmount).toEqual(usd(0n));
    });

    it('CAPTURED -> PARTIALLY_REFUNDED -> REFUNDED', async () => {
      const payment = await authorize(5_000n);
      await capture(payment.id);
      const partial = await refund(payment.id, 1_000n);
      expect(partial.payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED);
      expect(partial.payment?.refundedAmount).toEqual(usd(1_000n));
      const rest = await refund(payment.id);
      expect(rest.payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_REFUNDED);
      expect(rest.payment?.refundedAmount).toEqual(usd(5_000n));
    });

    it('CAPTURED -> REFUNDED in one full refund', async () => {
      const payment = await authorize(3_000n);
      await capture(payment.id);
      const { payment: refunded } = await refund(payment.id);
      expect(refunded?.status).toBe(PaymentStatus.PAYMENT_STATUS_REFUNDED);
      expect(refunded?.refundedAmount).toEqual(usd(3_000n));
    });
  });

  describe('illegal transitions are FAILED_PRECONDITION / INVALID_STATE_TRANSITION', () => {
    it('from AUTHORIZED: refund', async () => {
      const payment = await authorize();
      await expectRefused(refund(payment.id, 100n), 'INVALID_STATE_TRANSITION');
    });

    it('from CAPTURED: a second capture and a void', async () => {
      const payment = await authorize();
      await capture(payment.id, 5_000n);
      await expectRefused(capture(payment.id, 1_000n), 'INVALID_STATE_TRANSITION');
      await expectRefused(voidIt(payment.id), 'INVALID_STATE_TRANSITION');
    });

    it('from PARTIALLY_REFUNDED: capture and void', async () => {
      const payment = await authorize();
      await capture(payment.id);
      await refund(payment.id, 10n);
      await expectRefused(capture(payment.id), 'INVALID_STATE_TRANSITION');
      await expectRefused(voidIt(payment.id), 'INVALID_STATE_TRANSITION');
    });

    it('from REFUNDED: capture, void and refund', async () => {
      const payment = await authorize(100n);
      await capture(payment.id);
      await refund(payment.id);
      await expectRefused(capture(payment.id), 'INVALID_STATE_TRANSITION');
      await expectRefused(voidIt(payment.id), 'INVALID_STATE_TRANSITION');
      await expectRefused(refund(payment.id, 1n), 'INVALID_STATE_TRANSITION');
    });

    it('from VOIDED: capture, void and refund', async () => {
      const payment = await authorize();
      await voidIt(payment.id);
      await expectRefused(capture(payment.id), 'INVALID_STATE_TRANSITION');
      await expectRefused(voidIt(payment.id), 'INVALID_STATE_TRANSITION');
      await expectRefused(refund(payment.id), 'INVALID_STATE_TRANSITION');
    });

    it('from DECLINED: capture, void and refund', async () => {
      const payment = await authorize(100n, TEST_CARD.insufficientFunds);
      expect(payment.status).toBe(PaymentStatus.PAYMENT_STATUS_DECLINED);
      await expectRefused(capture(payment.id), 'INVALID_STATE_TRANSITION');
      await expectRefused(voidIt(payment.id), 'INVALID_STATE_TRANSITION');
      await expectRefused(refund(payment.id), 'INVALID_STATE_TRANSITION');
    });
  });

  it('partial capture, several partial refunds summing to the capture, then one more refused', async () => {
    const payment = await authorize(10_000n);
    const { payment: captured } = await capture(payment.id, 6_000n);
    expect(captured?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    expect(captured?.capturedAmount).toEqual(usd(6_000n));
    expect(captured?.authorizedAmount).toEqual(usd(10_000n));

    expect((await refund(payment.id, 1_000n)).payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED);
    expect((await refund(payment.id, 2_000n)).payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED);
    await expectRefused(refund(payment.id, 3_001n), 'AMOUNT_EXCEEDS_LIMIT');
    const last = await refund(payment.id, 3_000n);
    expect(last.payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    expect(last.payment?.refundedAmount).toEqual(usd(6_000n));
    await expectRefused(refund(payment.id, 1n), 'INVALID_STATE_TRANSITION');
    expect(last.payment?.transactions.map((t) => t.amount?.amountMinor)).toEqual([10_000n, 6_000n, 1_000n, 2_000n, 3_000n]);
  });

  it('refuses a capture above the authorized amount, and a valid capture still succeeds afterwards', async () => {
    const payment = await authorize(1_000n);
    await expectRefused(capture(payment.id, 1_001n), 'AMOUNT_EXCEEDS_LIMIT');
    expect((await capture(payment.id, 1_000n)).payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  });

  it('refuses another currency than the payment\'s', async () => {
    const payment = await authorize(1_000n);
    const error = await failure(harness.payments.capturePayment({ requestId: rid(), paymentId: payment.id, amount: { currencyCode: 'EUR', amountMinor: 500n } }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe('CURRENCY_MISMATCH');
  });

  it('answers NOT_FOUND for unknown payments and INVALID_ARGUMENT for malformed ids', async () => {
    expect((await failure(capture(UNKNOWN_ID))).code).toBe(status.NOT_FOUND);
    expect((await failure(voidIt(UNKNOWN_ID))).code).toBe(status.NOT_FOUND);
    expect((await failure(refund(UNKNOWN_ID))).code).toBe(status.NOT_FOUND);
    expect((await failure(harness.payments.getPayment({ paymentId: UNKNOWN_ID }))).code).toBe(status.NOT_FOUND);
    expect((await failure(harness.payments.getPayment({ paymentId: 'nope' }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await failure(capture(UNKNOWN_ID, 0n))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('concurrent captures of one authorization: exactly one wins', async () => {
    const payment = await authorize(10_000n);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => capture(payment.id, 2_000n)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rows = await harness.query<{ n: string }>("SELECT count(*)::text AS n FROM payment_transactions WHERE payment_id = $1 AND kind = 'CAPTURE'", [payment.id]);
    expect(rows[0]?.n).toBe('1');
  });

  it('concurrent refunds cannot exceed what was captured', async () => {
    const payment = await authorize(10_000n);
    await capture(payment.id);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => refund(payment.id, 2_000n)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const { payment: after } = await harness.payments.getPayment({ paymentId: payment.id });
    expect(after?.status).toBe(PaymentStatus.PAYMENT_STATUS_REFUNDED);
    expect(after?.refundedAmount).toEqual(usd(10_000n));
  });

  it('balances of every payment equal the sums of its ledger rows', async () => {
    const payment = await authorize(9_000n);
    await capture(payment.id, 8_000n);
    await refund(payment.id, 500n);
    await refund(payment.id, 700n);

    const ledger = await harness.query<{ payment_id: string; authorized: string; captured: string; refunded: string }>(`
      SELECT p.id AS payment_id,
             COALESCE(SUM(t.amount_minor) FILTER (WHERE t.kind = 'AUTHORIZATION'), 0)::text AS authorized,
             COALESCE(SUM(t.amount_minor) FILTER (WHERE t.kind = 'CAPTURE'), 0)::text AS captured,
             COALESCE(SUM(t.amount_minor) FILTER (WHERE t.kind = 'REFUND'), 0)::text AS refunded
        FROM payments p LEFT JOIN payment_transactions t ON t.payment_id = p.id
       GROUP BY p.id`);
    expect(ledger.length).toBeGreaterThan(10);
    for (const row of ledger) {
      const { payment: served } = await harness.payments.getPayment({ paymentId: row.payment_id });
      expect(served?.authorizedAmount?.amountMinor).toBe(BigInt(row.authorized));
      expect(served?.capturedAmount?.amountMinor).toBe(BigInt(row.captured));
      expect(served?.refundedAmount?.amountMinor).toBe(BigInt(row.refunded));
      expect(BigInt(row.captured)).toBeLessThanOrEqual(BigInt(row.authorized));
      expect(BigInt(row.refunded)).toBeLessThanOrEqual(BigInt(row.captured));
    }
    const mine = ledger.find((row) => row.payment_id === payment.id);
    expect(mine).toEqual({ payment_id: payment.id, authorized: '9000', captured: '8000', refunded: '1200' });
  });
});

describe('authorization expiry', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ AUTHORIZATION_TTL_SECONDS: '1' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('refuses a capture after the authorization expired, and still allows a void', async () => {
    const { payment } = await harness.payments.authorizePayment(authorizeRequest());
    const expiresAt = payment?.authorizationExpireTime?.getTime() ?? 0;
    expect(expiresAt - (payment?.createTime?.getTime() ?? 0)).toBe(1_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 100));
    const error = await failure(harness.payments.capturePayment({ requestId: rid(), paymentId: payment?.id ?? '' }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe('AUTHORIZATION_EXPIRED');
    const { payment: voided } = await harness.payments.voidPayment({ requestId: rid(), paymentId: payment?.id ?? '' });
    expect(voided?.status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
  });
});
