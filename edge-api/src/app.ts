import express, { type Express } from 'express';
import { runWithRequestContext, type Logger } from '@shop/platform';
import type { EdgeClients } from './clients';
import type { AccessTokenVerifier } from './http/auth';
import { errorHandler } from './http/error-handler';
import { requestId } from './http/request-id';
import { requestLog } from './http/request-log';
import { JSON_MEDIA_TYPES, mountRoutes } from './registry/mount';
import type { JWK } from 'jose';
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
}

/** The express app with every route of the registry; no listening socket (see server.ts). */
export function createEdgeApp(deps: EdgeAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags are computed deliberately where caching is meant (product reads), not on every JSON answer.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);

  app.use(requestId);
  app.use(requestLog(deps.logger));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  // application/*+json too: PATCH clients often send application/merge-patch+json.
  app.use(express.json({ limit: deps.bodyLimitBytes ?? 64 * 1024, strict: true, type: JSON_MEDIA_TYPES }));
  // After the body parser: its stream callbacks would otherwise run outside this context.
  app.use((_req, res, next) => runWithRequestContext({ requestId: String(res.locals.requestId) }, next));

  const routes = buildRegistry({
    clients: deps.clients,
    jwks: deps.jwks,
    checkoutDeadlineMs: deps.checkoutDeadlineMs ?? 15_000,
    readinessDeadlineMs: deps.readinessDeadlineMs ?? 1_000,
    productCacheMaxAgeSeconds: deps.productCacheMaxAgeSeconds ?? 30,
  });
  mountRoutes(app, routes, deps.verifier);
  app.use(errorHandler(deps.logger));
  return app;
}
