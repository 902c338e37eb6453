import { AdjustStockResponse, ProductListSchema, ProductSchema, StockLevelSchema } from '../../edge-api/src/schemas/products';
import { startSystem, type Customer, type ProductJson, type RunningSystem } from '../support/system';

jest.setTimeout(120_000);

interface ProductPage {
  products: Array<ProductJson & { archivedAt: string | null }>;
  nextPageToken: string;
}

interface StockJson {
  productId: string;
  onHand: number;
  reserved: number;
  available: number;
  sold: number;
}

describe('catalog through the REST edge (whole system)', () => {
  let system: RunningSystem;
  let admin: string;
  let customer: Customer;
  const category = `e2e-${Date.now().toString(36)}`;
  const created: ProductJson[] = [];
  const PRICES = [500, 1500, 2500, 3500, 4500, 5500, 6500];

  beforeAll(async () => {
    system = await startSystem();
    admin = (await system.signInAdmin()).accessToken;
    customer = await system.registerCustomer();
    for (const [index, amountMinor] of PRICES.entries()) {
      created.push(
        await system.createProduct({
          category,
          amountMinor,
          name: `Item ${String.fromCharCode(71 - index)} ${index}`, // names sort opposite to prices
          description: index === 3 ? 'Handwoven from alpaca wool in the Andes' : `Plain item number ${index}`,
          stock: 10,
        }),
      );
    }
  });
  afterAll(() => system?.stop());

  const list = (query: string, token?: string) => system.api<ProductPage>(`/v1/products?category=${category}&${query}`, token ? { token } : {});

  async function walk(query: string): Promise<string[]> {
    const ids: string[] = [];
    let pageToken = '';
    for (let pages = 0; pages < 50; pages++) {
      const response = await list(`${query}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`);
      expect(response.status).toBe(200);
      ids.push(...response.body.products.map((product) => product.id));
      pageToken = response.body.nextPageToken;
      if (!pageToken) return ids;
    }
    throw new Error('pagination did not end');
  }

  it('walks every product exactly once, page by page, anonymously', async () => {
    const ids = await walk('page_size=3');
    expect(ids).toHaveLength(PRICES.length);
    expect(new Set(ids)).toEqual(new Set(created.map((product) => product.id)));
    const first = await list('page_size=3');
    expect(first.body.products).toHaveLength(3);
    // Above the maximum is clamped by the service, not refused.
    // The answers match the schemas /openapi.json documents.
    expect(ProductListSchema.safeParse(first.body).success).toBe(true);
    const huge = await list('page_size=100000');
    expect(huge.status).toBe(200);
    expect(huge.body.products).toHaveLength(PRICES.length);
    expect((await list('page_size=-1')).status).toBe(400);
    expect(first.body.products[0]).toEqual(expect.objectContaining({ price: { amountMinor: expect.any(Number), currency: 'USD' }, active: true, archivedAt: null }));
  });

  it('rejects a tampered page token with 400', async () => {
    const first = await list('page_size=2');
    const token = first.body.nextPageToken;
    expect(token).not.toBe('');
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    const tampered = await list(`page_size=2&page_token=${encodeURIComponent(flipped)}`);
    expect(tampered.status).toBe(400);
    expect(tampered.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A token is bound to its filters too.
    const otherFilter = await system.api(`/v1/products?category=${category}&min_price=1000&page_size=2&page_token=${encodeURIComponent(token)}`);
    expect(otherFilter.status).toBe(400);
  });

  it('searches words in the description', async () => {
    const response = await list('q=alpaca');
    expect(response.status).toBe(200);
    expect(response.body.products.map((product) => product.id)).toEqual([created[3]!.id]);
  });

  it('filters by price range and sorts', async () => {
    const range = await list('min_price=1500&max_price=4500&sort=price_asc');
    expect(range.body.products.map((product) => product.price.amountMinor)).toEqual([1500, 2500, 3500, 4500]);
    const descending = await list('sort=price_desc');
    expect(descending.body.products.map((product) => product.price.amountMinor)).toEqual([...PRICES].reverse());
    const byName = await list('sort=name_asc');
    const names = byName.body.products.map((product) => product.name);
    expect(names).toEqual([...names].sort());
    expect((await list('sort=cheapest')).status).toBe(400);
  });

  it('serves one product with ETag and Cache-Control; If-None-Match gives 304 until it changes', async () => {
    const id = created[0]!.id;
    const first = await system.api<ProductJson>(`/v1/products/${id}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id, category, price: { amountMinor: 500, currency: 'USD' } });
    expect(ProductSchema.parse(first.body)).toEqual(first.body);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);

    const notModified = await system.api(`/v1/products/${id}`, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');

    const patched = await system.api<ProductJson>(`/v1/products/${id}`, { method: 'PATCH', token: admin, body: { name: 'Renamed item' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed item', price: { amountMinor: 500 }, description: created[0]!.description });
    const changed = await system.api<ProductJson>(`/v1/products/${id}`, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.body.name).toBe('Renamed item');
  });

  it('unknown and malformed product ids are 404 problems naming the id; a product read at the same time is answered', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const [missing, malformed, found] = await Promise.all([
      system.api(`/v1/products/${unknown}`, { headers: { 'cache-control': 'no-cache' } }),
      system.api('/v1/products/not-a-product', { headers: { 'cache-control': 'no-cache' } }),
      system.api<ProductJson>(`/v1/products/${created[0]!.id}`, { headers: { 'cache-control': 'no-cache' } }),
    ]);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND', detail: `Product ${unknown} does not exist`, metadata: { productId: unknown } });
    expect(malformed.status).toBe(404);
    expect(malformed.body).toMatchObject({ code: 'NOT_FOUND', detail: 'Product not-a-product does not exist' });
    expect(found.status).toBe(200);
    expect(found.body.id).toBe(created[0]!.id);
  });

  it('only admins write: anonymous 401, customers 403', async () => {
    const id = created[1]!.id;
    const writes: Array<[string, string, unknown?]> = [
      ['POST', '/v1/products', { sku: 'NOPE-1', name: 'No', description: 'no', price: { amountMinor: 1, currency: 'USD' }, category, imageUrls: [] }],
      ['PATCH', `/v1/products/${id}`, { name: 'Hacked' }],
      ['DELETE', `/v1/products/${id}`],
      ['GET', `/v1/admin/products/${id}/stock`],
      ['POST', `/v1/admin/products/${id}/stock`, { delta: 100, reason: 'free stock' }],
    ];
    for (const [method, path, body] of writes) {
      const init = { method, ...(body === undefined ? {} : { body }) };
      expect({ path, method, status: (await system.api(path, init)).status }).toEqual({ path, method, status: 401 });
      expect({ path, method, status: (await system.api(path, { ...init, token: customer.accessToken })).status }).toEqual({ path, method, status: 403 });
    }
    expect((await system.api<ProductJson>(`/v1/products/${id}`)).body.name).toBe(created[1]!.name);
  });

  it('validates product bodies (unknown fields, money) and refuses a duplicate SKU with 409', async () => {
    const base = { sku: created[2]!.sku, name: 'Dup', description: 'dup', price: { amountMinor: 100, currency: 'USD' }, category, imageUrls: [] };
    expect((await system.api('/v1/products', { method: 'POST', token: admin, body: { ...base, sku: 'NEW-SKU-1', stock: 5 } })).status).toBe(400);
    expect((await system.api('/v1/products', { method: 'POST', token: admin, body: { ...base, sku: 'NEW-SKU-2', price: { amountMinor: 1.5, currency: 'USD' } } })).status).toBe(400);
    expect((await system.api('/v1/products', { method: 'POST', token: admin, body: { ...base, sku: 'NEW-SKU-3', price: { amountMinor: 100, currency: 'usd' } } })).status).toBe(400);
    const duplicate = await system.api('/v1/products', { method: 'POST', token: admin, body: base });
    expect(duplicate.status).toBe(409);
  });

  it('adjusts stock as admin; a replayed Idempotency-Key applies once', async () => {
    const id = created[4]!.id;
    const before = await system.api<StockJson>(`/v1/admin/products/${id}/stock`, { token: admin });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ productId: id, onHand: 10, reserved: 0, available: 10 });
    expect(StockLevelSchema.safeParse(before.body).success).toBe(true);
    const adjust = () =>
      system.api<{ stock: StockJson; movement: { kind: string; quantity: number } }>(`/v1/admin/products/${id}/stock`, {
        method: 'POST', token: admin, headers: { 'idempotency-key': `restock-${id}` }, body: { delta: 5, reason: 'delivery' },
      });
    const first = await adjust();
    expect(first.status).toBe(200);
    expect(first.body.stock).toMatchObject({ onHand: 15, available: 15 });
    expect(first.body.movement).toMatchObject({ kind: 'ADJUSTMENT', quantity: 5 });
    expect(AdjustStockResponse.safeParse(first.body).success).toBe(true);
    expect((await adjust()).status).toBe(200);
    expect((await system.api<StockJson>(`/v1/admin/products/${id}/stock`, { token: admin })).body.onHand).toBe(15);
    const tooMuch = await system.api(`/v1/admin/products/${id}/stock`, { method: 'POST', token: admin, body: { delta: -1000, reason: 'loss' } });
    expect(tooMuch.status).toBe(400);
  });

  it('archiving hides a product from the catalog but keeps it readable by id', async () => {
    const id = created[5]!.id;
    const archived = await system.api<ProductJson & { archivedAt: string | null }>(`/v1/products/${id}`, { method: 'DELETE', token: admin });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ id, active: false, archivedAt: expect.any(String) });
    expect(await walk('page_size=50')).not.toContain(id);
    const direct = await system.api<ProductJson>(`/v1/products/${id}`);
    expect(direct.status).toBe(200);
    expect(direct.body.active).toBe(false);
  });

  it('the catalog stays readable while the payment service is down, and readiness says so', async () => {
    expect((await system.api('/readyz')).status).toBe(200);
    await system.stopService('payment');
    try {
      const ready = await system.api<{ services: Record<string, string> }>('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).not.toBeNull();
      expect(ready.body.services).toMatchObject({ user: 'SERVING', product: 'SERVING', order: 'SERVING', payment: expect.not.stringMatching(/^SERVING$/) });
      expect((await list('page_size=2')).status).toBe(200);
    } finally {
      await system.startService('payment');
    }
    // Back on the same port; the readiness client's breaker may need a moment before it tries again.
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 200; attempt++) {
      status = (await system.api('/readyz')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
  });
});
