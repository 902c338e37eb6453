import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createLogger, createTokenVerifier, jwksFromUserService, type Logger } from '@shop/platform';
import { createEdgeApp } from './app';
import { ProductCache } from './cache/product-cache';
import { createProductChangeWatcher, type ProductChangeWatcher } from './cache/product-change-watcher';
import { closeEdgeClients, createEdgeClients } from './clients';
import type { EdgeConfig } from './config';
import { createKeyCache } from './http/key-cache';

export interface StartEdgeOptions {
  logger?: Logger;
}

export interface RunningEdge {
  port: number;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), then closes the gRPC channels. */
  shutdown(): Promise<void>;
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

/** Builds clients, verifier and app from the config and listens; port 0 picks a free port (tests). */
export async function startEdge(config: EdgeConfig, options: StartEdgeOptions = {}): Promise<RunningEdge> {
  const logger = options.logger ?? createLogger({ service: 'edge-api', level: config.LOG_LEVEL });
  const clients = createEdgeClients({
    addresses: {
      user: config.USER_SERVICE_ADDRESS,
      product: config.PRODUCT_SERVICE_ADDRESS,
      order: config.ORDER_SERVICE_ADDRESS,
      payment: config.PAYMENT_SERVICE_ADDRESS,
    },
    logger,
    deadlineMs: config.GRPC_DEADLINE_MS,
  });
  // The cache is only as correct as its invalidation: it exists only with the watcher that feeds it.
  let productCache: ProductCache | undefined;
  let watcher: ProductChangeWatcher | undefined;
  if (config.PRODUCT_CACHE_ENTRIES > 0) {
    productCache = new ProductCache(config.PRODUCT_CACHE_ENTRIES, config.PRODUCT_CACHE_TTL_SECONDS * 1_000);
    watcher = createProductChangeWatcher({ source: clients.product, cache: productCache, logger });
  }
  const keys = createKeyCache(jwksFromUserService(clients.user));
  const verifier = createTokenVerifier({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, keys: keys.refresh });
  const app = createEdgeApp({
    clients,
    verifier,
    jwks: keys.current,
    logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
    checkoutDeadlineMs: config.CHECKOUT_DEADLINE_MS,
    readinessDeadlineMs: config.READINESS_DEADLINE_MS,
    productCacheMaxAgeSeconds: config.PRODUCT_CACHE_MAX_AGE_SECONDS,
    productCache,
  });

  const server = createServer(app);
  // Slow-loris protection: a client gets this long to send its headers and whole request.
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  try {
    await listen(server, config.HTTP_PORT, config.HTTP_HOST);
  } catch (error) {
    closeEdgeClients(clients);
    throw error;
  }
  watcher?.start();
  const port = (server.address() as AddressInfo).port;
  const host = config.HTTP_HOST === '0.0.0.0' || config.HTTP_HOST === '::' ? '127.0.0.1' : config.HTTP_HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ port, url }, 'edge listening');

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_MS);
      grace.unref();
      await closed;
      clearTimeout(grace);
      // Its streams go before the channel they run on; requests still draining above kept using the cache.
      await watcher?.stop();
      closeEdgeClients(clients);
      logger.info('edge stopped');
    })());

  return { port, url, shutdown };
}
