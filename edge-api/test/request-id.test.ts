import { call, fake, ProductServiceService, startEdgeHarness, type EdgeHarness } from './support/edge-harness';
import { everyProductExists } from './support/product-reads';

describe('request ids and propagation', () => {
  let harness: EdgeHarness;
  beforeAll(async () => {
    harness = await startEdgeHarness({ product: [fake(ProductServiceService, { batchGetProducts: everyProductExists, listProducts: () => ({ ok: { products: [], nextPageToken: '' } }) })] });
  });
  afterAll(() => harness.stop());

  const lastProductCall = () => harness.servers.product.calls.at(-1)!;

  it('echoes a sane incoming X-Request-Id and forwards it on the gRPC call', async () => {
    const response = await call(`${harness.url}/v1/products/p1`, { headers: { 'x-request-id': 'abc-123.DEF:9_z' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('abc-123.DEF:9_z');
    expect(lastProductCall().metadata.get('x-request-id')).toEqual(['abc-123.DEF:9_z']);
  });

  it('replaces an insane one (too long, odd characters) with a fresh id', async () => {
    for (const incoming of ['x'.repeat(200), 'has space', '<script>']) {
      const response = await call(`${harness.url}/v1/products/p1`, { headers: { 'x-request-id': incoming } });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(lastProductCall().metadata.get('x-request-id')).toEqual([id]);
    }
  });

  it('generates one when none is sent, and logs the request with it (path only, no query)', async () => {
    const response = await call(`${harness.url}/v1/products/p1?secret=shh`);
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = harness.logs().find((entry) => entry.request_id === id && entry.msg === 'request completed');
    expect(line).toMatchObject({ method: 'GET', path: '/v1/products/p1', status: 200, service: 'edge-api' });
    expect(JSON.stringify(harness.logs())).not.toContain('shh');
  });

  it('forwards a verified Authorization header as gRPC metadata, and none for anonymous callers', async () => {
    await call(`${harness.url}/v1/products?q=lamp`, { token: harness.customerToken });
    expect(lastProductCall().metadata.get('authorization')).toEqual([`Bearer ${harness.customerToken}`]);
    await call(`${harness.url}/v1/products?q=lamp`);
    expect(lastProductCall().metadata.get('authorization')).toEqual([]);
  });

  it('sends no caller\'s Authorization with a product read: reads are public, and one call may serve several callers', async () => {
    expect((await call(`${harness.url}/v1/products/p1`, { token: harness.customerToken })).status).toBe(200);
    expect(lastProductCall().path).toMatch(/\/BatchGetProducts$/);
    expect(lastProductCall().metadata.get('authorization')).toEqual([]);
  });

  it('answers ETag and Cache-Control, and 304 for a matching If-None-Match', async () => {
    const first = await call(`${harness.url}/v1/products/p1`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=30');
    const again = await call(`${harness.url}/v1/products/p1`, { headers: { 'if-none-match': `W/"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await call(`${harness.url}/v1/products/p1`, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
    expect((await call(`${harness.url}/v1/products/p2`)).headers.get('etag')).not.toBe(etag);
  });
});
