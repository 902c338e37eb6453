import { notFound, resolvePageSize, type PageTokenCodec } from '@shop/platform';
import { filterFingerprint, PRODUCT_PAGE_LIMITS, validateFilters, type ProductCursor, type ProductFilters } from './listing';
import type { ProductStore } from './ports';
import {
  isProductId,
  resolveUpdateMask,
  validateNewProduct,
  validateUpdate,
  type ProductInput,
  type ProductRecord,
} from './product';

export function isProductCursor(value: unknown): value is ProductCursor {
  if (typeof value !== 'object' || value === null) return false;
  const { key, id } = value as Record<string, unknown>;
  return typeof key === 'string' && typeof id === 'string' && isProductId(id);
}

const productNotFound = (id: string) => notFound(`Product ${id} does not exist`, { product_id: id });

export function createCatalog(store: ProductStore, tokens: PageTokenCodec<ProductCursor>) {
  return {
    create: (input: Partial<ProductInput>) => store.create(validateNewProduct(input)),

    /** Archived products resolve too: past orders still show them. */
    async get(id: string): Promise<ProductRecord> {
      const product = isProductId(id) ? await store.get(id) : undefined;
      if (!product) throw productNotFound(id);
      return product;
    },

    /**
     * In the order asked. All or nothing (NOT_FOUND names every unknown id) unless `allowMissing`, which leaves
     * unknown and malformed ids out instead.
     */
    async batchGet(ids: readonly string[], allowMissing = false): Promise<ProductRecord[]> {
      const wanted = ids.filter(isProductId).map((id) => id.toLowerCase());
      const found = new Map((await store.getMany([...new Set(wanted)])).map((product) => [product.id, product]));
      const answered: ProductRecord[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const product = found.get(id.toLowerCase());
        if (product) answered.push(product);
        else missing.push(id);
      }
      if (missing.length > 0 && !allowMissing) throw notFound(`Unknown products: ${missing.join(', ')}`, { product_ids: missing.join(',') });
      return answered;
    },

    async list(rawFilters: ProductFilters, pageSize: number, pageToken: string): Promise<{ products: ProductRecord[]; nextPageToken: string }> {
      const size = resolvePageSize(pageSize, PRODUCT_PAGE_LIMITS);
      const filters = validateFilters(rawFilters);
      const fingerprint = filterFingerprint(filters);
      const cursor = tokens.decode(pageToken, fingerprint);
      const page = await store.list(filters, cursor, size);
      return { products: page.products, nextPageToken: page.next ? tokens.encode(page.next, fingerprint) : '' };
    },

    async update(id: string, input: Partial<ProductInput>, mask: readonly string[]): Promise<ProductRecord> {
      if (!isProductId(id)) throw productNotFound(id);
      const fields = resolveUpdateMask(mask, input);
      return store.update(id, validateUpdate(input, fields));
    },

    async archive(id: string): Promise<ProductRecord> {
      if (!isProductId(id)) throw productNotFound(id);
      return store.archive(id);
    },
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
