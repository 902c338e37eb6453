import { status } from '@grpc/grpc-js';
import { HTTP_STATUS_BY_GRPC_CODE } from '@shop/platform';
import { call, fake, OrderServiceService, ProductServiceService, startEdgeHarness, type EdgeHarness } from './support/edge-harness';
import { checkoutBody, product } from './support/fixtures';
import { batchGetByEach } from './support/product-reads';

const SECRET = 'db password=hunter2 at /srv/product/src/data/repo.ts:42';

/**
 * The product backend answers the status named in the id, for the whole call: GET /v1/products/status-UNAVAILABLE
 * -> UNAVAILABLE. It answers a created product without the product: a contract violation the edge must not leak.
 */
const productBackend = fake(ProductServiceService, {
  batchGetProducts: ({ ids }) => {
    if (ids.every((id) => id === 'ok')) return { ok: { products: ids.map((id) => product(id)) } };
    // The edge asks in lower case, as the product service stores ids.
    const name = ids.find((id) => id !== 'ok')!.replace(/^status-/, '').toUpperCase() as keyof typeof status;
    const code = status[name];
    return {
      error: {
        code, message: code === status.INTERNAL || code === status.UNKNOWN || code === status.DATA_LOSS ? SECRET : `chosen ${name}`,
        reason: name, retryAfterSeconds: name === 'RESOURCE_EXHAUSTED' ? 7 : undefined,
      },
    };
  },
  createProduct: () => ({ ok: {} }),
});

const orderBackend = fake(OrderServiceService, {
  createOrder: ({ requestId }) => {
    if (requestId === 'reused') return { error: { code: status.FAILED_PRECONDITION, message: 'Idempotency key reused with another request', reason: 'IDEMPOTENCY_KEY_REUSED' } };
    if (requestId === 'in-flight') return { error: { code: status.ABORTED, message: 'The first request with this key is still running', reason: 'REQUEST_IN_PROGRESS' } };
    if (requestId === 'no-stock') {
      return { error: { code: status.FAILED_PRECONDITION, message: 'Out of stock', reason: 'OUT_OF_STOCK', metadata: { orderId: 'o-9', product_ids: 'p1' } } };
    }
    return { error: { code: status.INVALID_ARGUMENT, message: 'Bad order', reason: 'INVALID_ARGUMENT', fieldViolations: [{ field: 'items[0].quantity', description: 'too many' }] } };
  },
});

const TABLE = Object.entries(HTTP_STATUS_BY_GRPC_CODE).map(([code, http]) => [status[Number(code)] as string, http] as const);

describe('gRPC status -> HTTP problem mapping through a real route', () => {
  // A fresh edge per case: unhealthy statuses count toward the client's circuit breaker, which is not under test here.
  let harness: EdgeHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it.each(TABLE)('%s -> %i problem+json', async (name, http) => {
    harness = await startEdgeHarness({ product: [productBackend] });
    const response = await call(`${harness.url}/v1/products/status-${name}`);
    expect(response.status).toBe(http);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A whole call answered NOT_FOUND is a product service from before allow_missing: the edge words the 404 itself.
    const detail = name === 'NOT_FOUND' ? `Product status-${name} does not exist` : `chosen ${name}`;
    expect(response.body).toMatchObject({ type: 'about:blank', status: http, code: name, reason: name, detail });
    expect(response.headers.get('x-request-id')).toBe((response.body as { requestId: string }).requestId);
    if (http === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    else if (http === 429) expect(response.headers.get('retry-after')).toBe('7');
    else expect(response.headers.get('retry-after')).toBeNull();
  });

  it.each(['INTERNAL', 'UNKNOWN', 'DATA_LOSS'])('%s -> 500 without the upstream message', async (name) => {
    harness = await startEdgeHarness({ product: [productBackend] });
    const response = await call(`${harness.url}/v1/products/status-${name}`);
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred', code: 'INTERNAL',
      requestId: response.headers.get('x-request-id'),
    });
    expect(response.text).not.toContain('hunter2');
    expect(response.text).not.toContain('.ts');
  });

  it('an unexpected error inside the edge is a 500 with no stack or internal message', async () => {
    harness = await startEdgeHarness({ product: [productBackend] });
    const response = await call(`${harness.url}/v1/products`, {
      method: 'POST', token: harness.adminToken,
      body: { sku: 'SKU-1', name: 'A thing', description: 'Fine', price: { amountMinor: 100, currency: 'USD' }, category: 'things' },
    });
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred' });
    expect(response.text).not.toMatch(/answered without|at .*\.ts|Error:/);
    // ...but it is logged for operators, with the request id.
    const line = harness.logs().find((entry) => entry.msg === 'unexpected error');
    expect(line).toMatchObject({ request_id: response.headers.get('x-request-id') });
  });

  it('a transport failure (service down) is a 503 with Retry-After and no transport internals', async () => {
    harness = await startEdgeHarness({ product: [productBackend] });
    await harness.stopBackend('product');
    const response = await call(`${harness.url}/v1/products/ok`);
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(response.body).toMatchObject({ status: 503, code: 'UNAVAILABLE', detail: 'A service needed for this request is unavailable; try again later' });
    expect(response.text).not.toMatch(/127\.0\.0\.1|round_robin|connect/);
  });

  it('an unknown product is a 404 naming it as asked; a known one read alongside is answered', async () => {
    harness = await startEdgeHarness({ product: [fake(ProductServiceService, { batchGetProducts: batchGetByEach((id) => (id === 'ok' ? { ok: { product: product(id) } } : { error: { code: status.NOT_FOUND, message: 'unknown' } })) })] });
    const [missing, found] = await Promise.all([call(`${harness.url}/v1/products/Nope-1`), call(`${harness.url}/v1/products/ok`)]);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND', reason: 'NOT_FOUND', detail: 'Product Nope-1 does not exist', metadata: { productId: 'Nope-1' } });
    expect(found.status).toBe(200);
  });

  it('a service\'s NOT_FOUND keeps its own detail and metadata through a route that forwards it', async () => {
    harness = await startEdgeHarness({
      order: [fake(OrderServiceService, { getOrder: () => ({ error: { code: status.NOT_FOUND, message: 'Order o-1 does not exist', reason: 'NOT_FOUND', metadata: { order_id: 'o-1' } } }) })],
    });
    const response = await call(`${harness.url}/v1/orders/o-1`, { token: harness.customerToken });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404, code: 'NOT_FOUND', reason: 'NOT_FOUND', detail: 'Order o-1 does not exist', metadata: { orderId: 'o-1' } });
  });

  it('a healthy answer is the product in public JSON', async () => {
    harness = await startEdgeHarness({ product: [productBackend] });
    const response = await call(`${harness.url}/v1/products/ok`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'ok', price: { amountMinor: 1999, currency: 'USD' } });
  });

  describe('reasons and details on checkout', () => {
    const checkout = (key: string) =>
      call(`${harness!.url}/v1/orders`, { method: 'POST', token: harness!.customerToken, headers: { 'idempotency-key': key }, body: checkoutBody() });

    it('IDEMPOTENCY_KEY_REUSED is 422', async () => {
      harness = await startEdgeHarness({ order: [orderBackend] });
      const response = await checkout('reused');
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ status: 422, reason: 'IDEMPOTENCY_KEY_REUSED', code: 'FAILED_PRECONDITION' });
    });

    it('REQUEST_IN_PROGRESS (ABORTED) is 409', async () => {
      harness = await startEdgeHarness({ order: [orderBackend] });
      const response = await checkout('in-flight');
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ reason: 'REQUEST_IN_PROGRESS', code: 'ABORTED' });
    });

    it('OUT_OF_STOCK keeps its reason and metadata (the order id), with camelCase keys', async () => {
      harness = await startEdgeHarness({ order: [orderBackend] });
      const response = await checkout('no-stock');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ reason: 'OUT_OF_STOCK', metadata: { orderId: 'o-9', productIds: 'p1' } });
    });

    it('field violations become `errors`', async () => {
      harness = await startEdgeHarness({ order: [orderBackend] });
      const response = await checkout('bad');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ field: 'items[0].quantity', description: 'too many' }] });
    });
  });
});
