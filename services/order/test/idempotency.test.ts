import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { CreateOrderResponse, OrderStatus } from '@shop/proto/gen/shop/order/v1/order';
import { ADDRESS, DECLINED_CARD, failureOf, startStack, type Stack } from './support/stack';

jest.setTimeout(60_000);

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

const encode = (response: CreateOrderResponse) => Buffer.from(CreateOrderResponse.encode(response).finish()).toString('base64');

describe('CreateOrder idempotency per (caller, request_id)', () => {
  it('replays a confirmed order byte for byte and runs the saga once', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 10 });
    const request = stack.createOrderRequest(product.id, 2);

    const first = await stack.orders.createOrder(request, { token: customer.token });
    const replay = await stack.orders.createOrder(request, { token: customer.token });

    expect(encode(replay)).toBe(encode(first));
    expect((await stack.stockOf(product.id)).sold).toBe(2);
    const { orders } = await stack.orders.listOrders({ pageSize: 0, pageToken: '' }, { token: customer.token });
    expect(orders).toHaveLength(1);
    const { payments } = await stack.payments.listPayments({ orderId: first.order!.id, pageSize: 0, pageToken: '' });
    expect(payments).toHaveLength(1);
  });

  it('treats the items in another order as the same request', async () => {
    const customer = await stack.user();
    const a = await stack.createProduct({ stock: 10 });
    const b = await stack.createProduct({ stock: 10 });
    const request = stack.createOrderRequest(a.id, 1, { items: [{ productId: a.id, quantity: 1 }, { productId: b.id, quantity: 2 }] });
    const first = await stack.orders.createOrder(request, { token: customer.token });
    const reordered = await stack.orders.createOrder({ ...request, items: [...request.items].reverse() }, { token: customer.token });
    expect(reordered.order?.id).toBe(first.order?.id);
  });

  it('replays a stored refusal with the same status, reason, message and metadata', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 3 });
    const request = stack.createOrderRequest(product.id, 1, { card: DECLINED_CARD });

    const first = await failureOf(stack.orders.createOrder(request, { token: customer.token }));
    const replay = await failureOf(stack.orders.createOrder(request, { token: customer.token }));

    expect(first).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'PAYMENT_DECLINED' });
    expect(replay).toEqual(first);
    const { payments } = await stack.payments.listPayments({ orderId: first.metadata.orderId!, pageSize: 0, pageToken: '' });
    expect(payments).toHaveLength(1);
  });

  it('refuses the same request_id with a different body: IDEMPOTENCY_KEY_REUSED', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 10 });
    const request = stack.createOrderRequest(product.id, 1);
    await stack.orders.createOrder(request, { token: customer.token });

    const otherQuantity = await failureOf(stack.orders.createOrder({ ...request, items: [{ productId: product.id, quantity: 2 }] }, { token: customer.token }));
    const otherCard = await failureOf(
      stack.orders.createOrder({ ...request, card: { ...request.card!, cvc: '999' } }, { token: customer.token }),
    );
    const otherAddress = await failureOf(
      stack.orders.createOrder({ ...request, shippingAddress: { ...ADDRESS, city: 'Paris' } }, { token: customer.token }),
    );
    for (const failure of [otherQuantity, otherCard, otherAddress]) {
      expect(failure).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'IDEMPOTENCY_KEY_REUSED' });
    }
    expect((await stack.stockOf(product.id)).sold).toBe(1);
  });

  it('runs concurrent calls with one request_id once; the others see REQUEST_IN_PROGRESS or the replay', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 50 });
    const request = stack.createOrderRequest(product.id, 1);

    const results = await Promise.allSettled(Array.from({ length: 8 }, () => stack.orders.createOrder(request, { token: customer.token })));

    const confirmed = results.filter((result) => result.status === 'fulfilled').map((result) => result.value.order!.id);
    expect(confirmed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(confirmed).size).toBe(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(await failureOf(Promise.reject(result.reason))).toMatchObject({ code: status.ABORTED, reason: 'REQUEST_IN_PROGRESS' });
      }
    }
    expect(await stack.stockOf(product.id)).toMatchObject({ sold: 1, reserved: 0 });
    const rows = await stack.orderSql<{ count: string }>('SELECT count(*) FROM orders WHERE user_id = $1', [customer.userId]);
    expect(Number(rows[0]?.count)).toBe(1);
    // After the first finished, the same key answers the order.
    const after = await stack.orders.createOrder(request, { token: customer.token });
    expect(after.order?.id).toBe(confirmed[0]);
  });

  it('scopes keys per caller: the same request_id of another user is a new order', async () => {
    const alice = await stack.user();
    const bob = await stack.user();
    const product = await stack.createProduct({ stock: 10 });
    const requestId = randomUUID();

    const ofAlice = await stack.orders.createOrder(stack.createOrderRequest(product.id, 1, { requestId }), { token: alice.token });
    const ofBob = await stack.orders.createOrder(stack.createOrderRequest(product.id, 3, { requestId }), { token: bob.token });

    expect(ofAlice.order?.userId).toBe(alice.userId);
    expect(ofBob.order?.userId).toBe(bob.userId);
    expect(ofBob.order?.id).not.toBe(ofAlice.order?.id);
    expect(ofBob.order?.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect((await stack.stockOf(product.id)).sold).toBe(4);
  });

  it('keeps keys at least 24 hours and never stores the card number', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 1 });
    const request = stack.createOrderRequest(product.id, 1);
    const before = Date.now();
    await stack.orders.createOrder(request, { token: customer.token });

    const [key] = await stack.orderSql<{ expires_at: Date; fingerprint: string }>(
      'SELECT expires_at, fingerprint FROM idempotency_keys WHERE user_id = $1 AND request_id = $2',
      [customer.userId, request.requestId],
    );
    expect(key!.expires_at.getTime() - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    const dump = await stack.orderSql<{ dump: string }>(
      `SELECT concat_ws('|', (SELECT string_agg(t::text, '|') FROM orders t), (SELECT string_agg(k::text, '|') FROM idempotency_keys k),
                             (SELECT string_agg(s::text, '|') FROM saga_steps s)) AS dump`,
    );
    expect(dump[0]!.dump).not.toContain(request.card!.number);
  });

  it('lets a caller retry a key whose expired outcome was cleaned up', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 5 });
    const request = stack.createOrderRequest(product.id, 1);
    const first = await stack.orders.createOrder(request, { token: customer.token });
    await stack.orderSql("UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE order_id = $1", [first.order!.id]);

    const second = await stack.orders.createOrder(request, { token: customer.token });

    expect(second.order?.id).not.toBe(first.order?.id);
    expect((await stack.stockOf(product.id)).sold).toBe(2);
  });
});
