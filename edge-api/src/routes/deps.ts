import type { JWK } from 'jose';
import type { EdgeClients } from '../clients';

/** What route handlers need; built once by createEdgeApp. */
export interface RouteDeps {
  clients: EdgeClients;
  /** The verifier's cached public keys (no user-service call per request). */
  jwks: () => Promise<JWK[]>;
  checkoutDeadlineMs: number;
  readinessDeadlineMs: number;
  productCacheMaxAgeSeconds: number;
}
