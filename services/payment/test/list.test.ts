import { authorizeRequest, failure, startHarness, status, type Harness } from './support';

// Each suite starts a server over a fresh database, and the machine is shared: hooks and tests get room.
jest.setTimeout(30_000);

describe('ListPayments', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('pages through an order\'s payments, oldest first, and nothing of other orders', async () => {
    const orderId = 'order-list-1';
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { payment } = await harness.payments.authorizePayment({ ...authorizeRequest({ amountMinor: BigInt(100 + i) }), orderId });
      created.push(payment?.id ?? '');
    }
    await harness.payments.authorizePayment(authorizeRequest({}));

    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await harness.payments.listPayments({ orderId, pageSize: 2, pageToken });
      expect(page.payments.length).toBeLessThanOrEqual(2);
      seen.push(...page.payments.map((p) => p.id));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken !== '' && pages < 10);
    expect(seen).toEqual(created);
    expect(pages).toBe(3);
  });

  it('uses the default page size for 0 and lists nothing for an order without payments', async () => {
    const page = await harness.payments.listPayments({ orderId: 'order-without-payments', pageSize: 0, pageToken: '' });
    expect(page).toEqual({ payments: [], nextPageToken: '' });
  });

  it('rejects a negative page size, a forged token and a token of another order', async () => {
    expect((await failure(harness.payments.listPayments({ orderId: 'o', pageSize: -1, pageToken: '' }))).code).toBe(status.INVALID_ARGUMENT);
    const forged = await failure(harness.payments.listPayments({ orderId: 'o', pageSize: 1, pageToken: 'abc.def' }));
    expect(forged.reason).toBe('INVALID_PAGE_TOKEN');

    const orderId = 'order-list-2';
    for (let i = 0; i < 2; i += 1) await harness.payments.authorizePayment({ ...authorizeRequest(), orderId });
    const { nextPageToken } = await harness.payments.listPayments({ orderId, pageSize: 1, pageToken: '' });
    expect(nextPageToken).not.toBe('');
    const foreign = await failure(harness.payments.listPayments({ orderId: 'order-list-1', pageSize: 1, pageToken: nextPageToken }));
    expect(foreign.code).toBe(status.INVALID_ARGUMENT);
    expect(foreign.reason).toBe('INVALID_PAGE_TOKEN');
  });

  it('requires an order id', async () => {
    expect((await failure(harness.payments.listPayments({ orderId: '', pageSize: 0, pageToken: '' }))).code).toBe(status.INVALID_ARGUMENT);
  });
});
