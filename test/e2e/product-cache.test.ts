import { Client } from 'pg';
import { createLogger, createServiceClient, type ServiceClient } from '@shop/platform';
import { ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
import type { CallResult } from '../support/http';
import { startSystem, type ProductJson, type RunningSystem } from '../support/system';

jest.setTimeout(120_000);

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The edge's product cache against the real product service and its change feed (PostgreSQL LISTEN/NOTIFY -> gRPC
 * stream). The cache may only answer what the product service would answer now, give or take the feed's delivery:
 * every change, whoever makes it, must reach readers of the edge.
 */
describe('edge product cache, invalidated by the product change feed (whole system)', () => {
  let system: RunningSystem;
  let admin: string;
  let products: ServiceClient<typeof ProductServiceService>;

  beforeAll(async () => {
    system = await startSystem();
    admin = (await system.signInAdmin()).accessToken;
    // A second writer that is not this edge, as another edge replica would be.
    products = createServiceClient(ProductServiceService, {
      service: 'product-e2e', target: `127.0.0.1:${system.ports.product}`, logger: createLogger({ service: 'e2e', level: 'silent' }),
    });
  });
  afterAll(async () => {
    products?.close();
    await system?.stop();
  });

  const read = (id: string) => system.api<ProductJson>(`/v1/products/${id}`);
  const cacheStatus = (response: CallResult) => response.headers.get('cache-status') ?? '';

  /** Reads until the answer satisfies `accept`; the cache settles within the feed's delivery, the jest timeout bounds it. */
  async function readUntil(id: string, accept: (response: CallResult<ProductJson>) => boolean): Promise<CallResult<ProductJson>> {
    for (;;) {
      const response = await read(id);
      if (accept(response)) return response;
      await delay(50);
    }
  }

  /** A product the edge has cached: the feed is live and one read stored it. */
  async function cachedProduct(name: string): Promise<ProductJson> {
    const product = await system.createProduct({ name });
    await readUntil(product.id, (response) => cacheStatus(response) === 'edge; hit');
    return product;
  }

  async function withProductDatabase<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: system.databaseUrls.product });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  it('answers a repeated read from the cache, with the same body and ETag as the product service gave', async () => {
    const product = await cachedProduct('Cached lamp');
    const fresh = await system.api<ProductJson>(`/v1/products/${product.id}`, { headers: { 'cache-control': 'no-cache' } });
    const cached = await read(product.id);
    expect(cacheStatus(fresh)).toBe('edge; fwd=request');
    expect(cacheStatus(cached)).toBe('edge; hit');
    expect(cached.status).toBe(200);
    expect(cached.text).toBe(fresh.text);
    expect(cached.headers.get('etag')).toBe(fresh.headers.get('etag'));
    const notModified = await system.api(`/v1/products/${product.id}`, { headers: { 'if-none-match': fresh.headers.get('etag') ?? '' } });
    expect(notModified.status).toBe(304);
  });

  it('shows a change made through another gRPC caller, once the feed delivers it', async () => {
    const product = await cachedProduct('Old name');
    await products.updateProduct(
      { product: { ...emptyProduct(), id: product.id, name: 'Renamed elsewhere' }, updateMask: ['name'] },
      { authorization: `Bearer ${admin}` },
    );
    const after = await readUntil(product.id, (response) => response.body.name !== 'Old name');
    expect(after.body.name).toBe('Renamed elsewhere');
    expect(cacheStatus(after)).toBe('edge; fwd=uri-miss');
    const again = await read(product.id);
    expect(again.body.name).toBe('Renamed elsewhere');
  });

  it('shows a change written straight into the database (no service involved), through the trigger', async () => {
    const product = await cachedProduct('Before the fix');
    await withProductDatabase((client) => client.query(`UPDATE products SET name = 'Fixed by an operator' WHERE id = $1`, [product.id]));
    const after = await readUntil(product.id, (response) => response.body.name !== 'Before the fix');
    expect(after.body.name).toBe('Fixed by an operator');
  });

  it('never shows a rolled-back change', async () => {
    const product = await cachedProduct('Kept name');
    await withProductDatabase(async (client) => {
      await client.query('BEGIN');
      await client.query(`UPDATE products SET name = 'Rolled back' WHERE id = $1`, [product.id]);
      await client.query('ROLLBACK');
      // A committed change of the same product afterwards: once it shows, the rolled-back one had its chance.
      await client.query(`UPDATE products SET description = 'committed' WHERE id = $1`, [product.id]);
    });
    const after = await readUntil(product.id, (response) => response.body.description === 'committed');
    expect(after.body.name).toBe('Kept name');
  });

  it('answers a PATCH made at this edge on the very next read (no wait for the feed)', async () => {
    const product = await cachedProduct('Patched soon');
    const patched = await system.api<ProductJson>(`/v1/products/${product.id}`, { method: 'PATCH', token: admin, body: { name: 'Patched now' } });
    expect(patched.status).toBe(200);
    const next = await read(product.id);
    expect(next.body.name).toBe('Patched now');
    expect(cacheStatus(next)).not.toBe('edge; hit');
  });

  it('stops answering from the cache while the product service is down, and misses nothing changed meanwhile', async () => {
    const product = await cachedProduct('Survives restarts');
    await system.stopService('product');
    // Changed while no feed could tell the edge.
    await withProductDatabase((client) => client.query(`UPDATE products SET name = 'Changed while down' WHERE id = $1`, [product.id]));
    const whileDown = await readUntil(product.id, (response) => response.status !== 200 || cacheStatus(response) !== 'edge; hit');
    expect(whileDown.status).toBe(503);
    await system.startService('product');
    const back = await readUntil(product.id, (response) => response.status === 200);
    expect(back.body.name).toBe('Changed while down');
    const cachedAgain = await readUntil(product.id, (response) => cacheStatus(response) === 'edge; hit');
    expect(cachedAgain.body.name).toBe('Changed while down');
  });
});

function emptyProduct() {
  return {
    id: '', sku: '', name: '', description: '', price: undefined, category: '', imageUrls: [], active: false,
    createTime: undefined, updateTime: undefined, archiveTime: undefined,
  };
}
