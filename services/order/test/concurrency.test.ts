import { status } from '@grpc/grpc-js';
import { OrderStatus } from '@shop/proto/gen/shop/order/v1/order';
import { failureOf, startStack, type Stack } from './support/stack';

jest.setTimeout(120_000);

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('concurrent checkouts of scarce stock', () => {
  it('confirms exactly as many orders as there is stock; the rest are refused and nothing is left held', async () => {
    const product = await stack.createProduct({ stock: 10 });
    const customers = await Promise.all(Array.from({ length: 200 }, () => stack.user()));

    const results = await Promise.allSettled(
      customers.map((customer) => stack.orders.createOrder(stack.createOrderRequest(product.id, 1), { token: customer.token, deadlineMs: 60_000 })),
    );

    const confirmed = results.filter((result) => result.status === 'fulfilled');
    expect(confirmed).toHaveLength(10);
    for (const result of confirmed) expect(result.value.order?.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
    for (const result of results) {
      if (result.status === 'rejected') {
        // OUT_OF_STOCK, or shed before anything was stored when the checkout queue is full (a 429 at the edge).
        const failure = await failureOf(Promise.reject(result.reason));
        expect([`${status.FAILED_PRECONDITION}:OUT_OF_STOCK`, `${status.RESOURCE_EXHAUSTED}:CHECKOUT_BUSY`]).toContain(`${failure.code}:${failure.reason}`);
      }
    }
    expect(await stack.stockOf(product.id)).toEqual({ onHand: 0, reserved: 0, available: 0, sold: 10 });
    const rows = await stack.orderSql<{ status: string; count: string }>('SELECT status, count(*) FROM orders GROUP BY status');
    const counts = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
    expect(counts.CONFIRMED).toBe(10);
    expect(counts.PENDING).toBeUndefined();
  });
});
