import { authorizeRequest, card, failure, rid, startHarness, TEST_CARD, usd, type Harness } from './support';

// Each suite starts a server over a fresh database, and the machine is shared: hooks and tests get room.
jest.setTimeout(30_000);

// Distinctive CVCs, so that a match cannot be a coincidence of ids or timestamps.
const CVCS = ['9183', '846'];

/** Every string value inside a JSON document, at any depth. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  if (typeof value === 'number') return [String(value)];
  return [];
}

describe('card data never reaches the database or the logs', () => {
  let harness: Harness;
  const numbers = [...Object.values(TEST_CARD), '4242424242424241'];

  beforeAll(async () => {
    harness = await startHarness({ PROCESSOR_SLOW_MS: '2000' });
    // Every path a card can take: approvals, declines, a transient failure, a timeout, a validation failure,
    // an idempotent replay, and the later movements of an approved payment.
    const timedOut: string[] = [];
    for (const [index, number] of numbers.entries()) {
      const cvc = CVCS[index % CVCS.length] ?? '000';
      const request = authorizeRequest({ cardNumber: number, cvc });
      // Only the slow card's calls get a short deadline (its processor answers after 2 s): the others must not
      // time out on a loaded machine, or the payments below would be missing.
      const settings = () => {
        if (number !== TEST_CARD.slow) return {};
        const callId = rid('slow');
        timedOut.push(callId);
        return { deadlineMs: 500, callId };
      };
      const result = await harness.payments.authorizePayment(request, settings()).catch(() => undefined);
      await harness.payments.authorizePayment(request, settings()).catch(() => undefined);
      const paymentId = result?.payment?.id;
      if (paymentId && number === TEST_CARD.approve) {
        await harness.payments.capturePayment({ requestId: rid(), paymentId, amount: usd(5_000n) });
        await harness.payments.refundPayment({ requestId: rid(), paymentId, amount: usd(1_000n), reason: 'scan' });
      }
    }
    await failure(harness.payments.authorizePayment({ ...authorizeRequest(), card: { ...card(TEST_CARD.approve, '9183'), expYear: 2001 } }));
    // The slow card's calls end at the server's deadline, after their callers': let them settle before scanning.
    for (const callId of timedOut) expect(await harness.answered(callId)).toBe(true);
  });

  afterAll(async () => {
    await harness.close();
  });

  it('the scenario stored payments (the scan below is not vacuous)', async () => {
    const rows = await harness.query<{ n: string }>('SELECT count(*)::text AS n FROM payments');
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(4);
    const last4 = await harness.query<{ card_last4: string }>('SELECT DISTINCT card_last4 FROM payments ORDER BY 1');
    expect(last4.map((r) => r.card_last4)).toEqual(expect.arrayContaining(['4242', '0002', '9995', '4444']));
  });

  it('no column of any table holds a full card number or a CVC', async () => {
    const tables = await harness.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['payments', 'payment_transactions', 'idempotency_keys']));
    let scanned = 0;
    for (const { table_name: table } of tables) {
      const rows = await harness.query<{ row: Record<string, unknown> }>(`SELECT row_to_json(t) AS row FROM "${table}" t`);
      for (const { row } of rows) {
        scanned += 1;
        const text = JSON.stringify(row);
        for (const number of numbers) expect(text).not.toContain(number);
        for (const value of stringsIn(row)) expect(CVCS).not.toContain(value);
      }
    }
    expect(scanned).toBeGreaterThan(10);
  });

  it('no log line holds a full card number or a CVC', () => {
    const text = harness.logText();
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(10);
    for (const number of numbers) expect(text).not.toContain(number);
    for (const line of lines) {
      for (const value of stringsIn(JSON.parse(line))) expect(CVCS).not.toContain(value);
    }
  });
});
