import { status } from '@grpc/grpc-js';
import type { Product, WatchProductChangesResponse } from '@shop/proto/gen/shop/product/v1/product';
import { call, fake, ProductServiceService, startEdgeHarness, type EdgeHarness } from './support/edge-harness';
import type { FakeStream } from './support/fake-services';
import { product } from './support/fixtures';
import { batchedIds, batchGetByEach, everyProductExists } from './support/product-reads';
import type { CallResult } from './support/http';
import { waitFor } from './support/wait';

/** The product fake: a small catalog, and a change feed whose streams the test holds and scripts. */
function productBackend() {
  const catalog = new Map<string, Product>([['p1', product('p1')], ['probe', product('probe')]]);
  const feed = { refuse: false, streams: [] as Array<FakeStream<WatchProductChangesResponse>> };
  const backend = fake(ProductServiceService, {
    batchGetProducts: batchGetByEach((id) => {
      const found = catalog.get(id);
      return found ? { ok: { product: found } } : { error: { code: status.NOT_FOUND, message: 'No such product' } };
    }),
    updateProduct: ({ product: patch }) => {
      const current = catalog.get(patch!.id)!;
      const updated = { ...current, name: patch!.name, updateTime: new Date('2026-02-01T00:00:00Z') };
      catalog.set(updated.id, updated);
      return { ok: { product: updated } };
    },
    archiveProduct: ({ id }) => {
      const archived = { ...catalog.get(id)!, active: false, archiveTime: new Date('2026-03-01T00:00:00Z') };
      catalog.set(id, archived);
      return { ok: { product: archived } };
    },
    watchProductChanges: (_request, stream) => {
      if (feed.refuse) {
        stream.fail({ code: status.UNAVAILABLE, message: 'The change feed is not listening', reason: 'FEED_DOWN' });
        return;
      }
      feed.streams.push(stream);
      stream.send({ productIds: [] });
    },
  });
  /** A change committed behind the edge's back: only the feed tells the edge. */
  const rename = (id: string, name: string) => catalog.set(id, { ...catalog.get(id)!, name });
  const announce = (...ids: string[]) => feed.streams.filter((stream) => !stream.closed).forEach((stream) => stream.send({ productIds: ids }));
  return { backend, feed, rename, announce };
}

const cacheStatus = (response: CallResult) => response.headers.get('cache-status');
const nameOf = (response: CallResult) => (response.body as { name: string }).name;

describe('GET /v1/products/{id} through the edge product cache', () => {
  let harness: EdgeHarness;
  let scripted: ReturnType<typeof productBackend>;

  const get = (id: string, headers: Record<string, string> = {}) => call(`${harness.url}/v1/products/${id}`, { headers });
  const productCallsFor = (id: string) => batchedIds(harness.servers.product.calls).filter((ids) => ids.includes(id)).length;
  /** The cache is on once a read of the probe product is no longer a bypass. */
  const cacheOn = () => waitFor(async () => cacheStatus(await get('probe')) !== 'edge; fwd=bypass');
  /** Reads until the condition holds; every read is an ordinary GET. */
  const readUntil = async (id: string, done: (response: CallResult) => boolean) => {
    let response = await get(id);
    while (!done(response)) response = await get(id);
    return response;
  };

  beforeEach(async () => {
    scripted = productBackend();
    harness = await startEdgeHarness({ product: [scripted.backend] });
  });
  afterEach(() => harness.stop());

  it('asks the product service once: a miss, then hits with the same bytes, ETag and 304', async () => {
    await cacheOn();
    const miss = await get('p1');
    expect(miss.status).toBe(200);
    expect(cacheStatus(miss)).toBe('edge; fwd=uri-miss');
    const hit = await get('p1');
    expect(hit.status).toBe(200);
    expect(cacheStatus(hit)).toBe('edge; hit');
    expect(hit.text).toBe(miss.text);
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('cache-control')).toBe('public, max-age=30');
    expect(hit.headers.get('content-type')).toBe('application/json; charset=utf-8');

    // fetch() adds Cache-Control: no-cache to a conditional request unless the request carries its own.
    const notModified = await get('p1', { 'if-none-match': miss.headers.get('etag')!, 'cache-control': 'max-age=3600' });
    expect(notModified.status).toBe(304);
    expect(cacheStatus(notModified)).toBe('edge; hit');
    expect(notModified.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(productCallsFor('p1')).toBe(1);
  });

  it('forwards a request that asks for a fresh answer, and refreshes the entry with it', async () => {
    await cacheOn();
    await get('p1');
    scripted.rename('p1', 'Renamed quietly');
    for (const directive of ['no-cache', 'no-store', 'max-age=0', 'public, max-age=0']) {
      const fresh = await get('p1', { 'cache-control': directive });
      expect({ directive, status: cacheStatus(fresh), name: nameOf(fresh) }).toEqual({ directive, status: 'edge; fwd=request', name: 'Renamed quietly' });
    }
    expect(productCallsFor('p1')).toBe(5);
    const hit = await get('p1', { 'cache-control': 'max-age=60' });
    expect(cacheStatus(hit)).toBe('edge; hit');
    expect(nameOf(hit)).toBe('Renamed quietly');
    expect(productCallsFor('p1')).toBe(5);
  });

  it('asks again after the change feed names the product', async () => {
    await cacheOn();
    await get('p1');
    expect(cacheStatus(await get('p1'))).toBe('edge; hit');
    scripted.rename('p1', 'Renamed elsewhere');
    scripted.announce('p1');
    const after = await readUntil('p1', (response) => cacheStatus(response) !== 'edge; hit');
    expect(cacheStatus(after)).toBe('edge; fwd=uri-miss');
    expect(nameOf(after)).toBe('Renamed elsewhere');
    expect(productCallsFor('p1')).toBe(2);
    expect(cacheStatus(await get('p1'))).toBe('edge; hit');
  });

  it('forgets a product at once after a PATCH or DELETE through this edge, without waiting for the feed', async () => {
    await cacheOn();
    await get('p1');
    const patched = await call(`${harness.url}/v1/products/p1`, { method: 'PATCH', token: harness.adminToken, body: { name: 'Patched' } });
    expect(patched.status).toBe(200);
    const afterPatch = await get('p1');
    expect(cacheStatus(afterPatch)).toBe('edge; fwd=uri-miss');
    expect(nameOf(afterPatch)).toBe('Patched');

    expect(cacheStatus(await get('p1'))).toBe('edge; hit');
    expect((await call(`${harness.url}/v1/products/p1`, { method: 'DELETE', token: harness.adminToken })).status).toBe(200);
    const afterDelete = await get('p1');
    expect(cacheStatus(afterDelete)).toBe('edge; fwd=uri-miss');
    expect((afterDelete.body as { active: boolean }).active).toBe(false);
    expect(scripted.feed.streams.every((stream) => !stream.closed)).toBe(true);
  });

  it('never caches an error, and labels it too', async () => {
    await cacheOn();
    for (let i = 0; i < 2; i += 1) {
      const missing = await get('nope');
      expect(missing.status).toBe(404);
      expect(cacheStatus(missing)).toBe('edge; fwd=uri-miss');
    }
    expect(productCallsFor('nope')).toBe(2);
  });

  it('bypasses the cache, cleared, while the feed is down, and uses it again once the feed is back', async () => {
    await cacheOn();
    await get('p1');
    expect(cacheStatus(await get('p1'))).toBe('edge; hit');

    scripted.feed.refuse = true;
    scripted.rename('p1', 'Changed while the feed was down');
    for (const stream of scripted.feed.streams) stream.fail({ code: status.UNAVAILABLE, message: 'The change feed stopped listening', reason: 'FEED_LOST' });
    const down = await readUntil('p1', (response) => cacheStatus(response) === 'edge; fwd=bypass');
    expect(nameOf(down)).toBe('Changed while the feed was down');
    const before = productCallsFor('p1');
    const again = await get('p1');
    expect(cacheStatus(again)).toBe('edge; fwd=bypass');
    expect(productCallsFor('p1')).toBe(before + 1);

    scripted.feed.refuse = false;
    const back = await readUntil('p1', (response) => cacheStatus(response) !== 'edge; fwd=bypass');
    // Nothing from before the outage survived it.
    expect(cacheStatus(back)).toBe('edge; fwd=uri-miss');
    expect(cacheStatus(await get('p1'))).toBe('edge; hit');
    const lost = harness.logs().filter((line) => line.cache === 'product' && line.msg === 'product change feed lost: product cache off');
    expect(lost).toHaveLength(1);
  });
});

describe('GET /v1/products/{id} without a product cache', () => {
  let harness: EdgeHarness | undefined;
  afterEach(() => harness?.stop());

  const backend = fake(ProductServiceService, { batchGetProducts: everyProductExists });
  const reads = async (url: string) => [await call(`${url}/v1/products/p1`), await call(`${url}/v1/products/p1`)];

  it('bypasses it, quietly, when the product service has no change feed (UNIMPLEMENTED)', async () => {
    harness = await startEdgeHarness({ product: [backend] });
    const answers = await reads(harness.url);
    expect(answers.map(cacheStatus)).toEqual(['edge; fwd=bypass', 'edge; fwd=bypass']);
    expect(batchedIds(harness.servers.product.calls)).toEqual([['p1'], ['p1']]);
    await waitFor(() => harness!.logs().some((line) => line.msg === 'product change feed unavailable: product cache off'));
    expect(harness.logs().filter((line) => line.cache === 'product').map((line) => [line.level, line.msg, line.grpc_code])).toEqual([
      ['info', 'product change feed unavailable: product cache off', status.UNIMPLEMENTED],
    ]);
  });

  it('bypasses it, and never watches the feed, with PRODUCT_CACHE_ENTRIES=0', async () => {
    harness = await startEdgeHarness({ product: [backend] }, { PRODUCT_CACHE_ENTRIES: '0' });
    const answers = await reads(harness.url);
    expect(answers.map(cacheStatus)).toEqual(['edge; fwd=bypass', 'edge; fwd=bypass']);
    expect(harness.servers.product.calls.map((recorded) => recorded.path).filter((path) => !path.endsWith('/BatchGetProducts'))).toEqual([]);
  });
});
