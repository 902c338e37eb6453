import { status } from '@grpc/grpc-js';
import { call, fake, OrderServiceService, ProductServiceService, startEdgeHarness, UserServiceService, type EdgeHarness } from './support/edge-harness';
import { checkoutBody, order, product } from './support/fixtures';

describe('edge-side validation', () => {
  let harness: EdgeHarness;
  const created: unknown[] = [];
  beforeAll(async () => {
    harness = await startEdgeHarness({
      user: [fake(UserServiceService, { updateProfile: () => ({ error: { code: status.INTERNAL, message: 'must not be reached' } }) })],
      product: [fake(ProductServiceService, { listProducts: () => ({ ok: { products: [product('p1')], nextPageToken: '' } }) })],
      order: [
        fake(OrderServiceService, {
          createOrder: (request) => {
            created.push(request);
            return { ok: { order: order('o-1') } };
          },
        }),
      ],
    }, { HTTP_BODY_LIMIT_BYTES: '4096' });
  });
  afterAll(() => harness.stop());

  const post = (path: string, init: Parameters<typeof call>[1] = {}) => call(`${harness.url}${path}`, { method: 'POST', ...init });
  const checkout = (body: unknown, headers: Record<string, string> = { 'idempotency-key': 'k-1' }) =>
    post('/v1/orders', { token: harness.customerToken, headers, body });

  it('malformed JSON is a 400 problem', async () => {
    const response = await post('/v1/auth/login', { rawBody: '{"email": "a@b.c",', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', reason: 'MALFORMED_JSON' });
  });

  it('unknown fields are rejected by name', async () => {
    const response = await post('/v1/auth/register', { body: { email: 'a@b.c', password: 'long enough password', name: 'A', role: 'ADMIN' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ reason: 'VALIDATION_FAILED', errors: [{ field: 'role', description: 'Unknown field' }] });
  });

  it('PATCH /v1/users/me with role or email is a 400 and never reaches the user service', async () => {
    for (const body of [{ role: 'ADMIN' }, { name: 'x', email: 'other@example.com' }]) {
      const response = await call(`${harness.url}/v1/users/me`, { method: 'PATCH', token: harness.customerToken, body });
      expect(response.status).toBe(400);
      expect((response.body as { errors: Array<{ field: string }> }).errors.map((error) => error.field)).toEqual([Object.keys(body).find((key) => key !== 'name')]);
    }
    expect(harness.servers.user.calls.filter((c) => c.path.endsWith('/UpdateProfile'))).toHaveLength(0);
  });

  it('missing and wrong-typed fields list every problem', async () => {
    const response = await post('/v1/auth/login', { body: { email: 5 } });
    expect(response.status).toBe(400);
    const fields = (response.body as { errors: Array<{ field: string }> }).errors.map((error) => error.field).sort();
    expect(fields).toEqual(['email', 'password']);
  });

  it('a body that is not JSON is 415', async () => {
    const response = await post('/v1/auth/login', { rawBody: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ status: 415, reason: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('application/merge-patch+json bodies are read as JSON', async () => {
    const response = await call(`${harness.url}/v1/users/me`, {
      method: 'PATCH', token: harness.customerToken, headers: { 'content-type': 'application/merge-patch+json' }, rawBody: '{"role":"ADMIN"}',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'role', description: 'Unknown field' }] });
  });

  it('a body over the limit is 413', async () => {
    const response = await post('/v1/auth/register', { body: { email: 'a@b.c', password: 'x'.repeat(5000), name: 'A' } });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ status: 413, reason: 'BODY_TOO_LARGE' });
  });

  it('bad query parameters are 400', async () => {
    for (const query of ['sort=cheapest', 'page_size=-1', 'min_price=1.5', 'page_size=abc']) {
      const response = await call(`${harness.url}/v1/products?${query}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ reason: 'VALIDATION_FAILED' });
    }
    expect((await call(`${harness.url}/v1/products?sort=price_asc&min_price=100&page_size=5`)).status).toBe(200);
    // Large sizes are the service's to clamp, not the edge's to refuse.
    expect((await call(`${harness.url}/v1/products?page_size=100000`)).status).toBe(200);
  });

  describe('checkout', () => {
    it('requires an Idempotency-Key', async () => {
      const response = await checkout(checkoutBody(), {});
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ reason: 'IDEMPOTENCY_KEY_REQUIRED', errors: [{ field: 'Idempotency-Key' }] });
    });

    it('refuses a key over 255 characters and accepts one of 255', async () => {
      expect((await checkout(checkoutBody(), { 'idempotency-key': 'k'.repeat(256) })).status).toBe(400);
      expect((await checkout(checkoutBody(), { 'idempotency-key': 'k'.repeat(255) })).status).toBe(201);
    });

    it('caps items per order and quantity per item', async () => {
      const many = Array.from({ length: 51 }, (_, index) => ({ productId: `p${index}`, quantity: 1 }));
      expect((await checkout(checkoutBody({ items: many }))).status).toBe(400);
      expect((await checkout(checkoutBody({ items: [{ productId: 'p1', quantity: 101 }] }))).status).toBe(400);
      expect((await checkout(checkoutBody({ items: [{ productId: 'p1', quantity: 0 }] }))).status).toBe(400);
      expect((await checkout(checkoutBody({ items: [] }))).status).toBe(400);
      expect((await checkout(checkoutBody({ items: many.slice(0, 50).map((item) => ({ ...item, quantity: 100 })) }))).status).toBe(201);
    });

    it('sends the key as request_id, answers 201 with Location and never echoes card data', async () => {
      created.length = 0;
      const response = await checkout(checkoutBody(), { 'idempotency-key': 'key-abc' });
      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toBe('/v1/orders/o-1');
      expect(created).toEqual([expect.objectContaining({ requestId: 'key-abc', items: [{ productId: 'p1', quantity: 2 }] })]);
      expect(response.body).toMatchObject({
        id: 'o-1', status: 'CONFIRMED', total: { amountMinor: 3998, currency: 'USD' },
        items: [{ productId: 'p1', unitPrice: { amountMinor: 1999, currency: 'USD' }, quantity: 2, lineTotal: { amountMinor: 3998, currency: 'USD' } }],
        payment: { id: 'pay-1', status: 'CAPTURED', card: { brand: 'visa', last4: '4242' } },
      });
      expect(response.text).not.toContain('4242424242424242');
      expect(response.text).not.toMatch(/cvc/i);
    });

    it('rejects card and address fields it does not know', async () => {
      const body = checkoutBody({ card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123', pin: '0000' } });
      const response = await checkout(body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ field: 'card.pin', description: 'Unknown field' }] });
    });
  });
});
