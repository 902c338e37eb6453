import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { ProductSortOrder, type Product } from '@shop/proto/gen/shop/product/v1/product';
import { failureOf, startHarness, type Harness } from './support/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** A category of its own, so a test's listing sees only the products it made. */
const freshCategory = () => `cat-${randomUUID().slice(0, 8)}`;

describe('writes', () => {
  it('lets an admin create a product and anyone read it', async () => {
    const created = await h.createProduct({ name: 'Blue Kettle', price: { currencyCode: 'usd', amountMinor: 4599n }, imageUrls: ['https://img.example.com/k.jpg'] });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.price).toEqual({ currencyCode: 'USD', amountMinor: 4599n });
    expect(created.active).toBe(true);
    expect(created.createTime).toBeInstanceOf(Date);

    const { product } = await h.products.getProduct({ id: created.id }, { token: null });
    expect(product).toEqual(created);

    // proto3 cannot tell an unset `active` from false: new products are always for sale.
    expect((await h.createProduct({ active: false })).active).toBe(true);
  });

  it('refuses writes from customers (PERMISSION_DENIED) and anonymous callers (UNAUTHENTICATED)', async () => {
    const product = await h.createProduct();
    const customer = await h.token('CUSTOMER');
    const request = { product: { ...product, id: '', sku: `SKU-${randomUUID().slice(0, 8)}` } };

    expect((await failureOf(h.products.createProduct(request, { token: customer }))).code).toBe(status.PERMISSION_DENIED);
    expect((await failureOf(h.products.createProduct(request, { token: null }))).code).toBe(status.UNAUTHENTICATED);
    expect((await failureOf(h.products.updateProduct({ product: { ...product, name: 'x' }, updateMask: ['name'] }, { token: customer }))).code).toBe(status.PERMISSION_DENIED);
    expect((await failureOf(h.products.archiveProduct({ id: product.id }, { token: null }))).code).toBe(status.UNAUTHENTICATED);
    expect((await failureOf(h.inventory.adjustStock({ productId: product.id, delta: 5, reason: 'r', requestId: '' }, { token: customer }))).code).toBe(status.PERMISSION_DENIED);
    expect((await failureOf(h.products.listProducts({ pageSize: 0, pageToken: '', query: '', category: '', sortOrder: 0, includeInactive: true }, { token: customer }))).code).toBe(status.PERMISSION_DENIED);
    // Open reads ignore credentials (no verification on the hot path); protected calls refuse a bad token.
    expect((await failureOf(h.products.archiveProduct({ id: product.id }, { token: 'not-a-jwt' }))).code).toBe(status.UNAUTHENTICATED);
    expect((await failureOf(h.inventory.reserveStock({ reservationId: 'r-1', items: [{ productId: product.id, quantity: 1 }] }, { token: null }))).code).toBe(status.UNAUTHENTICATED);
  });

  it('rejects invalid products with field violations and duplicate SKUs with ALREADY_EXISTS', async () => {
    const invalid = await failureOf(
      h.products.createProduct({
        product: { id: '', sku: '', name: '', description: '', price: { currencyCode: 'US', amountMinor: -1n }, category: '', imageUrls: ['ftp://x'], active: true },
      }),
    );
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.fieldViolations.map((v) => v.field).sort()).toEqual(
      ['product.category', 'product.image_urls[0]', 'product.name', 'product.price.amount_minor', 'product.price.currency_code', 'product.sku'].sort(),
    );

    const product = await h.createProduct();
    const duplicate = await failureOf(h.createProduct({ sku: product.sku }));
    expect(duplicate.code).toBe(status.ALREADY_EXISTS);
  });

  it('updates only the fields named in the mask', async () => {
    const product = await h.createProduct({ name: 'Old name', description: 'Old description', category: 'old' });
    const { product: updated } = await h.products.updateProduct({
      product: { ...product, name: 'New name', description: 'ignored: not in the mask', price: { currencyCode: 'EUR', amountMinor: 2500n } },
      updateMask: ['name', 'price'],
    });
    expect(updated).toMatchObject({ id: product.id, name: 'New name', description: 'Old description', category: 'old', price: { currencyCode: 'EUR', amountMinor: 2500n } });
    expect(updated!.updateTime!.getTime()).toBeGreaterThanOrEqual(product.updateTime!.getTime());

    const unknownField = await failureOf(h.products.updateProduct({ product: { ...product }, updateMask: ['id'] }));
    expect(unknownField.code).toBe(status.INVALID_ARGUMENT);
    const missing = await failureOf(h.products.updateProduct({ product: { ...product, id: randomUUID() }, updateMask: ['name'] }));
    expect(missing.code).toBe(status.NOT_FOUND);
  });

  it('archives idempotently: hidden from listings, still resolvable by id', async () => {
    const category = freshCategory();
    const kept = await h.createProduct({ category });
    const archived = await h.createProduct({ category });

    const first = await h.products.archiveProduct({ id: archived.id });
    const second = await h.products.archiveProduct({ id: archived.id });
    expect(first.product).toMatchObject({ active: false });
    expect(first.product!.archiveTime).toBeInstanceOf(Date);
    expect(second.product!.archiveTime).toEqual(first.product!.archiveTime);

    const listing = await h.products.listProducts({ pageSize: 0, pageToken: '', query: '', category, sortOrder: 0, includeInactive: false }, { token: null });
    expect(listing.products.map((p) => p.id)).toEqual([kept.id]);
    const adminListing = await h.products.listProducts({ pageSize: 0, pageToken: '', query: '', category, sortOrder: 0, includeInactive: true });
    expect(adminListing.products.map((p) => p.id).sort()).toEqual([kept.id, archived.id].sort());

    const { product } = await h.products.getProduct({ id: archived.id }, { token: null });
    expect(product).toMatchObject({ id: archived.id, active: false });
  });
});

describe('reads', () => {
  it('answers NOT_FOUND for unknown and malformed ids, and batch gets all or nothing in request order unless missing ids are allowed', async () => {
    expect((await failureOf(h.products.getProduct({ id: randomUUID() }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(h.products.getProduct({ id: 'not-a-uuid' }))).code).toBe(status.NOT_FOUND);

    const a = await h.createProduct();
    const b = await h.createProduct();
    const { products } = await h.products.batchGetProducts({ ids: [b.id, a.id, b.id] }, { token: null });
    expect(products.map((p) => p.id)).toEqual([b.id, a.id, b.id]);

    const unknown = randomUUID();
    const failure = await failureOf(h.products.batchGetProducts({ ids: [a.id, unknown] }));
    expect(failure.code).toBe(status.NOT_FOUND);
    expect(failure.metadata.product_ids).toBe(unknown);

    const partial = await h.products.batchGetProducts({ ids: [unknown, b.id, 'not-a-uuid', a.id.toUpperCase(), b.id], allowMissing: true }, { token: null });
    expect(partial.products.map((p) => p.id)).toEqual([b.id, a.id, b.id]);
    const none = await h.products.batchGetProducts({ ids: [unknown], allowMissing: true }, { token: null });
    expect(none.products).toEqual([]);
  });
});

describe('listing', () => {
  const list = (request: Partial<Parameters<Harness['products']['listProducts']>[0]>) =>
    h.products.listProducts({ pageSize: 0, pageToken: '', query: '', category: '', sortOrder: 0, includeInactive: false, ...request }, { token: null });

  async function walk(request: Partial<Parameters<Harness['products']['listProducts']>[0]>): Promise<Product[]> {
    const seen: Product[] = [];
    let pageToken = '';
    for (let pages = 0; pages < 100; pages++) {
      const page = await list({ ...request, pageToken });
      seen.push(...page.products);
      if (!page.nextPageToken) return seen;
      pageToken = page.nextPageToken;
    }
    throw new Error('pagination did not end');
  }

  it('walks every item exactly once, in every sort order', async () => {
    const category = freshCategory();
    const made: Product[] = [];
    // Equal prices and names on purpose: ties must be broken by the id, or a walk would skip or repeat.
    for (let i = 0; i < 23; i++) {
      made.push(await h.createProduct({ category, name: `Walker ${i % 4}`, price: { currencyCode: 'USD', amountMinor: BigInt(100 * (i % 5)) } }));
    }
    const ids = made.map((p) => p.id).sort();
    for (const sortOrder of [
      ProductSortOrder.PRODUCT_SORT_ORDER_UNSPECIFIED,
      ProductSortOrder.PRODUCT_SORT_ORDER_NEWEST,
      ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_ASC,
      ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_DESC,
      ProductSortOrder.PRODUCT_SORT_ORDER_NAME_ASC,
    ]) {
      const seen = await walk({ category, sortOrder, pageSize: 5 });
      expect(seen.map((p) => p.id).sort()).toEqual(ids);
      expect(new Set(seen.map((p) => p.id)).size).toBe(ids.length);
    }
    // Relevance (a query) pages too.
    const searched = await walk({ category, query: 'walker', pageSize: 4 });
    expect(searched.map((p) => p.id).sort()).toEqual(ids);
  });

  it('applies the page size rules: 0 is the default, above the maximum is clamped, negative is INVALID_ARGUMENT', async () => {
    const category = freshCategory();
    for (let i = 0; i < 3; i++) await h.createProduct({ category });
    expect((await list({ category, pageSize: 0 })).products).toHaveLength(3);
    expect((await list({ category, pageSize: 1000 })).products).toHaveLength(3);
    expect((await list({ category, pageSize: 2 })).products).toHaveLength(2);
    const negative = await failureOf(list({ category, pageSize: -1 }));
    expect(negative.code).toBe(status.INVALID_ARGUMENT);
  });

  it('rejects tampered page tokens and tokens reused with other filters', async () => {
    const category = freshCategory();
    for (let i = 0; i < 3; i++) await h.createProduct({ category });
    const { nextPageToken } = await list({ category, pageSize: 1 });
    expect(nextPageToken).not.toBe('');

    const [payload, signature] = nextPageToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ p: { key: '2000-01-01T00:00:00.000Z', id: randomUUID() }, s: 'x' })).toString('base64url');
    for (const token of [`${forgedPayload}.${signature}`, `${payload}.${signature!.slice(0, -2)}AA`, 'garbage', `${nextPageToken}x`]) {
      const failure = await failureOf(list({ category, pageSize: 1, pageToken: token }));
      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.reason).toBe('INVALID_PAGE_TOKEN');
    }
    const otherFilters = await failureOf(list({ category, pageSize: 1, pageToken: nextPageToken, sortOrder: ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_ASC }));
    expect(otherFilters.code).toBe(status.INVALID_ARGUMENT);
  });

  it('finds products by words in the description, ranked, with stemming', async () => {
    const category = freshCategory();
    const tent = await h.createProduct({ category, name: 'Summit Shelter', description: 'A freestanding tent for alpine camping in heavy snowstorms.' });
    const stove = await h.createProduct({ category, name: 'Trail Stove', description: 'Boils water fast at camp, even in wind.' });
    await h.createProduct({ category, name: 'Desk Lamp', description: 'Warm light for reading at home.' });

    const bySnow = await list({ category, query: 'snowstorm' });
    expect(bySnow.products.map((p) => p.id)).toEqual([tent.id]);
    const byCamping = await list({ category, query: 'camping' });
    expect(byCamping.products.map((p) => p.id).sort()).toEqual([tent.id, stove.id].sort());
    const phrase = await list({ category, query: '"alpine camping" -stove' });
    expect(phrase.products.map((p) => p.id)).toEqual([tent.id]);
    const nameBeatsDescription = await list({ category, query: 'shelter OR water' });
    expect(nameBeatsDescription.products[0]!.id).toBe(tent.id);
    expect((await list({ category, query: 'submarine' })).products).toEqual([]);
  });

  it('filters by category and price range and sorts by price, name and age', async () => {
    const category = freshCategory();
    const cheap = await h.createProduct({ category, name: 'Cherry', price: { currencyCode: 'USD', amountMinor: 500n } });
    const middle = await h.createProduct({ category, name: 'Apple', price: { currencyCode: 'USD', amountMinor: 1500n } });
    const dear = await h.createProduct({ category, name: 'Banana', price: { currencyCode: 'USD', amountMinor: 9900n } });
    await h.createProduct({ category: freshCategory(), price: { currencyCode: 'USD', amountMinor: 1500n } });

    const ids = (page: { products: Product[] }) => page.products.map((p) => p.id);
    expect(ids(await list({ category, sortOrder: ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_ASC }))).toEqual([cheap.id, middle.id, dear.id]);
    expect(ids(await list({ category, sortOrder: ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_DESC }))).toEqual([dear.id, middle.id, cheap.id]);
    expect(ids(await list({ category, sortOrder: ProductSortOrder.PRODUCT_SORT_ORDER_NAME_ASC }))).toEqual([middle.id, dear.id, cheap.id]);
    expect(ids(await list({ category, sortOrder: ProductSortOrder.PRODUCT_SORT_ORDER_NEWEST }))).toEqual([dear.id, middle.id, cheap.id]);
    expect(ids(await list({ category, minPriceMinor: 1000n, maxPriceMinor: 9900n, sortOrder: ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_ASC }))).toEqual([middle.id, dear.id]);
    expect(ids(await list({ category, maxPriceMinor: 1499n }))).toEqual([cheap.id]);
    expect((await failureOf(list({ category, minPriceMinor: 10n, maxPriceMinor: 5n }))).code).toBe(status.INVALID_ARGUMENT);
  });
});
