import { authorizeRequest, failure, startHarness, status, type Harness } from './support';

jest.setTimeout(30_000);

/** A stuck database must not hold a call forever, nor answer INTERNAL: the pool's statement timeout bounds it. */
describe('payment service over a stuck database', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ DATABASE_STATEMENT_TIMEOUT_MS: '300' });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('answers DEADLINE_EXCEEDED DATABASE_TIMEOUT when a statement waits past the timeout, then serves again', async () => {
    const { payment } = await harness.payments.authorizePayment(authorizeRequest());
    if (!payment) throw new Error('no payment');

    // Another session holds the table: the service's read waits on the lock until the server cancels it.
    await harness.query('BEGIN');
    await harness.query('LOCK TABLE payments IN ACCESS EXCLUSIVE MODE');
    try {
      const error = await failure(harness.payments.getPayment({ paymentId: payment.id }));
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
      expect(error.reason).toBe('DATABASE_TIMEOUT');
      expect(error.message).not.toMatch(/statement|cancel|payments/i);
    } finally {
      await harness.query('ROLLBACK');
    }
    await expect(harness.payments.getPayment({ paymentId: payment.id })).resolves.toMatchObject({ payment: { id: payment.id } });
  });
});
