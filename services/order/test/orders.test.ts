import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { OrderStatus, type Order } from '@shop/proto/gen/shop/order/v1/order';
import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import { ReservationState, type Product } from '@shop/proto/gen/shop/product/v1/product';
import { failureOf, startStack, type Stack, type TestUser } from './support/stack';

jest.setTimeout(60_000);

let stack: Stack;
let product: Product;

beforeAll(async () => {
  stack = await startStack();
  product = await stack.createProduct({ stock: 1000, priceMinor: 500n });
});

afterAll(async () => {
  await stack?.close();
});

async function placeOrder(user: TestUser, quantity = 1): Promise<Order> {
  const { order } = await stack.orders.createOrder(stack.createOrderRequest(product.id, quantity), { token: user.token });
  return order!;
}

describe('GetOrder', () => {
  it('shows the owner their order and an admin any order', async () => {
    const customer = await stack.user();
    const admin = await stack.user('ADMIN');
    const placed = await placeOrder(customer);

    expect((await stack.orders.getOrder({ orderId: placed.id }, { token: customer.token })).order).toEqual(placed);
    expect((await stack.orders.getOrder({ orderId: placed.id }, { token: admin.token })).order?.id).toBe(placed.id);
  });

  it("answers another user's order exactly like a missing one", async () => {
    const owner = await stack.user();
    const stranger = await stack.user();
    const placed = await placeOrder(owner);
    const missingId = randomUUID();

    const foreign = await failureOf(stack.orders.getOrder({ orderId: placed.id }, { token: stranger.token }));
    const missing = await failureOf(stack.orders.getOrder({ orderId: missingId }, { token: stranger.token }));

    expect(foreign.code).toBe(status.NOT_FOUND);
    expect(foreign).toEqual(missing);
    expect((await failureOf(stack.orders.getOrder({ orderId: 'not-a-uuid' }, { token: stranger.token }))).code).toBe(status.NOT_FOUND);
  });
});

describe('ListOrders and ListAllOrders', () => {
  it("pages through the caller's own orders, newest first, each exactly once", async () => {
    const customer = await stack.user();
    const other = await stack.user();
    const placed: string[] = [];
    for (let index = 0; index < 5; index++) placed.push((await placeOrder(customer)).id);
    await placeOrder(other);

    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await stack.orders.listOrders({ pageSize: 2, pageToken }, { token: customer.token });
      expect(page.orders.length).toBeLessThanOrEqual(2);
      seen.push(...page.orders.map((order) => order.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');

    expect(seen).toEqual([...placed].reverse());
  });

  it('refuses tampered or foreign page tokens and negative page sizes', async () => {
    const customer = await stack.user();
    const other = await stack.user();
    await placeOrder(customer);
    await placeOrder(customer);
    const { nextPageToken } = await stack.orders.listOrders({ pageSize: 1, pageToken: '' }, { token: customer.token });
    expect(nextPageToken).not.toBe('');

    const tampered = `${nextPageToken.slice(0, -2)}xx`;
    for (const [token, pageToken] of [[customer.token, tampered], [other.token, nextPageToken]] as const) {
      expect(await failureOf(stack.orders.listOrders({ pageSize: 1, pageToken }, { token }))).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'INVALID_PAGE_TOKEN' });
    }
    expect((await failureOf(stack.orders.listOrders({ pageSize: -1, pageToken: '' }, { token: customer.token }))).code).toBe(status.INVALID_ARGUMENT);
  });

  it('lists every order for admins only, with a status filter', async () => {
    const customer = await stack.user();
    const admin = await stack.user('ADMIN');
    const confirmed = await placeOrder(customer);
    const cancelled = (await stack.orders.cancelOrder({ orderId: (await placeOrder(customer)).id }, { token: customer.token })).order!;

    expect((await failureOf(stack.orders.listAllOrders({ pageSize: 0, pageToken: '', status: 0 }, { token: customer.token }))).code).toBe(status.PERMISSION_DENIED);

    const all = await stack.orders.listAllOrders({ pageSize: 100, pageToken: '', status: OrderStatus.ORDER_STATUS_UNSPECIFIED }, { token: admin.token });
    expect(all.orders.map((order) => order.id)).toEqual(expect.arrayContaining([confirmed.id, cancelled.id]));
    const onlyCancelled = await stack.orders.listAllOrders({ pageSize: 100, pageToken: '', status: OrderStatus.ORDER_STATUS_CANCELLED }, { token: admin.token });
    expect(onlyCancelled.orders.every((order) => order.status === OrderStatus.ORDER_STATUS_CANCELLED)).toBe(true);
    expect(onlyCancelled.orders.map((order) => order.id)).toContain(cancelled.id);
  });
});

describe('CancelOrder', () => {
  it('refunds in full and returns the stock; a second cancel changes nothing', async () => {
    const customer = await stack.user();
    const before = await stack.stockOf(product.id);
    const placed = await placeOrder(customer, 3);
    expect((await stack.stockOf(product.id)).sold).toBe(before.sold + 3);

    const { order } = await stack.orders.cancelOrder({ orderId: placed.id }, { token: customer.token });

    expect(order).toMatchObject({ status: OrderStatus.ORDER_STATUS_CANCELLED, statusReason: 'CUSTOMER_CANCELLED', payment: { status: PaymentStatus.PAYMENT_STATUS_REFUNDED } });
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: before.onHand, sold: before.sold, reserved: before.reserved });
    const { payments } = await stack.payments.listPayments({ orderId: placed.id, pageSize: 0, pageToken: '' });
    expect(payments[0]).toMatchObject({ status: PaymentStatus.PAYMENT_STATUS_REFUNDED, refundedAmount: { amountMinor: 1500n } });
    const { reservation } = await stack.inventory.getReservation({ reservationId: placed.id });
    expect(reservation?.state).toBe(ReservationState.RESERVATION_STATE_RESTOCKED);

    const again = await stack.orders.cancelOrder({ orderId: placed.id }, { token: customer.token });
    expect(again.order).toEqual(order);
    expect(await stack.stockOf(product.id)).toMatchObject({ onHand: before.onHand, sold: before.sold });
  });

  it("lets an admin cancel a customer's order, and nobody else", async () => {
    const customer = await stack.user();
    const stranger = await stack.user();
    const admin = await stack.user('ADMIN');
    const placed = await placeOrder(customer);

    expect((await failureOf(stack.orders.cancelOrder({ orderId: placed.id }, { token: stranger.token }))).code).toBe(status.NOT_FOUND);
    const { order } = await stack.orders.cancelOrder({ orderId: placed.id }, { token: admin.token });
    expect(order).toMatchObject({ status: OrderStatus.ORDER_STATUS_CANCELLED, statusReason: 'ADMIN_CANCELLED' });
  });

  it('refuses to cancel an order whose checkout is still running', async () => {
    const customer = await stack.user();
    const orderId = randomUUID();
    // A checkout in flight elsewhere: PENDING with a live lease.
    await stack.orderSql(
      `INSERT INTO orders (id, user_id, status, phase, step, ship_name, ship_line1, ship_city, ship_postal_code, ship_country, lease_owner, lease_until)
       VALUES ($1, $2, 'PENDING', 'FORWARD', 'CREATED', 'Ada', '1 Way', 'London', 'N1', 'GB', 'another-instance', now() + interval '10 minutes')`,
      [orderId, customer.userId],
    );
    const failure = await failureOf(stack.orders.cancelOrder({ orderId }, { token: customer.token }));
    expect(failure).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'INVALID_STATE_TRANSITION' });
    await stack.orderSql('DELETE FROM orders WHERE id = $1', [orderId]);
  });
});
