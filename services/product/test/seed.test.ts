import { ProductSortOrder } from '@shop/proto/gen/shop/product/v1/product';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { createLogger } from '@shop/platform';
import { openDatabase, type Database } from '../src/data/database';
import { DEMO_CATALOG } from '../src/data/demo-catalog';
import { seedDemoCatalog, seedGeneratedProducts } from '../src/data/seed';
import { startHarness } from './support/harness';

describe('demo catalog', () => {
  it('is seeded at start when SEED_DEMO_CATALOG=true and the table is empty, once, with stock in the ledger', async () => {
    const h = await startHarness({ SEED_DEMO_CATALOG: 'true' });
    try {
      const [count] = await h.query<{ n: number; categories: number }>('SELECT count(*)::int AS n, count(DISTINCT category)::int AS categories FROM products');
      expect(count).toEqual({ n: DEMO_CATALOG.length, categories: 6 });
      expect(DEMO_CATALOG.length).toBeGreaterThanOrEqual(45);

      const page = await h.products.listProducts(
        { pageSize: 5, pageToken: '', query: 'tent', category: '', sortOrder: ProductSortOrder.PRODUCT_SORT_ORDER_UNSPECIFIED, includeInactive: false },
        { token: null },
      );
      expect(page.products[0]!.name).toBe('Two-Person Tent');
      const { stock } = await h.inventory.getStock({ productId: page.products[0]!.id });
      expect(stock).toMatchObject({ onHand: 12, available: 12 });
      const [ledger] = await h.query<{ total: number }>("SELECT sum(quantity)::int AS total FROM stock_movements WHERE kind = 'ADJUSTMENT'");
      expect(ledger!.total).toBe(DEMO_CATALOG.reduce((sum, p) => sum + p.stock, 0));
    } finally {
      await h.close();
    }
  });
});

describe('seeding functions', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase('product');
    db = openDatabase({ connectionString: database.url, max: 4, logger: createLogger({ service: 'product-test', level: 'silent' }) });
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('seeds the demo catalog only into an empty table, even when started twice at once', async () => {
    const [first, second] = await Promise.all([seedDemoCatalog(db), seedDemoCatalog(db)]);
    expect([first, second].sort()).toEqual([0, DEMO_CATALOG.length]);
    expect(await seedDemoCatalog(db)).toBe(0);
  });

  it('bulk-inserts generated products with stock, and adds nothing twice for the same prefix', async () => {
    expect(await seedGeneratedProducts(db, 2_000, { skuPrefix: 'BULK', stockPerProduct: 7 })).toBe(2_000);
    expect(await seedGeneratedProducts(db, 2_000, { skuPrefix: 'BULK', stockPerProduct: 7 })).toBe(0);
    const { rows } = await db.pool.query<{ n: number; stocked: number; categories: number }>(
      `SELECT count(*)::int AS n, count(s.product_id)::int AS stocked, count(DISTINCT p.category)::int AS categories
       FROM products p LEFT JOIN stock s ON s.product_id = p.id AND s.on_hand = 7 WHERE p.sku LIKE 'BULK-%'`,
    );
    expect(rows[0]).toEqual({ n: 2_000, stocked: 2_000, categories: 6 });
  });
});
