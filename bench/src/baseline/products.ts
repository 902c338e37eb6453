import { createPageTokenCodec } from '@shop/platform/src/pagination';
import type { Pool } from 'pg';
// The product service's own SQL (columns and the list/search statement builder): the baseline runs the same queries.
import { buildListProductsQuery } from '../../../services/product/src/data/list-products-sql';
import { PRODUCT_COLUMNS, type ProductRow } from '../../../services/product/src/data/product-rows';

const PAGE_SIZE = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Cursor {
  key: string;
  id: string;
}
const isCursor = (value: unknown): value is Cursor =>
  typeof value === 'object' && value !== null && typeof (value as Cursor).key === 'string' && typeof (value as Cursor).id === 'string';

// Signed page tokens like the product service's, so the baseline's search answer costs the same HMAC work.
const tokens = createPageTokenCodec('baseline-page-token-secret', isCursor);

/** The edge's public JSON shape of a product. */
export function productJson(row: ProductRow): Record<string, unknown> {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: { amountMinor: Number(row.price_minor), currency: row.currency },
    category: row.category,
    imageUrls: row.image_urls ?? [],
    active: row.active,
    createdAt: row.create_time.toISOString(),
    updatedAt: row.update_time.toISOString(),
    archivedAt: row.archive_time ? row.archive_time.toISOString() : null,
  };
}

export async function getProduct(pool: Pool, id: string): Promise<ProductRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const result = await pool.query<ProductRow>({
    name: 'product_get',
    text: `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = $1::uuid`,
    values: [id],
  });
  return result.rows[0];
}

/** The product service's BatchGetProducts statement: the rows of the ids that exist (malformed ids are left out). */
export async function getProducts(pool: Pool, ids: readonly string[]): Promise<ProductRow[]> {
  const wanted = ids.filter((id) => UUID.test(id));
  if (wanted.length === 0) return [];
  const result = await pool.query<ProductRow>({
    name: 'product_get_many',
    text: `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = ANY($1::uuid[])`,
    values: [wanted],
  });
  return result.rows;
}

/** First page of a relevance-ranked full-text search, exactly as the product service builds it. */
export async function searchProducts(pool: Pool, q: string): Promise<{ products: ProductRow[]; nextPageToken: string }> {
  const query = q.trim();
  const filters = {
    query,
    category: '',
    minPriceMinor: undefined,
    maxPriceMinor: undefined,
    includeInactive: false,
    sort: query ? ('RELEVANCE' as const) : ('NEWEST' as const),
  };
  const statement = buildListProductsQuery(filters, undefined, PAGE_SIZE + 1);
  const result = await pool.query<ProductRow & { sort_key: string }>(statement);
  const rows = result.rows.slice(0, PAGE_SIZE);
  const last = rows[rows.length - 1];
  const nextPageToken = result.rows.length > PAGE_SIZE && last ? tokens.encode({ key: last.sort_key, id: last.id }, filters.query) : '';
  return { products: rows, nextPageToken };
}
