import { Client } from 'pg';

export interface Catalog {
  productIds: string[];
  /** Words that occur in product names/descriptions, for the search scenario. */
  searchWords: string[];
  seededBy: string;
}

type Seeder = (databaseUrl: string, count: number, options: { skuPrefix?: string; stockPerProduct?: number }) => Promise<number>;

const STOCK_PER_PRODUCT = 1_000_000;
const SKU_PREFIX = 'BENCH';
const SEARCH_WORDS = ['lamp', 'backpack', 'kettle', 'notebook', 'jacket', 'speaker', 'puzzle', 'bottle', 'chair', 'watch'];

/** The product service's own bulk seeder, when it exists and works (it is the source of truth for its schema). */
async function productServiceSeeder(): Promise<Seeder | undefined> {
  try {
    const module = (await import('../../../services/product/src/data/seed')) as { seedGeneratedProductsAt?: Seeder };
    return module.seedGeneratedProductsAt;
  } catch {
    return undefined;
  }
}

/** Fallback with the same effect, written against services/product/prisma/migrations (products, stock, ledger). */
async function seedWithSql(databaseUrl: string, count: number): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ added: number }>(
      `WITH inserted AS (
         INSERT INTO products (id, sku, name, description, price_minor, currency, category, create_time, update_time)
         SELECT gen_random_uuid(), $1 || '-' || lpad(i::text, 7, '0'),
                initcap(($4::text[])[1 + i % 8]) || ' ' || ($5::text[])[1 + (i / 7) % 10] || ' ' || i,
                'A ' || ($4::text[])[1 + (i / 3) % 8] || ' ' || ($5::text[])[1 + i % 10] || ' for everyday use, generated item number ' || i || '.',
                100 + (i * 7919) % 99900, 'USD', ($6::text[])[1 + i % 6],
                now() - make_interval(secs => i), now() - make_interval(secs => i)
         FROM generate_series(1, $2::int) AS i
         ON CONFLICT (sku) DO NOTHING RETURNING id
       ), stocked AS (
         INSERT INTO stock (product_id, on_hand) SELECT id, $3::int FROM inserted RETURNING product_id, on_hand
       ), ledger AS (
         INSERT INTO stock_movements (product_id, kind, quantity, reason)
         SELECT product_id, 'ADJUSTMENT', on_hand, 'initial stock (bench)' FROM stocked
       )
       SELECT count(*)::int AS added FROM stocked`,
      [
        SKU_PREFIX,
        count,
        STOCK_PER_PRODUCT,
        ['compact', 'durable', 'lightweight', 'premium', 'classic', 'rugged', 'elegant', 'portable'],
        SEARCH_WORDS,
        ['electronics', 'home', 'books', 'sports', 'clothing', 'toys'],
      ],
    );
    return result.rows[0]?.added ?? 0;
  } finally {
    await client.end();
  }
}

/** Seeds `count` products with large stock and reads back what the scenarios pick from. */
export async function seedCatalog(databaseUrl: string, count: number, log: (message: string) => void): Promise<Catalog> {
  const started = Date.now();
  let seededBy = 'bench SQL (services/product has no working seedGeneratedProductsAt)';
  const seeder = await productServiceSeeder();
  let added = 0;
  if (seeder) {
    try {
      added = await seeder(databaseUrl, count, { skuPrefix: SKU_PREFIX, stockPerProduct: STOCK_PER_PRODUCT });
      seededBy = 'services/product seedGeneratedProductsAt';
    } catch (error) {
      log(`product service seeder failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); using the bench's SQL`);
    }
  }
  if (seededBy.startsWith('bench')) added = await seedWithSql(databaseUrl, count);
  log(`seeded ${added} products with stock ${STOCK_PER_PRODUCT} each in ${((Date.now() - started) / 1000).toFixed(1)} s (${seededBy})`);

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // ANALYZE: fresh tables without statistics would make the first rounds measure bad plans.
    await client.query('ANALYZE');
    const ids = await client.query<{ id: string }>(`SELECT id::text AS id FROM products WHERE active AND sku LIKE $1 || '-%'`, [SKU_PREFIX]);
    const words: string[] = [];
    for (const word of SEARCH_WORDS) {
      const hit = await client.query(`SELECT 1 FROM products WHERE search_vector @@ websearch_to_tsquery('english', $1) LIMIT 1`, [word]);
      if (hit.rowCount) words.push(word);
    }
    if (ids.rows.length === 0) throw new Error('the catalog is empty after seeding');
    return { productIds: ids.rows.map((row) => row.id), searchWords: words.length > 0 ? words : ['everyday'], seededBy };
  } finally {
    await client.end();
  }
}
