import { randomUUID } from 'node:crypto';
import {
  createLogger, createPageTokenCodec, createServiceClient, createServiceTokenSource, createTokenVerifier, jwksFromUserService, startGrpcServer,
  type Logger, type ServiceTokenSource, type TokenVerifier,
} from '@shop/platform';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';
import { createPaymentClient } from './clients/payment-client';
import { createProductClients } from './clients/product-clients';
import type { OrderConfig } from './config';
import { openOrderDatabase } from './data/database';
import { SqlIdempotencyStore } from './data/idempotency-store';
import { PrismaOrderReader } from './data/order-reader';
import { SqlOrderRepository } from './data/order-repository';
import { CheckoutService } from './domain/checkout';
import { CheckoutSaga } from './domain/checkout-saga';
import { OrderQueries } from './domain/order-queries';
import { RecoveryWorker } from './domain/recovery';
import { isOrderCursor, orderServiceRegistration } from './grpc/order-handlers';

export interface OrderServiceOptions {
  logger?: Logger;
  /** Verifies callers' tokens; by default the user service's keys at USER_SERVICE_ADDRESS. */
  verifier?: TokenVerifier;
  /** The recovery worker's credential; by default client-credentials tokens from the user service. */
  serviceTokens?: ServiceTokenSource;
}

export interface RunningOrderService {
  port: number;
  /** Runs one recovery pass now (tests, operators); answers how many orders it worked on. */
  recoverNow(): Promise<number>;
  shutdown(): Promise<void>;
}

/** Wires the database, the peers' clients, the saga, the recovery worker and the gRPC server. */
export async function startOrderService(config: OrderConfig, options: OrderServiceOptions = {}): Promise<RunningOrderService> {
  const logger = options.logger ?? createLogger({ service: 'order', level: config.LOG_LEVEL });
  const owner = `order-${randomUUID()}`;
  const db = openOrderDatabase({
    connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, logger,
    connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: config.DATABASE_IDLE_TIMEOUT_MS,
  });

  const closers: Array<() => void> = [];
  let users: ReturnType<typeof createServiceClient<typeof UserServiceService>> | undefined;
  const userClient = () => {
    if (!users) {
      users = createServiceClient(UserServiceService, {
        service: 'user', target: config.USER_SERVICE_ADDRESS, logger, idempotentMethods: ['getJwks', 'issueServiceToken'],
      });
      closers.push(() => users?.close());
    }
    return users;
  };
  const verifier = options.verifier
    ?? createTokenVerifier({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, keys: jwksFromUserService(userClient()) });
  const serviceTokens = options.serviceTokens
    ?? createServiceTokenSource(async () => {
      const issued = await userClient().issueServiceToken({ clientId: config.SERVICE_CLIENT_ID, clientSecret: config.SERVICE_CLIENT_SECRET }, { authorization: null });
      return { accessToken: issued.accessToken, expiresInSeconds: issued.expiresInSeconds };
    });
  const product = createProductClients({
    target: config.PRODUCT_SERVICE_ADDRESS, deadlineMs: config.PRODUCT_DEADLINE_MS, reservationTtlSeconds: config.RESERVATION_TTL_SECONDS, logger,
  });
  const payment = createPaymentClient({ target: config.PAYMENT_SERVICE_ADDRESS, deadlineMs: config.PAYMENT_DEADLINE_MS, logger });
  closers.push(() => product.close(), () => payment.close());

  const repo = new SqlOrderRepository(db.pool, config.SAGA_LEASE_MS);
  const store = new SqlIdempotencyStore(db.pool);
  const saga = new CheckoutSaga({
    repo, catalog: product.catalog, inventory: product.inventory, payments: payment.payments, retryDelayMs: config.SAGA_RETRY_DELAY_MS, log: logger,
  });
  const checkout = new CheckoutService(store, saga, {
    maxItems: config.MAX_ITEMS_PER_ORDER,
    maxQuantity: config.MAX_QUANTITY_PER_ITEM,
    maxConcurrent: config.MAX_CONCURRENT_CHECKOUTS,
    maxQueued: config.MAX_QUEUED_CHECKOUTS,
    maxQueueWaitMs: config.CHECKOUT_QUEUE_TIMEOUT_MS,
    idempotencySecret: config.IDEMPOTENCY_SECRET,
    idempotencyTtlMs: config.IDEMPOTENCY_TTL_MS,
    leaseMs: config.SAGA_LEASE_MS,
    owner,
  });
  const queries = new OrderQueries(repo, new PrismaOrderReader(db.prisma), saga, owner);
  const recovery = new RecoveryWorker(repo, store, saga, serviceTokens, {
    owner, batchSize: config.RECOVERY_BATCH_SIZE, intervalMs: config.RECOVERY_INTERVAL_MS, retryDelayMs: config.SAGA_RETRY_DELAY_MS,
  }, logger);

  const server = await startGrpcServer({
    serviceName: 'order',
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    services: [orderServiceRegistration({ checkout, queries, serviceTokens, pageTokens: createPageTokenCodec(`${config.IDEMPOTENCY_SECRET}:page-token`, isOrderCursor) })],
    logger,
    verifier,
    readiness: () => db.ping(),
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown: async () => {
      await recovery.stop();
      for (const close of closers) close();
      await db.close();
    },
  });
  recovery.start();

  return { port: server.port, recoverNow: () => recovery.runOnce(), shutdown: () => server.shutdown() };
}
