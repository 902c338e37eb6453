import { status } from '@grpc/grpc-js';
import { OrderStatus } from '@shop/proto/gen/shop/order/v1/order';
import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import { DECLINED_CARD, failureOf, startStack, type Stack } from './support/stack';

jest.setTimeout(60_000);

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('CreateOrder: the checkout saga', () => {
  it('confirms an order: prices from the product service, stock sold, payment captured', async () => {
    const customer = await stack.user();
    const first = await stack.createProduct({ stock: 10, priceMinor: 1250n });
    const second = await stack.createProduct({ stock: 5, priceMinor: 399n });
    const request = stack.createOrderRequest(first.id, 2, {
      items: [{ productId: first.id, quantity: 2 }, { productId: second.id, quantity: 3 }],
    });

    const { order } = await stack.orders.createOrder(request, { token: customer.token });

    expect(order).toMatchObject({
      userId: customer.userId,
      status: OrderStatus.ORDER_STATUS_CONFIRMED,
      statusReason: '',
      total: { currencyCode: 'USD', amountMinor: 2n * 1250n + 3n * 399n },
      items: [
        { productId: first.id, sku: first.sku, quantity: 2, unitPrice: { currencyCode: 'USD', amountMinor: 1250n }, lineTotal: { currencyCode: 'USD', amountMinor: 2500n } },
        { productId: second.id, sku: second.sku, quantity: 3, unitPrice: { currencyCode: 'USD', amountMinor: 399n }, lineTotal: { currencyCode: 'USD', amountMinor: 1197n } },
      ],
      payment: { status: PaymentStatus.PAYMENT_STATUS_CAPTURED, card: { brand: expect.any(String), last4: '4242' } },
    });
    expect(await stack.stockOf(first.id)).toMatchObject({ onHand: 8, reserved: 0, sold: 2, available: 8 });
    expect(await stack.stockOf(second.id)).toMatchObject({ onHand: 2, reserved: 0, sold: 3, available: 2 });

    const { reservation } = await stack.inventory.getReservation({ reservationId: order!.id });
    expect(reservation?.state).toBe(2 /* COMMITTED */);
    const { payments } = await stack.payments.listPayments({ orderId: order!.id, pageSize: 0, pageToken: '' });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: PaymentStatus.PAYMENT_STATUS_CAPTURED, capturedAmount: { amountMinor: 3697n } });

    // Every step was persisted, in order.
    const steps = await stack.orderSql<{ event: string }>('SELECT event FROM saga_steps WHERE order_id = $1 ORDER BY id', [order!.id]);
    expect(steps.map((row) => row.event)).toEqual(['CREATED', 'PRICED', 'RESERVED', 'AUTHORIZED', 'COMMITTED', 'CONFIRMED']);
    const [row] = await stack.orderSql<{ phase: string; lease_owner: string | null }>('SELECT phase, lease_owner FROM orders WHERE id = $1', [order!.id]);
    expect(row).toEqual({ phase: 'DONE', lease_owner: null });
  });

  it('cancels with OUT_OF_STOCK and never calls the payment service', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 1 });

    const failure = await failureOf(stack.orders.createOrder(stack.createOrderRequest(product.id, 2), { token: customer.token }));

    expect(failure).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'OUT_OF_STOCK' });
    const orderId = failure.metadata.orderId!;
    const { order } = await stack.orders.getOrder({ orderId }, { token: customer.token });
    expect(order).toMatchObject({ status: OrderStatus.ORDER_STATUS_CANCELLED, statusReason: 'OUT_OF_STOCK' });
    const { payments } = await stack.payments.listPayments({ orderId, pageSize: 0, pageToken: '' });
    expect(payments).toEqual([]);
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: 1, reserved: 0, available: 1, sold: 0 });
  });

  it('cancels with PAYMENT_DECLINED, releasing the reservation', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 4 });

    const failure = await failureOf(
      stack.orders.createOrder(stack.createOrderRequest(product.id, 3, { card: DECLINED_CARD }), { token: customer.token }),
    );

    expect(failure).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'PAYMENT_DECLINED' });
    const orderId = failure.metadata.orderId!;
    const { order } = await stack.orders.getOrder({ orderId }, { token: customer.token });
    expect(order).toMatchObject({
      status: OrderStatus.ORDER_STATUS_CANCELLED,
      statusReason: 'PAYMENT_DECLINED',
      payment: { status: PaymentStatus.PAYMENT_STATUS_DECLINED, card: { last4: '0002' } },
    });
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: 4, reserved: 0, available: 4, sold: 0 });
    const { reservation } = await stack.inventory.getReservation({ reservationId: orderId });
    expect(reservation?.state).toBe(3 /* RELEASED */);
  });

  it('refuses archived products and mixed currencies with INVALID_ARGUMENT, holding no stock', async () => {
    const customer = await stack.user();
    const archived = await stack.createProduct({ stock: 5, active: false });
    const dollars = await stack.createProduct({ stock: 5, currency: 'USD' });
    const euros = await stack.createProduct({ stock: 5, currency: 'EUR' });

    const inactive = await failureOf(stack.orders.createOrder(stack.createOrderRequest(archived.id, 1), { token: customer.token }));
    expect(inactive).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'PRODUCT_UNAVAILABLE' });

    const mixed = await failureOf(
      stack.orders.createOrder(
        stack.createOrderRequest(dollars.id, 1, { items: [{ productId: dollars.id, quantity: 1 }, { productId: euros.id, quantity: 1 }] }),
        { token: customer.token },
      ),
    );
    expect(mixed).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'CURRENCY_MISMATCH' });

    const unknown = await failureOf(stack.orders.createOrder(stack.createOrderRequest('00000000-0000-4000-8000-000000000000', 1), { token: customer.token }));
    expect(unknown).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'PRODUCT_UNAVAILABLE' });

    for (const product of [archived, dollars, euros]) expect((await stack.stockOf(product.id)).reserved).toBe(0);
  });

  it('enforces the limits: 50 distinct items, quantity 1..100, a card and an address', async () => {
    const customer = await stack.user();
    const product = await stack.createProduct({ stock: 500 });
    const tooMany = Array.from({ length: 51 }, (_, index) => ({ productId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, quantity: 1 }));

    const cases = [
      stack.createOrderRequest(product.id, 101),
      stack.createOrderRequest(product.id, 0),
      stack.createOrderRequest(product.id, 1, { items: tooMany }),
      stack.createOrderRequest(product.id, 1, { items: [] }),
      stack.createOrderRequest(product.id, 1, { card: undefined }),
      stack.createOrderRequest(product.id, 1, { shippingAddress: undefined }),
      stack.createOrderRequest(product.id, 1, { requestId: '' }),
    ];
    for (const request of cases) {
      const failure = await failureOf(stack.orders.createOrder(request, { token: customer.token }));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations.length).toBeGreaterThan(0);
    }
    // Repeated lines are one item, and their sum is checked against the limit.
    const summed = await failureOf(
      stack.orders.createOrder(
        stack.createOrderRequest(product.id, 1, { items: [{ productId: product.id, quantity: 60 }, { productId: product.id, quantity: 60 }] }),
        { token: customer.token },
      ),
    );
    expect(summed.code).toBe(status.INVALID_ARGUMENT);
    expect((await stack.stockOf(product.id)).reserved).toBe(0);
  });

  it('requires a signed-in caller', async () => {
    const product = await stack.createProduct({ stock: 1 });
    const failure = await failureOf(stack.orders.createOrder(stack.createOrderRequest(product.id, 1), { token: null }));
    expect(failure.code).toBe(status.UNAUTHENTICATED);
  });
});
