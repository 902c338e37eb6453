import { status } from '@grpc/grpc-js';
import { OrderStatus } from '@shop/proto/gen/shop/order/v1/order';
import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import { eventually, failureOf, startStack, type Stack } from './support/stack';

jest.setTimeout(90_000);

let stack: Stack;

beforeAll(async () => {
  // A processor that takes a while, so that stopping the payment service catches checkouts mid-run.
  stack = await startStack({ payment: { PROCESSOR_LATENCY_MS: '150' } });
});

afterAll(async () => {
  await stack?.close();
});

describe('a payment outage during checkouts', () => {
  it('survives the payment service stopping mid-run: UNAVAILABLE, then every order ends terminal with nothing held', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 100 });
    const attempts = Array.from({ length: 12 }, (_, index) =>
      stack.orders.createOrder(stack.createOrderRequest(product.id, 1), { token: customer.token }).then(
        (response) => ({ ok: true as const, orderId: response.order!.id }),
        async (error: unknown) => ({ ok: false as const, failure: await failureOf(Promise.reject(error)), index }),
      ),
    );
    // Stop while authorizations are on the wire.
    await eventually(async () => (await stack.orderSql("SELECT 1 FROM orders WHERE user_id = $1 AND step = 'AUTHORIZING'", [customer.userId])).length > 0, 10_000, 5);
    await stack.stopPayment();
    const results = await Promise.all(attempts);

    // After the stop, checkouts fail fast and cleanly.
    const during = await failureOf(stack.orders.createOrder(stack.createOrderRequest(product.id, 1), { token: customer.token }));
    expect(during.code).toBe(status.UNAVAILABLE);
    expect(during.retryAfterSeconds).toBeGreaterThan(0);
    expect(results.some((result) => !result.ok)).toBe(true);
    for (const result of results) {
      if (!result.ok) expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(result.failure.code);
    }
    // Stock compensation never waits for the payment service.
    expect((await stack.stockOf(product.id)).reserved).toBe(0);

    await stack.restartPayment();
    await eventually(async () => {
      await stack.recoverNow();
      const rows = await stack.orderSql<{ open: string }>("SELECT count(*) AS open FROM orders WHERE user_id = $1 AND phase <> 'DONE'", [customer.userId]);
      return Number(rows[0]?.open) === 0;
    }, 30_000, 250);

    const orders = await stack.orderSql<{ id: string; status: string }>('SELECT id, status FROM orders WHERE user_id = $1', [customer.userId]);
    let confirmed = 0;
    for (const order of orders) {
      expect(['CONFIRMED', 'CANCELLED']).toContain(order.status);
      const { payments } = await stack.payments.listPayments({ orderId: order.id, pageSize: 0, pageToken: '' });
      if (order.status === 'CONFIRMED') {
        confirmed += 1;
        expect(payments.map((payment) => payment.status)).toEqual([PaymentStatus.PAYMENT_STATUS_CAPTURED]);
      } else {
        for (const payment of payments) expect(payment.status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
      }
    }
    expect(await stack.stockOf(product.id)).toMatchObject({ reserved: 0, sold: confirmed, onHand: 100 - confirmed });
    const held = await stack.productSql("SELECT id FROM reservations WHERE state = 'HELD'");
    expect(held).toEqual([]);
  });

  it('finishes a cancellation whose refund could not be made once the payment service is back', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 10 });
    const { order: placed } = await stack.orders.createOrder(stack.createOrderRequest(product.id, 2), { token: customer.token });
    await stack.stopPayment();

    const failure = await failureOf(stack.orders.cancelOrder({ orderId: placed!.id }, { token: customer.token }));

    expect(failure.code).toBe(status.UNAVAILABLE);
    const { order: meanwhile } = await stack.orders.getOrder({ orderId: placed!.id }, { token: customer.token });
    expect(meanwhile?.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);

    await stack.restartPayment();
    await eventually(async () => {
      await stack.recoverNow();
      const { order } = await stack.orders.getOrder({ orderId: placed!.id }, { token: customer.token });
      return order?.status === OrderStatus.ORDER_STATUS_CANCELLED;
    }, 30_000, 250);

    const { order } = await stack.orders.getOrder({ orderId: placed!.id }, { token: customer.token });
    expect(order).toMatchObject({ statusReason: 'CUSTOMER_CANCELLED', payment: { status: PaymentStatus.PAYMENT_STATUS_REFUNDED } });
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: 10, sold: 0, reserved: 0 });
  });
});
