import type { ProductCursor, ProductFilters, ProductSort } from '../domain/listing';
import { PRODUCT_COLUMNS } from './product-rows';

// Per sort order: the key expression, its type for the cursor's comparison, and the keyset direction. Row
// comparisons like (key, id) < ($1, $2) only work when both columns sort the same way, so each order is
// "all ascending" or "all descending" with the id as tie-breaker: every row has exactly one position.
const SORTS: Record<ProductSort, { key: string; cast: string; descending: boolean }> = {
  NEWEST: { key: 'p.create_time', cast: 'timestamptz', descending: true },
  PRICE_ASC: { key: 'p.price_minor', cast: 'bigint', descending: false },
  PRICE_DESC: { key: 'p.price_minor', cast: 'bigint', descending: true },
  NAME_ASC: { key: 'p.name', cast: 'text', descending: false },
  RELEVANCE: { key: 'ts_rank(p.search_vector, q.query)', cast: 'real', descending: true },
};

/**
 * Builds the one statement of a catalog page: filters, full-text match (websearch_to_tsquery over the generated
 * tsvector column, served by its GIN index), keyset position and limit. The sort key is returned as text
 * (`sort_key`) so that the next cursor carries it exactly as PostgreSQL compares it.
 */
export function buildListProductsQuery(
  filters: ProductFilters,
  cursor: ProductCursor | undefined,
  limit: number,
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const sort = SORTS[filters.sort];
  const where: string[] = [];
  let from = 'products p';

  if (filters.query) {
    from += `, websearch_to_tsquery('english', ${param(filters.query)}) AS q(query)`;
    where.push('p.search_vector @@ q.query');
  }
  if (!filters.includeInactive) where.push('p.active');
  if (filters.category) where.push(`p.category = ${param(filters.category)}`);
  if (filters.minPriceMinor !== undefined) where.push(`p.price_minor >= ${param(filters.minPriceMinor.toString())}::bigint`);
  if (filters.maxPriceMinor !== undefined) where.push(`p.price_minor <= ${param(filters.maxPriceMinor.toString())}::bigint`);
  if (cursor) {
    const op = sort.descending ? '<' : '>';
    where.push(`(${sort.key}, p.id) ${op} (${param(cursor.key)}::${sort.cast}, ${param(cursor.id)}::uuid)`);
  }
  const direction = sort.descending ? 'DESC' : 'ASC';
  const text =
    `SELECT ${PRODUCT_COLUMNS}, (${sort.key})::text AS sort_key FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${sort.key} ${direction}, p.id ${direction} LIMIT ${param(limit)}`;
  return { text, values };
}
