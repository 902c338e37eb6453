import { z } from 'zod';
import { databasePoolConfig, env, loadConfig, serviceConfigSchema } from '@shop/platform';

const HOUR_MS = 3_600_000;
const DEV_IDEMPOTENCY_SECRET = 'development-only-order-idempotency-secret';

export const configSchema = serviceConfigSchema({ port: 50053 }).extend({
  PRODUCT_SERVICE_ADDRESS: env.grpcAddress('127.0.0.1:50052'),
  PAYMENT_SERVICE_ADDRESS: env.grpcAddress('127.0.0.1:50054'),
  /** Per-call deadlines of the saga's calls. */
  PRODUCT_DEADLINE_MS: env.positiveInt(3_000),
  PAYMENT_DEADLINE_MS: env.positiveInt(5_000),
  /** How long stock stays held if the saga never gets to commit (the product service's sweeper releases it). */
  RESERVATION_TTL_SECONDS: env.positiveInt(900),
  /** How often the recovery worker looks for unfinished orders, and how many it claims at a time. */
  RECOVERY_INTERVAL_MS: env.positiveInt(5_000),
  RECOVERY_BATCH_SIZE: env.positiveInt(20),
  /** How long a saga owns its order between two steps; the recovery worker only takes orders whose lease ran out. */
  SAGA_LEASE_MS: env.positiveInt(30_000),
  /** How long an order whose dependency was down waits before the recovery worker retries it. */
  SAGA_RETRY_DELAY_MS: env.positiveInt(2_000),
  /**
   * Checkouts run at once per process; up to MAX_QUEUED_CHECKOUTS more wait their turn for at most
   * CHECKOUT_QUEUE_TIMEOUT_MS (bounded by the caller's deadline). Beyond that: RESOURCE_EXHAUSTED CHECKOUT_BUSY,
   * with nothing stored.
   */
  MAX_CONCURRENT_CHECKOUTS: env.positiveInt(16),
  MAX_QUEUED_CHECKOUTS: env.nonNegativeInt(100),
  CHECKOUT_QUEUE_TIMEOUT_MS: env.positiveInt(10_000),
  MAX_ITEMS_PER_ORDER: env.positiveInt(50),
  MAX_QUANTITY_PER_ITEM: env.positiveInt(100),
  /** Idempotency keys are kept at least a day. */
  IDEMPOTENCY_TTL_MS: z.coerce.number().int().min(24 * HOUR_MS).default(24 * HOUR_MS),
  /**
   * Keys the HMAC of card data in request fingerprints, and signs page tokens. The default only suits
   * development: a deployment sets its own, or fingerprints of known cards are computable by anyone who reads this.
   */
  IDEMPOTENCY_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_IDEMPOTENCY_SECRET),
  ...databasePoolConfig,
  /**
   * The order service's client credentials for UserService.IssueServiceToken: the recovery worker calls the
   * product and payment services with that SERVICE token, as no customer is there to lend theirs. The default
   * matches the user service's development SERVICE_CREDENTIALS; deployments set their own.
   */
  SERVICE_CLIENT_ID: z.string().min(1).default('order'),
  SERVICE_CLIENT_SECRET: z.string().min(1).default('dev-order-service-secret'),
});

export type OrderConfig = z.infer<typeof configSchema>;

export function loadOrderConfig(environment: NodeJS.ProcessEnv = process.env): OrderConfig {
  return loadConfig(configSchema, environment);
}
