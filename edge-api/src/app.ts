import express, { type Express } from 'express';
import type { Logger } from '@shop/platform';
import type { ProductCache } from './cache/product-cache';
import type { EdgeClients } from './clients';
import type { AccessTokenVerifier } from './http/auth';
import { errorHandler } from './http/error-handler';
import { createRequestScope } from './http/request-scope';
import { JSON_MEDIA_TYPES, mountRoutes } from './registry/mount';
import type { JWK } from 'jose';
import { createProductReads } from './reads/product-reads';
import { buildRegistry } from './routes';

export interface EdgeAppDeps {
  clients: EdgeClients;
  verifier: AccessTokenVerifier;
  /** The verifier's cached key set, served at /.well-known/jwks.json. */
  jwks: () => Promise<JWK[]>;
  logger: Logger;
  trustProxy?: boolean | number | string[];
  bodyLimitBytes?: number;
  checkoutDeadlineMs?: number;
  readinessDeadlineMs?: number;
  productCacheMaxAgeSeconds?: number;
  /** Kept honest by the product change watcher (server.ts); without it every product read asks the service. */
  productCache?: ProductCache;
}

/** The express app with every route of the registry; no listening socket (see server.ts). */
export function createEdgeApp(deps: EdgeAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags are computed deliberately where caching is meant (product reads), not on every JSON answer.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);

  // application/*+json too: PATCH clients often send application/merge-patch+json.
  const parseJson = express.json({ limit: deps.bodyLimitBytes ?? 64 * 1024, strict: true, type: JSON_MEDIA_TYPES });
  const scope = createRequestScope(deps.logger, parseJson);

  const routes = buildRegistry({
    clients: deps.clients,
    productReads: createProductReads(deps.clients.product, deps.logger),
    jwks: deps.jwks,
    checkoutDeadlineMs: deps.checkoutDeadlineMs ?? 15_000,
    readinessDeadlineMs: deps.readinessDeadlineMs ?? 1_000,
    productCacheMaxAgeSeconds: deps.productCacheMaxAgeSeconds ?? 30,
    productCache: deps.productCache,
  });
  // Each route (and the unknown-route fallback) runs inside the request scope; see request-scope.ts.
  mountRoutes(app, routes, deps.verifier, scope.around);
  app.use(scope.errors);
  app.use(errorHandler(deps.logger));
  return app;
}
