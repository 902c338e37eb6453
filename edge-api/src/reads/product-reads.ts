import { notFound, type ServiceClient } from '@shop/platform';
import type { Product, ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
import { createBatchLoader } from './batch-loader';

/** The product service's limit on ids per BatchGetProducts. */
export const MAX_PRODUCTS_PER_CALL = 100;

export interface ProductReads {
  /** The product, read by the product service after this was asked; NOT_FOUND for an unknown or malformed id. */
  get(id: string): Promise<Product>;
}

/**
 * Product reads by id, gathered into BatchGetProducts calls (see batch-loader.ts). allow_missing keeps one unknown id
 * from failing the reads it shares a call with; its request alone gets NOT_FOUND, worded as GetProduct words it.
 * Ids are matched in lower case, as the product service stores them. Reads are public, so no caller's
 * authorization is sent: a call shared by several callers carries none of theirs.
 */
export function createProductReads(client: ServiceClient<typeof ProductServiceService>): ProductReads {
  const loader = createBatchLoader<Product>({
    name: 'product reads batch',
    keyOf: (id) => id.toLowerCase(),
    maxBatch: MAX_PRODUCTS_PER_CALL,
    load: async (ids) => {
      const { products } = await client.batchGetProducts({ ids, allowMissing: true }, { authorization: null });
      return new Map(products.map((product) => [product.id, product]));
    },
    missing: (id) => notFound(`Product ${id} does not exist`, { product_id: id }),
  });
  return loader;
}
