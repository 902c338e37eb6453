import { invalidArgument, type PageSizeLimits } from '@shop/platform';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Sort orders of the catalog; every one is total because the id breaks ties (keyset pagination needs that). */
export type ProductSort = 'RELEVANCE' | 'PRICE_ASC' | 'PRICE_DESC' | 'NEWEST' | 'NAME_ASC';

export interface ProductFilters {
  /** Free text over name and description; empty means no search. */
  query: string;
  category: string;
  minPriceMinor: bigint | undefined;
  maxPriceMinor: bigint | undefined;
  includeInactive: boolean;
  sort: ProductSort;
}

/** Where the previous page ended: the sort key of its last row (as the database printed it) and its id. */
export interface ProductCursor {
  key: string;
  id: string;
}

export const PRODUCT_PAGE_LIMITS: PageSizeLimits = { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE };
export const MOVEMENT_PAGE_LIMITS: PageSizeLimits = { defaultSize: 50, maxSize: 200 };

/** Relevance needs something to be relevant to; without a query it (and the unspecified order) is newest first. */
export function resolveSort(requested: ProductSort | undefined, query: string): ProductSort {
  if (requested === undefined || requested === 'RELEVANCE') return query ? 'RELEVANCE' : 'NEWEST';
  return requested;
}

export function validateFilters(filters: ProductFilters): ProductFilters {
  const query = filters.query.trim();
  if (query.length > 200) throw invalidArgument('The search query is too long', [{ field: 'query', description: 'at most 200 characters' }]);
  const { minPriceMinor: min, maxPriceMinor: max } = filters;
  if (min !== undefined && min < 0n) throw invalidArgument('min_price_minor must not be negative', [{ field: 'min_price_minor', description: 'must be zero or more' }]);
  if (max !== undefined && max < 0n) throw invalidArgument('max_price_minor must not be negative', [{ field: 'max_price_minor', description: 'must be zero or more' }]);
  if (min !== undefined && max !== undefined && min > max) {
    throw invalidArgument('min_price_minor is above max_price_minor', [{ field: 'min_price_minor', description: 'must not exceed max_price_minor' }]);
  }
  return { ...filters, query, category: filters.category.trim(), sort: resolveSort(filters.sort, query) };
}

/** What a page token is bound to: a token issued for one set of filters is rejected for any other. */
export function filterFingerprint(filters: ProductFilters): string {
  return JSON.stringify([
    filters.query,
    filters.category,
    filters.minPriceMinor?.toString() ?? null,
    filters.maxPriceMinor?.toString() ?? null,
    filters.includeInactive,
    filters.sort,
  ]);
}
