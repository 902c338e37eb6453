import {
  createLogger,
  createServiceClient,
  createTokenVerifier,
  jwksFromUserService,
  startGrpcServer,
  type Logger,
  type TokenVerifier,
} from '@shop/platform';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';
import type { PaymentServiceConfig } from './config';
import { createPaymentDatabase } from './data/client';
import { createPaymentStore } from './data/payment-store';
import { PaymentService } from './domain/payment-service';
import { paymentServiceRegistration } from './grpc/payment-handlers';
import { createPaymentPageTokens } from './grpc/page-tokens';
import { createSimulatedProcessor } from './processor/simulated';

export interface RunningPaymentService {
  port: number;
  shutdown(): Promise<void>;
}

export interface PaymentServiceOptions {
  logger?: Logger;
  /** Tests pass a verifier over their own key; by default keys come from the user service. */
  verifier?: TokenVerifier;
}

const IDEMPOTENCY_POLL_MS = 25;

export async function startPaymentService(config: PaymentServiceConfig, options: PaymentServiceOptions = {}): Promise<RunningPaymentService> {
  const logger = options.logger ?? createLogger({ service: 'payment', level: config.LOG_LEVEL });
  const db = createPaymentDatabase({
    connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, logger,
    connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: config.DATABASE_IDLE_TIMEOUT_MS,
  });
  let userClient: { close(): void } | undefined;
  try {
    let verifier = options.verifier;
    if (verifier === undefined) {
      const users = createServiceClient(UserServiceService, {
        service: 'user',
        target: config.USER_SERVICE_ADDRESS,
        logger,
        idempotentMethods: ['getJwks'],
      });
      userClient = users;
      verifier = createTokenVerifier({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, keys: jwksFromUserService(users) });
    }

    const payments = new PaymentService(
      createPaymentStore(db),
      createSimulatedProcessor({ latencyMs: config.PROCESSOR_LATENCY_MS, slowMs: config.PROCESSOR_SLOW_MS }),
      {
        authorizationTtlMs: config.AUTHORIZATION_TTL_SECONDS * 1000,
        cardFingerprintSecret: config.CARD_FINGERPRINT_SECRET,
        idempotency: { waitMs: config.IDEMPOTENCY_WAIT_MS, leaseMs: config.IDEMPOTENCY_LEASE_MS, pollMs: IDEMPOTENCY_POLL_MS },
        movementWaitMs: config.MOVEMENT_WAIT_MS,
      },
    );

    const server = await startGrpcServer({
      serviceName: 'payment',
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [paymentServiceRegistration(payments, createPaymentPageTokens(config.PAGE_TOKEN_SECRET))],
      logger,
      verifier,
      readiness: () => db.ping(),
      onShutdown: async () => {
        userClient?.close();
        await db.close();
      },
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    });
    logger.info({ port: server.port }, 'payment service started');
    return { port: server.port, shutdown: () => server.shutdown() };
  } catch (error) {
    userClient?.close();
    await db.close();
    throw error;
  }
}
