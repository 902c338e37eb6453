import { status } from '@grpc/grpc-js';
import { isRemoteServiceError, notFound, type Logger, type ServiceClient } from '@shop/platform';
import type { Product, ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
import { createBatchLoader } from './batch-loader';
import { requestBatchScope, type BatchMember } from './batch-scope';
import { MAX_PRODUCTS_PER_CALL } from './product-batch-limit';


export interface ProductReads {
  /** The product, read by the product service after this was asked; NOT_FOUND for an unknown or malformed id. */
  get(id: string): Promise<Product>;
}

type ProductClient = ServiceClient<typeof ProductServiceService>;

const isNotFound = (error: unknown): boolean => isRemoteServiceError(error) && error.code === status.NOT_FOUND;

/**
 * The products of these ids that exist, by lower-case id. A product service from before allow_missing ignores it and
 * answers NOT_FOUND for the whole call, naming every unknown id: then each id is asked alone, so that no request is
 * failed by another's id, nor told which ids other callers asked for (a rolling upgrade may update the edge first).
 */
async function productsThatExist(client: ProductClient, ids: string[]): Promise<Map<string, Product>> {
  try {
    const { products } = await client.batchGetProducts({ ids, allowMissing: true }, { authorization: null });
    return new Map(products.map((product) => [product.id.toLowerCase(), product]));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (ids.length === 1) return new Map();
    const found = await Promise.all(ids.map((id) => productsThatExist(client, [id])));
    return new Map(found.flatMap((one) => [...one]));
  }
}

/**
 * Product reads by id, gathered into BatchGetProducts calls (see batch-loader.ts). allow_missing keeps one unknown id
 * from failing the reads it shares a call with; its request alone gets NOT_FOUND, worded as GetProduct words it.
 * Ids are matched in lower case, as the product service stores them. Reads are public, so no caller's
 * authorization is sent: a call shared by several callers carries none of theirs.
 */
export function createProductReads(client: ProductClient, logger?: Logger): ProductReads {
  return createBatchLoader<Product, BatchMember>({
    keyOf: (id) => id.toLowerCase(),
    maxBatch: MAX_PRODUCTS_PER_CALL,
    load: (ids) => productsThatExist(client, ids),
    missing: (id) => notFound(`Product ${id} does not exist`, { product_id: id }),
    scope: requestBatchScope('product reads batch', logger),
  });
}
