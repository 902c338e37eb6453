import {
  createLogger,
  createPageTokenCodec,
  createServiceClient,
  createTokenVerifier,
  jwksFromUserService,
  startGrpcServer,
  type Logger,
  type TokenVerifier,
} from '@shop/platform';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';
import type { ProductConfig } from './config';
import { createCatalog, isProductCursor } from './domain/catalog';
import { createInventory } from './domain/inventory';
import { openDatabase } from './data/database';
import { createInventoryRepository } from './data/inventory-repository';
import { createProductChangeFeed } from './data/product-change-feed';
import { createProductRepository } from './data/product-repository';
import { seedDemoCatalog } from './data/seed';
import { inventoryServiceHandlers } from './grpc/inventory-handlers';
import { productServiceHandlers } from './grpc/product-handlers';
import { startSweeper } from './sweeper';

export interface RunningProductService {
  port: number;
  /** Runs one reservation sweep now (tests, operators); the timer keeps running too. */
  sweepNow(): Promise<number>;
  shutdown(): Promise<void>;
}

const isMovementPosition = (value: unknown): value is string => typeof value === 'string' && /^\d{1,19}$/.test(value);

export async function startProductService(
  config: ProductConfig,
  options: { logger?: Logger; verifier?: TokenVerifier } = {},
): Promise<RunningProductService> {
  const logger = options.logger ?? createLogger({ service: 'product', level: config.LOG_LEVEL });
  const db = openDatabase({
    connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, logger,
    connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: config.DATABASE_IDLE_TIMEOUT_MS,
  });
  // Its own connection (LISTEN), opened only while someone watches; the server ends the watch streams before the
  // closers run, so closing it is normally a no-op.
  const changeFeed = createProductChangeFeed({
    connectionString: config.DATABASE_URL, logger, connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  });
  const closers: Array<() => void | Promise<void>> = [() => changeFeed.close(), () => db.close()];
  try {
    let verifier = options.verifier;
    if (!verifier) {
      const users = createServiceClient(UserServiceService, {
        service: 'user',
        target: config.USER_SERVICE_ADDRESS,
        logger,
        defaultDeadlineMs: 2_000,
        idempotentMethods: ['getJwks'],
      });
      closers.push(() => users.close());
      verifier = createTokenVerifier({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, keys: jwksFromUserService(users) });
    }

    if (config.SEED_DEMO_CATALOG) {
      const added = await seedDemoCatalog(db);
      if (added > 0) logger.info({ added }, 'seeded the demo catalog');
    }

    const catalog = createCatalog(createProductRepository(db), createPageTokenCodec(config.PAGE_TOKEN_SECRET, isProductCursor));
    const inventory = createInventory(createInventoryRepository(db), {
      defaultTtlSeconds: config.RESERVATION_TTL_SECONDS,
      movementTokens: createPageTokenCodec(`${config.PAGE_TOKEN_SECRET}:movements`, isMovementPosition),
    });
    const sweeper = startSweeper({
      intervalMs: config.RESERVATION_SWEEP_INTERVAL_MS,
      sweep: () => inventory.expireDue(config.RESERVATION_SWEEP_BATCH),
      logger,
    });
    closers.unshift(() => sweeper.stop());

    const server = await startGrpcServer({
      serviceName: 'product',
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [productServiceHandlers(catalog, changeFeed), inventoryServiceHandlers(inventory)],
      logger,
      verifier,
      readiness: () => db.ping(),
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
      onShutdown: async () => {
        for (const close of closers) await close();
      },
    });
    return { port: server.port, sweepNow: () => sweeper.runOnce(), shutdown: () => server.shutdown() };
  } catch (error) {
    for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
    throw error;
  }
}
