import { randomUUID } from 'node:crypto';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';
import { PaymentServiceService } from '@shop/proto/gen/shop/payment/v1/payment';
import { InventoryServiceService } from '@shop/proto/gen/shop/product/v1/product';
import { Pool } from 'pg';
import { startSystem, type Customer, type ProductJson, type RunningSystem } from '../support/system';

jest.setTimeout(180_000);

interface MoneyJson {
  amountMinor: number;
  currency: string;
}

interface OrderJson {
  id: string;
  userId: string;
  status: string;
  statusReason: string;
  items: Array<{ productId: string; sku: string; quantity: number; unitPrice: MoneyJson; lineTotal: MoneyJson }>;
  total: MoneyJson;
  payment: { id: string; status: string; card: { brand: string; last4: string } | null } | null;
}

interface Problem {
  status: number;
  code: string;
  reason?: string;
  metadata?: Record<string, string>;
}

interface StockJson {
  onHand: number;
  reserved: number;
  available: number;
  sold: number;
}

const APPROVED = { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2099, cvc: '123' };
const DECLINED = { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' };
const ADDRESS = { name: 'Grace Hopper', line1: '1 Compiler Road', city: 'Arlington', postalCode: '22201', country: 'US' };

let system: RunningSystem;
let admin: string;
let productDb: Pool;
let orderDb: Pool;

beforeAll(async () => {
  // Short retry delays so that recovery after an outage finishes within the test.
  system = await startSystem({ env: { order: { SAGA_RETRY_DELAY_MS: '200', RECOVERY_INTERVAL_MS: '1000' } }, logLevel: 'warn' });
  admin = (await system.signInAdmin()).accessToken;
  productDb = new Pool({ connectionString: system.databaseUrls.product, max: 2 });
  orderDb = new Pool({ connectionString: system.databaseUrls.order, max: 2 });
  // Dropping the test databases terminates backends; a client still closing then reports that as an idle error.
  for (const pool of [productDb, orderDb]) pool.on('error', () => undefined);
});

afterAll(async () => {
  await productDb?.end();
  await orderDb?.end();
  await system?.stop();
});

const checkout = (customer: Customer, body: unknown, key: string = randomUUID()) =>
  system.api<OrderJson & Problem>('/v1/orders', { method: 'POST', token: customer.accessToken, headers: { 'idempotency-key': key }, body });

const orderBody = (productId: string, quantity: number, card = APPROVED) => ({ items: [{ productId, quantity }], card, shippingAddress: ADDRESS });

async function stockOf(productId: string): Promise<StockJson> {
  const response = await system.api<StockJson>(`/v1/admin/products/${productId}/stock`, { token: admin });
  expect(response.status).toBe(200);
  return response.body;
}

/** The product database's own view of one product's stock, checked against its ledger and held reservations. */
async function auditStock(productId: string): Promise<{ onHand: number; reserved: number; sold: number }> {
  const { rows: [row] } = await productDb.query<{ on_hand: number; reserved: number; sold: number }>(
    'SELECT on_hand, reserved, sold FROM stock WHERE product_id = $1',
    [productId],
  );
  const { rows: ledger } = await productDb.query<{ kind: string; total: number }>(
    'SELECT kind::text AS kind, sum(quantity)::int AS total FROM stock_movements WHERE product_id = $1 GROUP BY kind',
    [productId],
  );
  const sum = (kind: string) => ledger.find((entry) => entry.kind === kind)?.total ?? 0;
  const { rows: [held] } = await productDb.query<{ total: number }>(
    `SELECT coalesce(sum(i.quantity), 0)::int AS total FROM reservation_items i JOIN reservations r ON r.id = i.reservation_id
      WHERE i.product_id = $1 AND r.state = 'HELD'`,
    [productId],
  );
  expect(row!.on_hand - row!.reserved).toBeGreaterThanOrEqual(0);
  expect(row!.on_hand).toBe(sum('ADJUSTMENT') + sum('COMMIT') + sum('RESTOCK'));
  expect(row!.reserved).toBe(held!.total);
  return { onHand: row!.on_hand, reserved: row!.reserved, sold: row!.sold };
}

/** One unary call straight to a service (what a crashed order service had done before it died). */
function grpcCall<Req, Res>(
  port: number,
  method: { path: string; requestSerialize(value: Req): Buffer; responseDeserialize(bytes: Buffer): Res },
  request: Req,
  token: string,
): Promise<Res> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise<Res>((resolve, reject) => {
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => {
      client.close();
      if (error || response === undefined) reject(error ?? new Error('no response'));
      else resolve(response);
    });
  });
}

/** The order service's own SERVICE token (client-credentials grant), which it uses for product and payment. */
async function orderServiceToken(): Promise<string> {
  const issued = await grpcCall(system.ports.user, UserServiceService.issueServiceToken, { clientId: 'order', clientSecret: 'dev-order-service-secret' }, '');
  return issued.accessToken;
}

/**
 * Leaves what an order service killed mid-checkout leaves: stock reserved for the order (and, from AUTHORIZED on,
 * the payment authorized), the order persisted at that step with a lease that ran out.
 */
async function killedMidCheckout(customer: Customer, product: ProductJson, step: 'RESERVED' | 'AUTHORIZED'): Promise<string> {
  const orderId = randomUUID();
  const amount = BigInt(product.price.amountMinor);
  const serviceToken = await orderServiceToken();
  await grpcCall(system.ports.product, InventoryServiceService.reserveStock, { reservationId: orderId, items: [{ productId: product.id, quantity: 1 }] }, serviceToken);
  let paymentId: string | null = null;
  if (step === 'AUTHORIZED') {
    const { payment } = await grpcCall(
      system.ports.payment,
      PaymentServiceService.authorizePayment,
      { requestId: `${orderId}:authorize`, orderId, amount: { currencyCode: 'USD', amountMinor: amount }, card: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' } },
      serviceToken,
    );
    paymentId = payment!.id;
  }
  await orderDb.query(
    `INSERT INTO orders (id, user_id, status, phase, step, currency, total_minor, ship_name, ship_line1, ship_city, ship_postal_code, ship_country,
                         payment_id, payment_status, lease_owner, lease_until)
     VALUES ($1, $2, 'PENDING', 'FORWARD', $3, 'USD', $4, 'Grace', '1 Road', 'Arlington', '22201', 'US', $5, $6, 'killed-instance', now() - interval '1 second')`,
    [orderId, customer.id, step, String(amount), paymentId, paymentId ? 'AUTHORIZED' : null],
  );
  await orderDb.query(
    `INSERT INTO order_items (order_id, product_id, position, quantity, sku, name, unit_price_minor, line_total_minor) VALUES ($1, $2, 0, 1, $3, $4, $5, $5)`,
    [orderId, product.id, product.sku, product.name, String(amount)],
  );
  return orderId;
}

describe('checkout through the REST edge (whole system)', () => {
  it('happy path: register, log in, browse, order, CONFIRMED, stock down, payment captured', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ amountMinor: 2599, stock: 7, name: 'Walnut desk lamp' });

    const browse = await system.api<{ products: ProductJson[] }>('/v1/products?page_size=100', { token: customer.accessToken });
    expect(browse.status).toBe(200);
    expect(browse.body.products.map((item) => item.id)).toContain(product.id);
    const detail = await system.api<ProductJson>(`/v1/products/${product.id}`);
    expect(detail.body.price).toEqual({ amountMinor: 2599, currency: 'USD' });

    const placed = await checkout(customer, orderBody(product.id, 3));

    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      userId: customer.id,
      status: 'CONFIRMED',
      items: [{ productId: product.id, quantity: 3, unitPrice: { amountMinor: 2599, currency: 'USD' }, lineTotal: { amountMinor: 7797, currency: 'USD' } }],
      total: { amountMinor: 7797, currency: 'USD' },
      payment: { status: 'CAPTURED', card: { last4: '4242' } },
    });
    expect(placed.text).not.toContain('4242424242424242');
    expect(await stockOf(product.id)).toMatchObject({ onHand: 4, reserved: 0, available: 4, sold: 3 });

    const fetched = await system.api<OrderJson>(`/v1/orders/${placed.body.id}`, { token: customer.accessToken });
    expect(fetched.body).toEqual(placed.body);
    const listed = await system.api<{ orders: OrderJson[]; nextPageToken: string }>('/v1/orders', { token: customer.accessToken });
    expect(listed.body.orders.map((order) => order.id)).toEqual([placed.body.id]);
  });

  it('declined card and out of stock end CANCELLED with the reason, stock unchanged', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ stock: 2 });

    const declined = await checkout(customer, orderBody(product.id, 1, DECLINED));
    expect(declined.status).toBe(400);
    expect(declined.body).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'PAYMENT_DECLINED' });
    const declinedOrder = await system.api<OrderJson>(`/v1/orders/${declined.body.metadata!.orderId}`, { token: customer.accessToken });
    expect(declinedOrder.body).toMatchObject({ status: 'CANCELLED', statusReason: 'PAYMENT_DECLINED', payment: { status: 'DECLINED' } });

    const tooMany = await checkout(customer, orderBody(product.id, 3));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'OUT_OF_STOCK' });
    const outOfStock = await system.api<OrderJson>(`/v1/orders/${tooMany.body.metadata!.orderId}`, { token: customer.accessToken });
    expect(outOfStock.body).toMatchObject({ status: 'CANCELLED', statusReason: 'OUT_OF_STOCK', payment: null });

    expect(await stockOf(product.id)).toMatchObject({ onHand: 2, reserved: 0, available: 2, sold: 0 });
    await auditStock(product.id);
  });

  it('200 concurrent checkouts of stock 10: exactly 10 CONFIRMED, the rest 4xx, the stock invariant holds', async () => {
    const customers = await Promise.all(Array.from({ length: 4 }, () => system.registerCustomer()));
    const product = await system.createProduct({ stock: 10 });

    const responses = await Promise.all(Array.from({ length: 200 }, (_, index) => checkout(customers[index % customers.length]!, orderBody(product.id, 1))));

    const confirmed = responses.filter((response) => response.status === 201);
    expect(confirmed).toHaveLength(10);
    for (const response of confirmed) expect(response.body.status).toBe('CONFIRMED');
    for (const response of responses.filter((candidate) => candidate.status !== 201)) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(['OUT_OF_STOCK', 'CHECKOUT_BUSY']).toContain(response.body.reason);
    }
    expect(await auditStock(product.id)).toEqual({ onHand: 0, reserved: 0, sold: 10 });
    const { rows } = await orderDb.query<{ open: string }>("SELECT count(*) AS open FROM orders WHERE phase <> 'DONE'");
    expect(Number(rows[0]!.open)).toBe(0);
  });

  it('payment stopped mid-run: 503/504 never 500, and afterwards every order is terminal with no reservation held', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ stock: 100 });
    const pending = Array.from({ length: 10 }, () => checkout(customer, orderBody(product.id, 1)));
    // Stop while checkouts are at the payment step.
    for (let waited = 0; waited < 10_000; waited += 10) {
      const { rows } = await orderDb.query("SELECT 1 FROM orders WHERE user_id = $1 AND step IN ('AUTHORIZING', 'AUTHORIZED', 'COMMITTED')", [customer.id]);
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await system.stopService('payment');
    const during = [...(await Promise.all(pending)), await checkout(customer, orderBody(product.id, 1))];

    for (const response of during) {
      expect([201, 503, 504]).toContain(response.status);
      if (response.status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(during.some((response) => response.status === 503 || response.status === 504)).toBe(true);

    await system.startService('payment');
    const deadline = Date.now() + 60_000;
    for (;;) {
      await system.services.order.recoverNow();
      const { rows } = await orderDb.query<{ open: string }>("SELECT count(*) AS open FROM orders WHERE user_id = $1 AND phase <> 'DONE'", [customer.id]);
      if (Number(rows[0]!.open) === 0) break;
      if (Date.now() > deadline) throw new Error('orders still unfinished after the payment service came back');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const { rows: orders } = await orderDb.query<{ id: string; status: string }>('SELECT id, status FROM orders WHERE user_id = $1', [customer.id]);
    for (const order of orders) expect(['CONFIRMED', 'CANCELLED']).toContain(order.status);
    const confirmed = orders.filter((order) => order.status === 'CONFIRMED').length;
    expect(await auditStock(product.id)).toEqual({ onHand: 100 - confirmed, reserved: 0, sold: confirmed });
    const { rows: held } = await productDb.query("SELECT id FROM reservations WHERE state = 'HELD'");
    expect(held).toEqual([]);
  });

  it('order service killed between reserve and authorize, then restarted: the order is compensated; after authorize: completed', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ stock: 5 });
    await system.stopService('order');
    const beforeAuthorize = await killedMidCheckout(customer, product, 'RESERVED');
    const afterAuthorize = await killedMidCheckout(customer, product, 'AUTHORIZED');
    expect(await stockOf(product.id)).toMatchObject({ reserved: 2 });

    // The restarted instance's recovery worker runs at start.
    await system.startService('order');
    const finished = async () => {
      const { rows } = await orderDb.query("SELECT 1 FROM orders WHERE id = ANY($1::uuid[]) AND phase = 'DONE'", [[beforeAuthorize, afterAuthorize]]);
      return rows.length === 2;
    };
    for (let waited = 0; !(await finished()); waited += 100) {
      if (waited > 30_000) throw new Error('recovery did not finish the killed checkouts');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The edge's channel and breaker need a moment to find the restarted service on its old port.
    for (let waited = 0; (await system.api('/v1/orders', { token: customer.accessToken })).status !== 200; waited += 250) {
      if (waited > 30_000) throw new Error('the edge did not reach the restarted order service');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const compensated = await system.api<OrderJson>(`/v1/orders/${beforeAuthorize}`, { token: customer.accessToken });
    expect(compensated.body).toMatchObject({ status: 'CANCELLED', statusReason: 'CHECKOUT_INTERRUPTED', payment: null });
    const completed = await system.api<OrderJson>(`/v1/orders/${afterAuthorize}`, { token: customer.accessToken });
    expect(completed.body).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CAPTURED' } });
    expect(await auditStock(product.id)).toEqual({ onHand: 4, reserved: 0, sold: 1 });
  });

  it('cancels a confirmed order: refund and restock, twice is harmless', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ stock: 5 });
    const placed = await checkout(customer, orderBody(product.id, 2));
    expect(placed.status).toBe(201);

    const cancelled = await system.api<OrderJson>(`/v1/orders/${placed.body.id}/cancel`, { method: 'POST', token: customer.accessToken });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', statusReason: 'CUSTOMER_CANCELLED', payment: { status: 'REFUNDED' } });
    expect(await stockOf(product.id)).toMatchObject({ onHand: 5, reserved: 0, sold: 0 });

    const again = await system.api<OrderJson>(`/v1/orders/${placed.body.id}/cancel`, { method: 'POST', token: customer.accessToken });
    expect(again.body).toEqual(cancelled.body);
    const all = await system.api<{ orders: OrderJson[] }>('/v1/admin/orders?status=CANCELLED&page_size=100', { token: admin });
    expect(all.status).toBe(200);
    expect(all.body.orders.map((order) => order.id)).toContain(placed.body.id);
  });

  it("answers another user's order with a 404 byte-identical to a missing id's", async () => {
    const owner = await system.registerCustomer();
    const stranger = await system.registerCustomer();
    const product = await system.createProduct({ stock: 1 });
    const placed = await checkout(owner, orderBody(product.id, 1));
    const missingId = randomUUID();
    const headers = { 'x-request-id': 'same-request-id' };

    const foreign = await system.api(`/v1/orders/${placed.body.id}`, { token: stranger.accessToken, headers });
    const missing = await system.api(`/v1/orders/${missingId}`, { token: stranger.accessToken, headers });

    expect(foreign.status).toBe(404);
    expect(foreign.text.replaceAll(placed.body.id, 'ID')).toBe(missing.text.replaceAll(missingId, 'ID'));
  });
});

describe('Idempotency-Key through the REST edge', () => {
  it('requires a key of at most 255 characters', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ stock: 1 });
    const missing = await system.api<Problem>('/v1/orders', { method: 'POST', token: customer.accessToken, body: orderBody(product.id, 1) });
    expect(missing.status).toBe(400);
    expect((await checkout(customer, orderBody(product.id, 1), 'k'.repeat(256))).status).toBe(400);
  });

  it('replays the same body with the same status and body, and refuses another body with 422', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ stock: 5 });
    const key = randomUUID();

    const first = await checkout(customer, orderBody(product.id, 1), key);
    const replay = await checkout(customer, orderBody(product.id, 1), key);
    const other = await checkout(customer, orderBody(product.id, 2), key);

    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    expect(other.status).toBe(422);
    expect(other.body.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await stockOf(product.id)).sold).toBe(1);
  });

  it('answers 409 to a second request while the first is in flight, and runs the checkout once', async () => {
    const customer = await system.registerCustomer();
    const product = await system.createProduct({ stock: 5 });
    const key = randomUUID();

    const responses = await Promise.all(Array.from({ length: 6 }, () => checkout(customer, orderBody(product.id, 1), key)));

    const statuses = responses.map((response) => response.status);
    expect(statuses).toContain(201);
    for (const response of responses) {
      expect([201, 409]).toContain(response.status);
      if (response.status === 409) expect(response.body.reason).toBe('REQUEST_IN_PROGRESS');
    }
    expect(new Set(responses.filter((response) => response.status === 201).map((response) => response.body.id)).size).toBe(1);
    expect((await stockOf(product.id)).sold).toBe(1);
  });

  it('scopes keys per user', async () => {
    const alice = await system.registerCustomer();
    const bob = await system.registerCustomer();
    const product = await system.createProduct({ stock: 5 });
    const key = randomUUID();

    const ofAlice = await checkout(alice, orderBody(product.id, 1), key);
    const ofBob = await checkout(bob, orderBody(product.id, 2), key);

    expect([ofAlice.status, ofBob.status]).toEqual([201, 201]);
    expect(ofBob.body.id).not.toBe(ofAlice.body.id);
    expect(ofBob.body.userId).toBe(bob.id);
    expect((await stockOf(product.id)).sold).toBe(3);
  });
});
