import { call, fake, ProductServiceService, startEdgeHarness, type EdgeHarness } from './support/edge-harness';
import { everyProductExists } from './support/product-reads';

describe('the request scope on every answer', () => {
  let harness: EdgeHarness;
  beforeAll(async () => {
    harness = await startEdgeHarness({ product: [fake(ProductServiceService, { batchGetProducts: everyProductExists })] });
  });
  afterAll(() => harness.stop());

  const expectScoped = (response: Awaited<ReturnType<typeof call>>) => {
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const line = harness.logs().find((entry) => entry.request_id === id && typeof entry.status === 'number');
    expect(line).toMatchObject({ status: response.status });
    return id;
  };

  it('a product read: id, nosniff, one log line with the route', async () => {
    const response = await call(`${harness.url}/v1/products/p1`);
    expect(response.status).toBe(200);
    const id = expectScoped(response);
    expect(harness.logs().filter((entry) => entry.request_id === id && entry.msg === 'request completed')).toEqual([
      expect.objectContaining({ route: '/v1/products/:id', method: 'GET', path: '/v1/products/p1' }),
    ]);
  });

  it('unknown routes, wrong methods and malformed bodies on them', async () => {
    expectScoped(await call(`${harness.url}/v1/nothing-here`));
    expectScoped(await call(`${harness.url}/v1/products/p1`, { method: 'PUT' }));
    const malformed = await call(`${harness.url}/v1/nothing-here`, { method: 'POST', rawBody: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ reason: 'MALFORMED_JSON', requestId: expectScoped(malformed) });
  });

  it('a path the router cannot decode still gets an id, nosniff and a log line', async () => {
    const response = await call(`${harness.url}/v1/products/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_ARGUMENT', reason: 'MALFORMED_PATH', requestId: expectScoped(response) });
  });

  it('HEAD of a product: the GET headers (ETag, length), no body', async () => {
    const get = await call(`${harness.url}/v1/products/p1`);
    const head = await call(`${harness.url}/v1/products/p1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(get.text)));
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});
