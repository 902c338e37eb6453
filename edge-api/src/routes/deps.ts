import type { JWK } from 'jose';
import type { ProductCache } from '../cache/product-cache';
import type { EdgeClients } from '../clients';
import type { ProductReads } from '../reads/product-reads';

/** What route handlers need; built once by createEdgeApp. */
export interface RouteDeps {
  clients: EdgeClients;
  /** Product reads by id, gathered into batched calls. */
  productReads: ProductReads;
  /** The verifier's cached public keys (no user-service call per request). */
  jwks: () => Promise<JWK[]>;
  checkoutDeadlineMs: number;
  readinessDeadlineMs: number;
  productCacheMaxAgeSeconds: number;
  /** Product reads answered by the edge itself; absent when PRODUCT_CACHE_ENTRIES is 0. */
  productCache?: ProductCache;
}
