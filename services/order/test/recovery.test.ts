import { randomUUID } from 'node:crypto';
import { OrderStatus } from '@shop/proto/gen/shop/order/v1/order';
import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import { ReservationState, type Product } from '@shop/proto/gen/shop/product/v1/product';
import { APPROVED_CARD, eventually, startStack, type Stack, type TestUser } from './support/stack';

jest.setTimeout(90_000);

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

type Step = 'RESERVED' | 'AUTHORIZING' | 'AUTHORIZED';

/**
 * What a crashed order service leaves behind: an order persisted at `step` whose lease ran out, the remote
 * effects of the steps before it (made for real), and its idempotency key still IN_PROGRESS.
 */
async function crashedOrder(customer: TestUser, product: Product, quantity: number, step: Step): Promise<{ orderId: string; requestId: string }> {
  const orderId = randomUUID();
  const requestId = randomUUID();
  const unit = product.price!.amountMinor;
  // The steps before the crash were the order service's own calls, made with its SERVICE token.
  const auth = { token: await stack.serviceToken() };
  await stack.inventory.reserveStock({ reservationId: orderId, items: [{ productId: product.id, quantity }] }, auth);
  let paymentId: string | null = null;
  if (step !== 'RESERVED') {
    const { payment } = await stack.payments.authorizePayment(
      { requestId: `${orderId}:authorize`, orderId, amount: { currencyCode: 'USD', amountMinor: unit * BigInt(quantity) }, card: APPROVED_CARD },
      auth,
    );
    // AUTHORIZING: the answer was lost in the crash, so the order does not know the payment.
    if (step === 'AUTHORIZED') paymentId = payment!.id;
  }
  await stack.orderSql(
    `INSERT INTO orders (id, user_id, status, phase, step, currency, total_minor, ship_name, ship_line1, ship_city, ship_postal_code, ship_country,
                         payment_id, payment_status, lease_owner, lease_until)
     VALUES ($1, $2, 'PENDING', 'FORWARD', $3, 'USD', $4, 'Ada', '1 Way', 'London', 'N1', 'GB', $5, $6, 'crashed-instance', now() - interval '1 minute')`,
    [orderId, customer.userId, step, String(unit * BigInt(quantity)), paymentId, paymentId ? 'AUTHORIZED' : null],
  );
  await stack.orderSql(
    `INSERT INTO order_items (order_id, product_id, position, quantity, sku, name, unit_price_minor, line_total_minor)
     VALUES ($1, $2, 0, $3, $4, $5, $6, $7)`,
    [orderId, product.id, quantity, product.sku, product.name, String(unit), String(unit * BigInt(quantity))],
  );
  await stack.orderSql(
    `INSERT INTO idempotency_keys (user_id, request_id, fingerprint, order_id, expires_at) VALUES ($1, $2, 'crashed', $3, now() + interval '1 day')`,
    [customer.userId, requestId, orderId],
  );
  return { orderId, requestId };
}

async function orderRow(orderId: string) {
  const [row] = await stack.orderSql<{ status: string; status_reason: string; phase: string }>(
    'SELECT status, status_reason, phase FROM orders WHERE id = $1',
    [orderId],
  );
  return row!;
}

describe('recovery of orders whose saga stopped', () => {
  it('compensates an order that crashed between reserve and authorize, when a fresh instance starts', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 5 });
    const { orderId, requestId } = await crashedOrder(customer, product, 2, 'RESERVED');
    expect((await stack.stockOf(product.id)).reserved).toBe(2);

    // A new instance on the same database: its recovery worker runs at start.
    await stack.restartOrder();
    await eventually(async () => (await orderRow(orderId)).phase === 'DONE');

    expect(await orderRow(orderId)).toEqual({ status: 'CANCELLED', status_reason: 'CHECKOUT_INTERRUPTED', phase: 'DONE' });
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: 5, reserved: 0, available: 5, sold: 0 });
    const { reservation } = await stack.inventory.getReservation({ reservationId: orderId });
    expect(reservation?.state).toBe(ReservationState.RESERVATION_STATE_RELEASED);
    const { payments } = await stack.payments.listPayments({ orderId, pageSize: 0, pageToken: '' });
    expect(payments).toEqual([]);
    // The interrupted attempt's key is freed, so the customer can simply try again with it.
    const [key] = await stack.orderSql('SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND request_id = $2', [customer.userId, requestId]);
    expect(key).toBeUndefined();
  });

  it('completes an order that crashed after the authorization: commit, capture, CONFIRMED', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 5 });
    const { orderId, requestId } = await crashedOrder(customer, product, 3, 'AUTHORIZED');

    expect(await stack.recoverNow()).toBeGreaterThanOrEqual(1);

    const { order } = await stack.orders.getOrder({ orderId }, { token: customer.token });
    expect(order).toMatchObject({ status: OrderStatus.ORDER_STATUS_CONFIRMED, payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED } });
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: 2, reserved: 0, sold: 3 });
    // The stored outcome is the confirmed order.
    const [key] = await stack.orderSql<{ state: string; result_code: number }>(
      'SELECT state, result_code FROM idempotency_keys WHERE user_id = $1 AND request_id = $2',
      [customer.userId, requestId],
    );
    expect(key).toEqual({ state: 'COMPLETED', result_code: 0 });
  });

  it('looks up an authorization whose answer was lost and goes forward when it happened', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 5 });
    const { orderId } = await crashedOrder(customer, product, 1, 'AUTHORIZING');

    await stack.recoverNow();

    const { order } = await stack.orders.getOrder({ orderId }, { token: customer.token });
    expect(order).toMatchObject({ status: OrderStatus.ORDER_STATUS_CONFIRMED, payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED } });
    const { payments } = await stack.payments.listPayments({ orderId, pageSize: 0, pageToken: '' });
    expect(payments).toHaveLength(1);
    expect((await stack.stockOf(product.id)).sold).toBe(1);
  });

  it('lets replicas recover side by side without working on the same order twice', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 20 });
    const crashed: Array<{ orderId: string; requestId: string }> = [];
    for (let index = 0; index < 6; index++) crashed.push(await crashedOrder(customer, product, 1, index % 2 === 0 ? 'RESERVED' : 'AUTHORIZED'));
    const replica = await stack.startReplica();

    await Promise.all([stack.recoverNow(), replica.recoverNow()]);
    // The replica's own start-up pass may still be working on some of them.
    await eventually(async () => {
      const open = await stack.orderSql("SELECT 1 FROM orders WHERE id = ANY($1::uuid[]) AND phase <> 'DONE'", [crashed.map((order) => order.orderId)]);
      return open.length === 0;
    });

    for (const { orderId } of crashed) {
      expect((await orderRow(orderId)).phase).toBe('DONE');
      const finals = await stack.orderSql("SELECT 1 FROM saga_steps WHERE order_id = $1 AND event IN ('CANCELLED', 'CONFIRMED')", [orderId]);
      expect(finals).toHaveLength(1);
    }
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: 17, reserved: 0, sold: 3 });
  });

  it('leaves alone an order whose saga still holds its lease', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 5 });
    const { orderId } = await crashedOrder(customer, product, 1, 'RESERVED');
    await stack.orderSql("UPDATE orders SET lease_until = now() + interval '10 minutes' WHERE id = $1", [orderId]);

    await stack.recoverNow();

    expect(await orderRow(orderId)).toMatchObject({ status: 'PENDING', phase: 'FORWARD' });
    expect((await stack.stockOf(product.id)).reserved).toBe(1);
    // Once the lease runs out, recovery takes it.
    await stack.orderSql("UPDATE orders SET lease_until = now() - interval '1 second' WHERE id = $1", [orderId]);
    await stack.recoverNow();
    expect(await orderRow(orderId)).toMatchObject({ status: 'CANCELLED', phase: 'DONE' });
    expect((await stack.stockOf(product.id)).reserved).toBe(0);
  });
});
