import { createLogger } from '@shop/platform';
import { DEMO_CATALOG } from './demo-catalog';
import { openDatabase, type Database } from './database';

// Arbitrary but fixed: serialises concurrent seeders on the same database.
const SEED_LOCK_KEY = 4_040_404;

/**
 * Seeds the demo catalog when the product table is empty; returns how many products were added. Idempotent:
 * an advisory lock serialises concurrent starts, the emptiness check runs under it, and SKUs are unique.
 */
export async function seedDemoCatalog(db: Database): Promise<number> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const { rows } = await client.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM products) AS empty');
    if (!rows[0]?.empty) {
      await client.query('COMMIT');
      return 0;
    }
    const result = await client.query<{ added: number }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::int[])
           AS x(sku, name, description, price_minor, category, stock, ord)
       ), inserted AS (
         INSERT INTO products (id, sku, name, description, price_minor, currency, category, image_urls, create_time, update_time)
         SELECT gen_random_uuid(), sku, name, description, price_minor, 'USD', category,
                ARRAY['https://images.example.com/products/' || lower(sku) || '.jpg'],
                -- Spread creation times so that "newest first" has a stable, meaningful order.
                now() - make_interval(mins => ord), now() - make_interval(mins => ord)
         FROM input ON CONFLICT (sku) DO NOTHING
         RETURNING id, sku
       ), stocked AS (
         INSERT INTO stock (product_id, on_hand) SELECT i.id, x.stock FROM inserted i JOIN input x USING (sku)
         RETURNING product_id, on_hand
       ), ledger AS (
         INSERT INTO stock_movements (product_id, kind, quantity, reason)
         SELECT product_id, 'ADJUSTMENT', on_hand, 'initial stock (demo catalog)' FROM stocked WHERE on_hand <> 0
       )
       SELECT count(*)::int AS added FROM stocked`,
      [
        DEMO_CATALOG.map((p) => p.sku),
        DEMO_CATALOG.map((p) => p.name),
        DEMO_CATALOG.map((p) => p.description),
        DEMO_CATALOG.map((p) => String(p.priceMinor)),
        DEMO_CATALOG.map((p) => p.category),
        DEMO_CATALOG.map((p) => p.stock),
        DEMO_CATALOG.map((_, i) => i),
      ],
    );
    await client.query('COMMIT');
    return result.rows[0]?.added ?? 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface GeneratedSeedOptions {
  /** SKU prefix; SKUs are `<prefix>-<n>`, so re-running with the same prefix adds nothing twice. */
  skuPrefix?: string;
  stockPerProduct?: number;
}

const CATEGORIES = ['electronics', 'home', 'books', 'sports', 'clothing', 'toys'];
const ADJECTIVES = ['compact', 'durable', 'lightweight', 'premium', 'classic', 'rugged', 'elegant', 'portable'];
const NOUNS = ['lamp', 'backpack', 'kettle', 'notebook', 'jacket', 'speaker', 'puzzle', 'bottle', 'chair', 'watch'];

/**
 * Inserts `count` generated products (with stock and their ledger rows) in one statement: fast enough for the
 * benchmark's 10,000. Returns how many were added.
 */
export async function seedGeneratedProducts(db: Database, count: number, options: GeneratedSeedOptions = {}): Promise<number> {
  const prefix = options.skuPrefix ?? 'GEN';
  const stock = options.stockPerProduct ?? 100;
  const result = await db.pool.query<{ added: number }>(
    `WITH inserted AS (
       INSERT INTO products (id, sku, name, description, price_minor, currency, category, create_time, update_time)
       SELECT gen_random_uuid(),
              $1 || '-' || lpad(i::text, 7, '0'),
              initcap(($5::text[])[1 + i % cardinality($5::text[])]) || ' ' || ($6::text[])[1 + (i / 7) % cardinality($6::text[])] || ' ' || i,
              'A ' || ($5::text[])[1 + (i / 3) % cardinality($5::text[])] || ' ' || ($6::text[])[1 + i % cardinality($6::text[])]
                || ' for everyday use, generated item number ' || i || '.',
              100 + (i * 7919) % 99900,
              'USD',
              ($4::text[])[1 + i % cardinality($4::text[])],
              now() - make_interval(secs => i), now() - make_interval(secs => i)
       FROM generate_series(1, $2::int) AS i
       ON CONFLICT (sku) DO NOTHING
       RETURNING id
     ), stocked AS (
       INSERT INTO stock (product_id, on_hand) SELECT id, $3::int FROM inserted RETURNING product_id, on_hand
     ), ledger AS (
       INSERT INTO stock_movements (product_id, kind, quantity, reason)
       SELECT product_id, 'ADJUSTMENT', on_hand, 'initial stock (generated)' FROM stocked WHERE on_hand <> 0
     )
     SELECT count(*)::int AS added FROM stocked`,
    [prefix, count, stock, CATEGORIES, ADJECTIVES, NOUNS],
  );
  return result.rows[0]?.added ?? 0;
}

/** seedGeneratedProducts for scripts that only have a connection URL (the benchmark). */
export async function seedGeneratedProductsAt(databaseUrl: string, count: number, options: GeneratedSeedOptions = {}): Promise<number> {
  const db = openDatabase({ connectionString: databaseUrl, max: 2, logger: createLogger({ service: 'product-seed', level: 'warn' }) });
  try {
    return await seedGeneratedProducts(db, count, options);
  } finally {
    await db.close();
  }
}
